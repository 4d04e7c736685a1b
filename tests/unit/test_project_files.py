"""Static checks of what cannot run here (no Docker engine) and of Mage wiring traps."""
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from devstack.env_file import read_env_file
from devstack.paths import PROJECT_DIR, REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / 'docker-compose.yml').read_text())
DEV_ENV = read_env_file(REPO_ROOT / 'dev.env')
SEED_VARIABLES = {
    'PROJECT_NAME': 'magic-zoomcamp', 'POSTGRES_DBNAME': 'postgres', 'POSTGRES_SCHEMA': 'magic',
    'POSTGRES_USER': 'postgres', 'POSTGRES_PASSWORD': 'postgres', 'POSTGRES_HOST': 'postgres',
    'POSTGRES_PORT': '5432',
}


def test_dev_env_holds_the_seed_variables_each_commented():
    assert SEED_VARIABLES.items() <= DEV_ENV.items()
    lines = (REPO_ROOT / 'dev.env').read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r'[A-Z_]+=', line):
            assert lines[index - 1].startswith('#'), f'dev.env: {line} has no comment above it'


def test_every_compose_variable_is_defined_in_dev_env():
    used = set(re.findall(r'\$\{(\w+)', (REPO_ROOT / 'docker-compose.yml').read_text()))
    assert used and used <= DEV_ENV.keys(), used - DEV_ENV.keys()


def test_compose_runs_mage_and_a_healthy_postgres():
    magic, postgres = COMPOSE['services']['magic'], COMPOSE['services']['postgres']
    assert magic['command'] == 'python -m nyc_taxi.mage.cli start ${PROJECT_NAME}'
    assert '127.0.0.1:6789:6789' in magic['ports']
    assert magic['depends_on']['postgres']['condition'] == 'service_healthy'
    assert '.env' in magic['env_file']
    assert 'pg_isready' in ' '.join(postgres['healthcheck']['test'])
    assert not postgres['image'].endswith(':latest') and ':' in postgres['image']
    volume = postgres['volumes'][0].split(':')[0]
    assert volume in COMPOSE['volumes'], 'Postgres data must live in a named volume'
    assert all(port.startswith('127.0.0.1:') for port in postgres['ports'])


def test_google_key_is_mounted_read_only_from_outside_git():
    mounts = COMPOSE['services']['magic']['volumes']
    (key_mount,) = [mount for mount in mounts if mount.startswith('${GOOGLE_KEYS_DIR:-')]
    assert key_mount.endswith(':ro')
    default, container_dir = re.fullmatch(r'\$\{GOOGLE_KEYS_DIR:-([^}]+)\}:([^:]+):ro', key_mount).groups()
    assert default == DEV_ENV['GOOGLE_KEYS_DIR']
    assert DEV_ENV['GOOGLE_SERVICE_ACC_KEY_FILEPATH'].startswith(container_dir + '/')
    assert DEV_ENV['GOOGLE_APPLICATION_CREDENTIALS'] == DEV_ENV['GOOGLE_SERVICE_ACC_KEY_FILEPATH']
    key = Path(DEV_ENV['GOOGLE_KEYS_DIR']) / Path(DEV_ENV['GOOGLE_SERVICE_ACC_KEY_FILEPATH']).name
    assert subprocess.run(['git', 'check-ignore', '-q', str(key)], cwd=REPO_ROOT).returncode == 0


