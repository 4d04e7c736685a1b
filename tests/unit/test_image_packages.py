"""What our Dockerfile adds to the Mage image, against the image's own package set, without building anything.

`image/mageai-<tag>.txt` is the set Mage's Dockerfile installs to make the image (`make image-lock`);
`requirements-image.txt` is what ours adds, with every version the image has as a constraint
(`image/add-packages.sh`). Here: that file holds exactly the pins of requirements.txt that the image lacks; the
pins the image has at other versions are the known ones below, each kept deliberately; and uv resolves the
additions against the lock for CPython 3.10 on linux x86_64 and aarch64 (metadata only, a few seconds), adding
nothing but those pins and changing no package of the image. `make image-venv` installs all of it for real.
Reaching PyPI is needed for the last part only, which skips when the index cannot be reached.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.image_packages import (IMAGE_REQUIREMENTS, INSTALLERS, changes, check_stand_in, lock_path,
                                     mage_version, normalize, parse_pins, read_pins)
from devstack.paths import REPO_ROOT
from tests.unit.test_image_wheels import ARCHITECTURES, registry_unreachable

# The pins of requirements.txt (the dev venv's, Python 3.11) that the image has at another version, and why the
# project runs with the image's: `make image-venv` runs the unit tests and api_to_postgres with them. The Dockerfile
# cannot change them: every version the image has is a constraint there.
IMAGE_KEEPS = {
    # Mage's boto3 1.26.60 / botocore 1.29.60 need urllib3 <1.27 (and opensearch-py 2.0.0 <2); with 2.x
    # `boto3.client('s3')` fails to import (DEFAULT_CIPHERS). The project reaches HTTP through requests only.
    'urllib3': ('1.26.20', 'botocore 1.29.60 needs <1.27; requests 2.31.0 runs on either'),
    # mage-ai[all] pins both; the project uses connect, cursors, copy_expert and errors, all long in 2.9.
    'psycopg2-binary': ('2.9.3', 'mage-ai[all] pins 2.9.3'),
    # mage-ai[all] pins it; only mage_ai.io.postgres imports it (for SSH tunnels, which the project does not use).
    'sshtunnel': ('0.4.0', 'mage-ai[all] pins 0.4.0'),
    # mage-ai asks for sqlglot[rs] unpinned (the real image has Mage's git fork of it); only Mage's BigQuery SQL
    # blocks use it, the project's code does not. The dev venv's 30.25.0 is there for its wheels.
    'sqlglot': ('30.22.0', 'unpinned by mage-ai; unused by the project'),
}
# How uv is asked, as `make image-lock` asks it: no Python downloads (only the package registries are reachable).
UV_ENVIRONMENT = {**os.environ, 'UV_PYTHON_DOWNLOADS': 'never', 'UV_NO_CONFIG': '1'}


def requirements_pins() -> dict[str, str]:
    return read_pins(REPO_ROOT / 'requirements.txt')


def test_the_lock_is_the_dockerfiles_base_image():
    lock = lock_path()
    assert lock.exists(), f'{lock.relative_to(REPO_ROOT)} is missing: `make image-lock` makes it'
    pins = read_pins(lock)
    assert pins['mage-ai'] == mage_version()
    assert {'faster-fifo', 'sparkmagic', 'boto3', 'psycopg2-binary', 'pyarrow', 'pandas'} <= pins.keys()
    assert len(pins) > 300, 'mage-ai[all] brings some 366 packages: the lock is not the whole image'
    text = lock.read_text()
    assert 'make image-lock' in text.splitlines()[1]
    assert (REPO_ROOT / 'image' / f'mageai-{mage_version()}.in').exists()


def test_image_requirements_are_requirements_pins_the_image_lacks():
    lock, wanted, added = read_pins(lock_path()), requirements_pins(), read_pins(IMAGE_REQUIREMENTS)
    assert added, 'requirements-image.txt pins nothing'
    assert {name: wanted.get(name) for name in added} == added, 'requirements-image.txt must take requirements.txt\'s pins'
    assert not added.keys() & lock.keys(), f'the image has these already: {sorted(added.keys() & lock.keys())}'
    lacking = {name for name in wanted if name not in lock}
    assert lacking == added.keys(), f'the image lacks {sorted(lacking)}: requirements-image.txt must pin exactly those'


def test_the_image_keeps_its_own_versions_only_where_that_was_chosen():
    """A pin of requirements.txt at another version than the image's is a choice, written down in IMAGE_KEEPS."""
    lock, wanted = read_pins(lock_path()), requirements_pins()
    differ = {name: (lock[name], version) for name, version in wanted.items() if name in lock and lock[name] != version}
    assert {name: image for name, (image, _) in differ.items()} == {name: image for name, (image, _) in IMAGE_KEEPS.items()}, (
        f'(image, requirements.txt) versions that differ: {differ}. The Dockerfile keeps the image\'s: check that the '
        'project runs with it (make image-venv) and say so in IMAGE_KEEPS, or bring requirements.txt to the image\'s')


