"""Local Google Cloud emulators, run from their own venv (.venv-emulators: their pins clash with mage-ai's)."""
from __future__ import annotations

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


def start_gcs_emulator(port: int, bucket: str, log: Path, pid_file: Path | None = None) -> int:
    """An in-memory GCS emulator with `bucket` created. In memory because pyarrow writes directory
    marker objects, which crash the emulator's on-disk mode."""
    process = start_background(
        [emulator_command('gcp-storage-emulator'), 'start', '--host', '127.0.0.1', '--port', str(port),
         '--in-memory', '--default-bucket', bucket],
        log=log, pid_file=pid_file)
    wait_for_port(port, timeout_s=30, process=process, log=log)
    return process.pid


def gcs_settings(port: int, bucket: str = LOCAL_BUCKET) -> dict[str, str]:
    return {'GCS_BUCKET': bucket, 'STORAGE_EMULATOR_HOST': f'http://127.0.0.1:{port}', 'GCS_RETRY_SECONDS': '15'}
