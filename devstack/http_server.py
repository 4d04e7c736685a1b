"""Serving generated trip files over local HTTP, under the same path layout as the public release."""
from __future__ import annotations

import sys
from pathlib import Path

from devstack.processes import start_background, wait_for_port


def start_file_server(directory: Path, port: int, log: Path, pid_file: Path | None = None) -> int:
    """Starts `python -m http.server` on 127.0.0.1:`port` for `directory`; returns its PID."""
    process = start_background(
        [sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory', str(directory)],
        log=log, pid_file=pid_file,
    )
    wait_for_port(port, timeout_s=15, process=process, log=log)
    return process.pid


def base_url(port: int) -> str:
    return f'http://127.0.0.1:{port}'