def test_the_keys_directory_comes_with_the_repo_holding_only_its_readme():
    """A fresh clone has ./keys, so the key mount works without GCP; nothing else in it can be tracked."""
    tracked = subprocess.run(['git', 'ls-files', DEV_ENV['GOOGLE_KEYS_DIR']], cwd=REPO_ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    assert tracked == ['keys/README.md']
    for name in ('keys/service-account.json', 'keys/other.json', 'keys/sub/key.pem', 'keys/.env'):
        assert subprocess.run(['git', 'check-ignore', '-q', name], cwd=REPO_ROOT).returncode == 0, name


def test_dockerfile_pins_the_mage_image_and_installs_requirements():
    dockerfile = (REPO_ROOT / 'Dockerfile').read_text()
    (image,) = re.findall(r'^FROM (\S+)', dockerfile, re.M)
    assert image.startswith('mageai/mageai:') and not image.endswith(':latest')
    # What the image lacks, not requirements.txt (test_image_packages.py).
    assert 'COPY requirements-image.txt' in dockerfile


def test_requirements_are_pinned():
    for name in ('requirements.txt', 'requirements-dev.txt', 'constraints.txt', 'requirements-emulators.txt',
                 'requirements-image.txt'):
        for line in (REPO_ROOT / name).read_text().splitlines():
            if line.strip() and not line.startswith('#'):
                assert '==' in line, f'{name}: {line} is not pinned'


def test_io_config_takes_every_value_from_the_environment_and_dev_env_documents_it():
    profiles = yaml.safe_load((PROJECT_DIR / 'io_config.yaml').read_text())
    assert {'POSTGRES_CONNECT_TIMEOUT', 'POSTGRES_DBNAME', 'POSTGRES_SCHEMA', 'POSTGRES_USER', 'POSTGRES_PASSWORD',
            'POSTGRES_HOST', 'POSTGRES_PORT'} <= profiles['dev'].keys()
    assert {'GOOGLE_SERVICE_ACC_KEY_FILEPATH', 'GOOGLE_LOCATION', 'GCS_BUCKET'} <= profiles['default'].keys()
    for profile in profiles.values():
        if isinstance(profile, dict):
            for key, value in profile.items():
                # Unset, a key file path renders as text naming it (Mage's classes open it as a file name).
                assert value in ("{{ env_var('%s') }}" % key, "{{ env_var('%s') or '(unset: set %s to a "
                                 "service-account key file)' }}" % (key, key)), f'io_config.yaml {key} is not from env_var'
                assert key in DEV_ENV, f'dev.env does not document {key}'


def pipeline_files():
    return sorted((PROJECT_DIR / 'pipelines').glob('*/metadata.yaml'))


@pytest.mark.parametrize('metadata', pipeline_files(), ids=lambda path: path.parent.name)
def test_pipeline_blocks_are_wired_both_ways_and_exist(metadata: Path):
    pipeline = yaml.safe_load(metadata.read_text())
    blocks = {block['uuid']: block for block in pipeline['blocks']}
    folders = {'data_loader': 'data_loaders', 'transformer': 'transformers', 'data_exporter': 'data_exporters'}
    for uuid, block in blocks.items():
        suffix = '.sql' if block.get('language') == 'sql' else '.py'
        assert (PROJECT_DIR / folders[block['type']] / f'{uuid}{suffix}').exists(), uuid
        for upstream in block.get('upstream_blocks') or []:
            assert uuid in blocks[upstream]['downstream_blocks'], f'{upstream} must list {uuid} downstream'
        for downstream in block.get('downstream_blocks') or []:
            assert uuid in blocks[downstream]['upstream_blocks']
    assert 'variables_dir' not in pipeline


@pytest.mark.parametrize('metadata', pipeline_files(), ids=lambda path: path.parent.name)
def test_scheduled_runs_execute_the_pipeline_as_one_job(metadata: Path):
    """Block by block, Mage 0.9.80's scheduler enqueues each block as its own job, and its process queue
    can lose a job enqueued while the idle worker pool exits: the run then stays "running" forever
    (seen in a UI run-once: block 2 enqueued, never started). One job per run has no such gap."""
    assert yaml.safe_load(metadata.read_text())['run_pipeline_in_one_process'] is True


@pytest.mark.parametrize('block', sorted(PROJECT_DIR.glob('data_*/*.py')) + sorted(PROJECT_DIR.glob('transformers/*.py')),
                         ids=lambda path: path.stem)
def test_blocks_log_under_their_own_name(block: Path):
    """Mage's kwargs['block_uuid'] can name a sibling block run at the same time (see nyc_taxi.logs)."""
    calls = re.findall(r'block_logger\(kwargs, \'(\w+)\'\)', block.read_text())
    assert 'block_logger(kwargs)' not in block.read_text()
    assert set(calls) <= {block.stem}, f'{block.name} logs as {calls}'


@pytest.mark.parametrize('triggers', sorted((PROJECT_DIR / 'pipelines').glob('*/triggers.yaml')),
                         ids=lambda path: path.parent.name)
def test_trigger_start_times_are_unquoted_timestamps(triggers: Path):
    for trigger in yaml.safe_load(triggers.read_text())['triggers']:
        assert not isinstance(trigger.get('start_time'), str), trigger['name']


def test_no_telemetry():
    assert yaml.safe_load((PROJECT_DIR / 'metadata.yaml').read_text())['help_improve_mage'] is False