def test_requirements_image_is_listed_for_the_build_and_pinned():
    dockerfile = (REPO_ROOT / 'Dockerfile').read_text()
    assert re.search(r'^COPY requirements-image\.txt image/add-packages\.sh /tmp/deps/$', dockerfile, re.M)
    assert re.search(r'^RUN sh /tmp/deps/add-packages\.sh /tmp/deps/requirements-image\.txt$', dockerfile, re.M)
    script = (REPO_ROOT / 'image' / 'add-packages.sh').read_text()
    assert 'pip3 list --format=freeze > "$constraints"' in script
    assert re.search(r'^pip3 install .*-r "\$requirements" -c "\$constraints"$', script, re.M)
    assert script.rstrip().endswith('pip3 check')


def test_the_stand_in_check_tells_additions_from_changes():
    lock = {'boto3': '1.26.60', 'urllib3': '1.26.20', 'setuptools': '70.0.0'}
    before = {**lock, 'pip': '23.0.1'}
    pgpq = {'pgpq': '0.9.0'}
    assert check_stand_in(lock, before, {**before, **pgpq}, pgpq) == []
    assert changes(before, {**before, **pgpq, 'urllib3': '2.8.0'})[1] == {'urllib3': ('1.26.20', '2.8.0')}
    upgraded = check_stand_in(lock, before, {**before, **pgpq, 'urllib3': '2.8.0'}, pgpq)
    assert len(upgraded) == 1 and 'urllib3' in upgraded[0]
    assert check_stand_in(lock, before, {**before, **pgpq, 'idna': '3.10'}, pgpq)  # an addition not pinned
    assert check_stand_in(lock, {**before, 'boto3': '1.40.0'}, {**before, 'boto3': '1.40.0', **pgpq}, pgpq)
    assert 'pip' in INSTALLERS and parse_pins('Jinja2==3.1.4  # via x\nsqlglot[rs]==30.22.0\n') == {
        'jinja2': '3.1.4', 'sqlglot': '30.22.0'}
    assert normalize('ruamel.yaml') == 'ruamel-yaml'


def uv_executable() -> str | None:
    """The dev venv's uv (requirements-dev.txt); the image stand-in's venv runs these tests without one of its own."""
    for candidate in (Path(sys.executable).parent / 'uv', REPO_ROOT / '.venv' / 'bin' / 'uv'):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which('uv')


@pytest.fixture(scope='module')
def uv() -> str:
    executable = uv_executable()
    if not executable:
        pytest.skip('uv is not installed (requirements-dev.txt pins it: make venv)')
    reason = registry_unreachable()
    if reason:
        pytest.skip(f'cannot resolve against the image\'s set: {reason}')
    return executable


@pytest.mark.parametrize('architecture', ARCHITECTURES)
def test_the_dockerfiles_additions_resolve_against_the_image_changing_nothing(uv, architecture, tmp_path):
    """What `pip3 install -r requirements-image.txt -c <the image's versions>` will pick, for CPython 3.10 (the
    image's) on bookworm's glibc: wheels only, as the Dockerfile installs them."""
    lock = read_pins(lock_path())
    constraints = tmp_path / 'image-constraints.txt'
    constraints.write_text(''.join(f'{name}=={version}\n' for name, version in lock.items()))
    result = subprocess.run(
        [uv, 'pip', 'compile', '--quiet', '--no-header', '--no-annotate', '--python-version', '3.10',
         '--python-platform', f'{architecture}-manylinux_2_36', '--only-binary', ':all:',
         '--constraint', str(constraints), str(IMAGE_REQUIREMENTS)],
        capture_output=True, text=True, timeout=300, env=UV_ENVIRONMENT, cwd=tmp_path)
    assert result.returncode == 0, f'manylinux {architecture}: {result.stderr[-3000:]}'
    resolved = parse_pins(result.stdout)
    added, changed, _ = changes(lock, resolved)
    assert not changed, f'these would change version in the image: {changed}'
    assert added == read_pins(IMAGE_REQUIREMENTS), f'the Dockerfile would add {added}: pin each in requirements-image.txt'
