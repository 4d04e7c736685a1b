"""`docker compose build` on the machines users have: every pin the Dockerfile installs comes as a wheel.

The image is `mageai/mageai` (FROM python:3.10-bookworm), built for linux/amd64 and, on Apple
Silicon, linux/arm64. Its `pip3 install --only-binary=:all: -r requirements-image.txt`
(image/add-packages.sh) must find a CPython 3.10 wheel of every pin for both: pgpq 0.12.0 has none for
aarch64, and building its sdist needs Rust, which the image lacks. pip itself answers, for the image's
interpreter and platforms, from the index it is configured with (no download of the wheels: `--dry-run`
reads their metadata). Skips when that index cannot be reached.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.paths import REPO_ROOT

IMAGE_PYTHON = '3.10'  # mageai/mageai:0.9.80 is built FROM python:3.10-bookworm
IMAGE_GLIBC_MINOR = 36  # Debian bookworm's glibc 2.36 runs manylinux_2_17 .. manylinux_2_36 wheels
ARCHITECTURES = ['x86_64', 'aarch64']  # docker's linux/amd64 and linux/arm64 (Apple Silicon)
PIP_TIMEOUT = ['--timeout', '20', '--retries', '1']


def image_pins() -> list[str]:
    """The pins the Dockerfile adds to the image: requirements-image.txt (test_image_packages.py keeps it right)."""
    pins = []
    for line in (REPO_ROOT / 'requirements-image.txt').read_text().splitlines():
        line = line.split('#')[0].strip()
        if line:
            pins.append(line)
    return pins


def pip_for_image(architecture: str, requirements: list[str], work_dir: Path, *options: str
                  ) -> tuple[subprocess.CompletedProcess, dict]:
    """`pip install --dry-run` as if on the image's Python for `architecture`, wheels only; returns pip's report."""
    platforms = [f'manylinux_2_{minor}_{architecture}' for minor in range(IMAGE_GLIBC_MINOR, 16, -1)]
    platforms.append(f'manylinux2014_{architecture}')
    report = work_dir / f'report-{architecture}.json'
    report.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, '-m', 'pip', 'install', '--dry-run', '--quiet', '--only-binary=:all:',
         '--target', str(work_dir / 'target'), '--python-version', IMAGE_PYTHON, '--implementation', 'cp',
         '--abi', 'cp' + IMAGE_PYTHON.replace('.', ''), *[option for platform in platforms
                                                          for option in ('--platform', platform)],
         '--report', str(report), *PIP_TIMEOUT, *options, *requirements],
        capture_output=True, text=True, timeout=600)
    return result, (json.loads(report.read_text()) if result.returncode == 0 else {})


def registry_unreachable(environment: dict[str, str] | None = None) -> str | None:
    """Why pip's configured index cannot be reached, or None when it answers."""
    result = subprocess.run([sys.executable, '-m', 'pip', 'index', 'versions', 'pip', *PIP_TIMEOUT],
                            capture_output=True, text=True, timeout=300, env=environment)
    if result.returncode == 0:
        return None
    errors = [line for line in (result.stderr + result.stdout).splitlines()
              if line.strip() and not line.startswith('WARNING: Location')]
    return f'pip could not reach its package index ({"; ".join(errors[-2:]) or "no answer"})'


@pytest.fixture(scope='module')
def registry() -> None:
    reason = registry_unreachable()
    if reason:
        pytest.skip(f'cannot check the image wheels: {reason}')


@pytest.mark.parametrize('architecture', ARCHITECTURES)
def test_every_pin_has_a_cp310_wheel_for_linux(registry, architecture, tmp_path):
    pins = image_pins()
    result, report = pip_for_image(architecture, pins, tmp_path, '--no-deps')
    if result.returncode != 0:
        # Name every pin without a wheel, not only the first pip stopped at.
        missing = [pin for pin in pins if pip_for_image(architecture, [pin], tmp_path, '--no-deps')[0].returncode]
        pytest.fail(f'No CPython {IMAGE_PYTHON} wheel for manylinux {architecture} (docker compose build would '
                    f'compile them, and the image has no compilers): {", ".join(missing) or result.stderr[-2000:]}')
    chosen = {item['metadata']['name'].lower().replace('_', '-') for item in report['install']}
    assert {re.split(r'[=\[]', pin)[0].lower().replace('_', '-') for pin in pins} <= chosen
    assert all(item['download_info']['url'].endswith('.whl') for item in report['install'])


@pytest.mark.parametrize('architecture', ARCHITECTURES)
def test_what_the_pins_depend_on_comes_as_wheels_too(registry, architecture, tmp_path):
    """Their dependencies as pip resolves them without the image's versions (resolved against those:
    test_image_packages.py; installed with them: `make image-venv`)."""
    result, report = pip_for_image(architecture, image_pins(), tmp_path)
    errors = [line for line in result.stderr.splitlines() if line.startswith('ERROR')]
    assert result.returncode == 0, f'manylinux {architecture}: {" ".join(errors)[-2000:]}'
    assert all(item['download_info']['url'].endswith('.whl') for item in report['install'])


def test_an_unreachable_index_is_told_apart(tmp_path):
    """What makes the tests above skip: a closed port on this machine stands for a registry out of reach."""
    environment = {**os.environ, 'PIP_INDEX_URL': 'http://127.0.0.1:9/simple', 'PIP_EXTRA_INDEX_URL': '',
                   'PIP_FIND_LINKS': '', 'PIP_CONFIG_FILE': os.devnull, 'PIP_RETRIES': '0'}
    assert registry_unreachable(environment)
