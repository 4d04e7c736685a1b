"""docker-compose.yml as a real compose implementation reads it: Debian's docker-compose (1.29) renders it
without a Docker engine (`make docker-compose` installs it; without it these tests skip, saying why).

The project is laid out as a fresh clone would be (the tracked files only, so no keys/ key, no .env),
then `cp dev.env .env && docker-compose config`: what `docker compose up` would run.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from devstack.env_file import read_env_file
from devstack.mage import MEMORY_SETTINGS
from devstack.paths import REPO_ROOT

DEV_ENV = read_env_file(REPO_ROOT / 'dev.env')


@pytest.fixture(scope='module')
def docker_compose() -> str:
    executable = shutil.which('docker-compose')
    if not executable:
        pytest.skip('docker-compose is not installed: `make docker-compose` installs Debian\'s (apt-get, as root)')
    return executable


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    """The working tree's tracked files (and new ones not ignored), nothing git-ignored."""
    names = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard'], cwd=REPO_ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for name in names:
        source = REPO_ROOT / name
        if source.is_file():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    shutil.copy(tmp_path / 'dev.env', tmp_path / '.env')
    return tmp_path


def compose_config(docker_compose: str, project: Path) -> dict:
    result = subprocess.run([docker_compose, 'config'], cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_renders_the_seed_path(docker_compose, fresh_clone):
    config = compose_config(docker_compose, fresh_clone)
    magic, postgres = config['services']['magic'], config['services']['postgres']
    assert magic['build']['context'] == str(fresh_clone)
    assert magic['command'] == f'python -m nyc_taxi.mage.cli start {DEV_ENV["PROJECT_NAME"]}'
    assert magic['depends_on']['postgres']['condition'] == 'service_healthy'
    # Mage gets every setting of .env, and reaches the compose Postgres by its service name.
    assert {key: str(value) for key, value in magic['environment'].items() if key in DEV_ENV} == DEV_ENV
    assert (magic['environment']['POSTGRES_HOST'], str(magic['environment']['POSTGRES_PORT'])) == ('postgres', '5432')
    assert 'host.docker.internal:host-gateway' in magic['extra_hosts']
    for service in (magic, postgres):
        assert all(port.startswith('127.0.0.1:') for port in service['ports'])
    assert f'127.0.0.1:{DEV_ENV["POSTGRES_PUBLISHED_PORT"]}:5432/tcp' in postgres['ports']


def test_postgres_gets_only_the_settings_it_needs(docker_compose, fresh_clone):
    postgres = compose_config(docker_compose, fresh_clone)['services']['postgres']
    assert postgres['environment'] == {'POSTGRES_DB': DEV_ENV['POSTGRES_DBNAME'], 'POSTGRES_USER': DEV_ENV['POSTGRES_USER'],
                                       'POSTGRES_PASSWORD': DEV_ENV['POSTGRES_PASSWORD']}
    assert 'env_file' not in postgres


def test_mage_keeps_its_state_in_a_database_of_its_own_on_the_postgres_service(docker_compose, fresh_clone):
    from sqlalchemy.engine import make_url

    from nyc_taxi.mage.state_database import SETTING, STATE_DBNAME, configured_state_url, state_url_from_parts

    magic = compose_config(docker_compose, fresh_clone)['services']['magic']
    assert SETTING not in magic['environment']  # built by the start, escaped
    url = configured_state_url(state_url_from_parts(magic['environment']))
    assert url == make_url(f'postgresql+psycopg2://{DEV_ENV["POSTGRES_USER"]}:{DEV_ENV["POSTGRES_PASSWORD"]}'
                           f'@postgres:5432/{STATE_DBNAME}')
    assert STATE_DBNAME != DEV_ENV['POSTGRES_DBNAME']
    # Created by the project's start (nyc_taxi.mage.state_database) when missing: on a new volume and an old one.
    assert magic['command'].startswith('python -m nyc_taxi.mage.cli start ')


@pytest.mark.parametrize('keys_setting', ['from dev.env', 'removed from .env'])
def test_the_key_mount_needs_no_gcp(docker_compose, fresh_clone, keys_setting):
    """Its source exists in a fresh clone (keys/README.md), whether .env names it or not."""
    if keys_setting == 'removed from .env':
        env = fresh_clone / '.env'
        env.write_text(''.join(line for line in env.read_text().splitlines(keepends=True)
                               if not line.startswith('GOOGLE_KEYS_DIR=')))
    volumes = compose_config(docker_compose, fresh_clone)['services']['magic']['volumes']
    (key_mount,) = [volume for volume in volumes if ':/run/secrets/gcp:' in volume]
    source, _, mode = key_mount.split(':')
    assert (source, mode) == (str(fresh_clone / 'keys'), 'ro')
    assert Path(source).is_dir()


def test_the_build_context_holds_what_the_dockerfile_copies_and_no_secret(docker_compose, fresh_clone):
    """The files docker-compose's own library (docker-py, with .dockerignore) would send to the builder."""
    (fresh_clone / 'keys' / 'service-account.json').write_text('{}')
    (fresh_clone / '.venv' / 'lib').mkdir(parents=True)
    interpreter = Path(docker_compose).read_text(errors='replace').splitlines()[0].removeprefix('#!').split()
    script = ('import sys; from docker.utils.build import exclude_paths; '
              'patterns = [line.strip() for line in open(".dockerignore") if line.strip() and not line.startswith("#")]; '
              'print("\\n".join(sorted(exclude_paths(".", patterns))))')
    result = subprocess.run([*interpreter, '-c', script], cwd=fresh_clone, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    context = {path for path in result.stdout.splitlines() if (fresh_clone / path).is_file()}
    copied = []
    for line in (REPO_ROOT / 'Dockerfile').read_text().splitlines():
        if line.startswith('COPY '):
            copied.extend(line.split()[1:-1])
    for source in copied:
        assert any(path == source or path.startswith(source.rstrip('/') + '/') for path in context), source
    assert not {'.env', 'dev.env', 'keys/service-account.json', 'keys/README.md'} & context
    assert not [path for path in context if path.startswith(('.venv', '.local', 'mage_data', 'tests', 'docs'))]


def test_the_image_allocates_as_make_and_the_tests_do():
    """The Dockerfile's ENV carries devstack's MEMORY_SETTINGS, so `docker compose up` runs what was measured."""
    image_env = {}
    for line in (REPO_ROOT / 'Dockerfile').read_text().splitlines():
        if line.startswith('ENV '):
            image_env.update(pair.split('=', 1) for pair in line.split()[1:] if '=' in pair)
    assert {name: image_env.get(name) for name in MEMORY_SETTINGS} == MEMORY_SETTINGS
    assert 'ARROW_DEFAULT_MEMORY_POOL' not in image_env  # pyarrow's default pool, in every wheel
