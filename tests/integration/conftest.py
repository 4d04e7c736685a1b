"""The real local stack for integration tests, started and stopped here: a PostgreSQL cluster in a
temporary directory, an HTTP server for the generated files, and Mage run through its CLI."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import psycopg2
import pyarrow.fs as pafs
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery, storage

from devstack.emulator_key import ensure_emulator_key
from devstack.emulators import (LOCAL_BUCKET, LOCAL_PROJECT, bigquery_settings, gcs_settings,
                                start_bigquery_emulator, start_gcs_emulator)
from devstack.http_server import base_url, start_file_server
from devstack.mage import environment_with, run_pipeline, start_pipeline
from devstack.paths import REPO_ROOT
from devstack.postgres_cluster import PostgresCluster
from devstack.processes import free_port, stop_process_group
from devstack.sample_tlc_parquet import tlc_trip_data_url
from nyc_taxi.sources.month_source import TLC_URL_VARIABLE
from nyc_taxi.resources.gcs import GcsSettings
from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.staging.stream_sizes import CSV_BLOCK_BYTES, ROWS_PER_GROUP

pytestmark = pytest.mark.integration


@pytest.fixture(scope='session')
def postgres_cluster() -> Iterator[PostgresCluster]:
    # Not pytest's tmp_path: its directories are private to root, and the server runs as `postgres`.
    directory = Path(tempfile.mkdtemp(prefix='nyc_taxi_pg_'))
    directory.chmod(0o755)
    cluster = PostgresCluster(directory / 'cluster', free_port())
    cluster.start()
    yield cluster
    cluster.stop(mode='immediate')
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope='session')
def file_server(trip_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    pid = start_file_server(trip_data_dir, port, tmp_path_factory.mktemp('logs') / 'http.log')
    yield base_url(port)
    stop_process_group(pid)


@pytest.fixture(scope='session')
def gcs_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the GCS emulator keeps its objects as files: BigQuery's emulator loads gs:// URIs from here."""
    return tmp_path_factory.mktemp('gcs')


@pytest.fixture(scope='session')
def gcs_emulator(gcs_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The GCS emulator's settings (bucket, endpoint), as `make up` writes them."""
    port = free_port()
    pid = start_gcs_emulator(port, LOCAL_BUCKET, gcs_root, tmp_path_factory.mktemp('logs') / 'gcs.log')
    yield gcs_settings(port)
    stop_process_group(pid)


@pytest.fixture(scope='session')
def new_bucket(gcs_emulator: dict[str, str]) -> Callable[[str], str]:
    """Creates a bucket of the given name in the emulator: tests that must not see each other's objects."""
    client = storage.Client(project='local', credentials=AnonymousCredentials(),
                            client_options={'api_endpoint': gcs_emulator['STORAGE_EMULATOR_HOST']})

    def create(name: str) -> str:
        client.create_bucket(name)
        return name

    return create


@pytest.fixture(scope='session')
def gcs_filesystem(gcs_emulator: dict[str, str]) -> pafs.GcsFileSystem:
    return GcsSettings.from_io_config(gcs_emulator).filesystem()


@pytest.fixture(scope='session')
def bigquery_emulator(gcs_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    port = free_port()
    work_dir = tmp_path_factory.mktemp('bigquery')
    pid = start_bigquery_emulator(port, free_port(), work_dir, gcs_root, work_dir / 'bigquery.log')
    yield bigquery_settings(port)
    stop_process_group(pid)


@pytest.fixture(scope='session')
def bq(bigquery_emulator: dict[str, str]) -> bigquery.Client:
    """The official client, on the emulator as the pipelines' io_config profile reaches it."""
    return BigQuerySettings.from_io_config(bigquery_emulator).client()


@pytest.fixture(scope='session')
def stack_settings(postgres_cluster: PostgresCluster, file_server: str, gcs_emulator: dict[str, str],
                   bigquery_emulator: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # Small pieces: the tests' 3,000-row months go through every stream in many batches and row groups,
    # so every target is checked against the whole-frame reference (tests/integration/expected.py) batched.
    stream_sizes = {CSV_BLOCK_BYTES: str(16 << 10), ROWS_PER_GROUP: '500'}
    return {**postgres_cluster.settings(db_schema='magic'), 'TAXI_DATA_BASE_URL': file_server,
            TLC_URL_VARIABLE: tlc_trip_data_url(file_server),  # {file_server}/trip-data
            **gcs_emulator, **bigquery_emulator, **stream_sizes,
            # As `make up` writes it: Mage's own GCS class (the seed's check) needs a key file.
            'GOOGLE_SERVICE_ACC_KEY_FILEPATH': str(ensure_emulator_key(tmp_path_factory.mktemp('keys') / 'key.json',
                                                                       LOCAL_PROJECT))}


@pytest.fixture(scope='session')
def mage_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp('mage_data')


MageRun = Callable[..., subprocess.CompletedProcess]


@pytest.fixture(scope='session')
def mage_run(stack_settings: dict[str, str], mage_data_dir: Path) -> MageRun:
    """Runs a pipeline with `mage run` against the stack; keyword arguments override settings."""

    def run(pipeline: str, variables: Mapping[str, Any] | None = None, **overrides: str
            ) -> subprocess.CompletedProcess:
        env = environment_with({**stack_settings, **overrides})
        result = run_pipeline(pipeline, variables or {}, env, mage_data_dir, capture=True, timeout_s=300)
        result.output = result.stdout + result.stderr
        return result

    return run


@pytest.fixture(scope='session')
def mage_start(stack_settings: dict[str, str], mage_data_dir: Path) -> Callable[..., subprocess.Popen]:
    """Starts a pipeline with `mage run` in the background (its own process group); returns the Popen."""

    def start(pipeline: str, variables: Mapping[str, Any] | None = None, own_mage_data: Path | None = None,
              **overrides: str) -> subprocess.Popen:
        return start_pipeline(pipeline, variables or {}, environment_with({**stack_settings, **overrides}),
                              own_mage_data or mage_data_dir)

    return start


@pytest.fixture(scope='session')
def devstack_cli(stack_settings: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> MageRun:
    """Runs `python -m devstack ...` against the test stack (its own STACK_DIR, so its own Mage data)."""
    stack_dir = tmp_path_factory.mktemp('stack')

    def run(*args: str, **overrides: str) -> subprocess.CompletedProcess:
        env = environment_with({**stack_settings, 'STACK_DIR': str(stack_dir), **overrides})
        result = subprocess.run([sys.executable, '-m', 'devstack', *args], env=env, capture_output=True, text=True,
                                timeout=600, cwd=REPO_ROOT)
        result.output = result.stdout + result.stderr
        return result

    return run


@pytest.fixture
def db(postgres_cluster: PostgresCluster) -> Iterator[psycopg2.extensions.connection]:
    connection = psycopg2.connect(host='127.0.0.1', port=postgres_cluster.port, user=postgres_cluster.user,
                                  password=postgres_cluster.password, dbname=postgres_cluster.dbname)
    connection.autocommit = True
    with closing(connection):
        yield connection

