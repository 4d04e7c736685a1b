"""`make ui` (python -m devstack ui): Mage's UI in the foreground, stopped whole by Ctrl-C or `make down`."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devstack.mage import environment_with
from devstack.paths import PROJECT_DIR, REPO_ROOT
from devstack.processes import free_port, stop_from_pid_file, stop_process_group, wait_for_http

pytestmark = pytest.mark.integration


def _start_ui(tmp_path: Path) -> tuple[subprocess.Popen, int, Path]:
    """As a terminal starts it: SIGINT at its default (a shell's background job would ignore it)."""
    project = tmp_path / PROJECT_DIR.name  # a copy: Mage's scheduler rewrites triggers.yaml
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns('__pycache__'))
    port = free_port()
    with open(tmp_path / 'ui.log', 'w') as log:
        process = subprocess.Popen(
            [sys.executable, '-m', 'devstack', 'ui', '--port', str(port), '--project', str(project)],
            cwd=REPO_ROOT, env=environment_with({'STACK_DIR': str(tmp_path / 'stack')}), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for_http(f'http://127.0.0.1:{port}/api/status', timeout_s=120, process=process, log=tmp_path / 'ui.log')
    except (RuntimeError, TimeoutError) as error:
        stop_process_group(process.pid)
        pytest.fail(f'make ui did not answer: {error}')
    return process, port, tmp_path / 'stack' / 'pids' / 'mage.pid'


def _processes_in_group(pgid: int) -> list[int]:
    pids = []
    for entry in Path('/proc').iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
            except ProcessLookupError:
                pass
    return pids


def _assert_all_stopped(process: subprocess.Popen, mage_pid: int, port: int, log: Path) -> None:
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stop_process_group(process.pid)
        stop_process_group(mage_pid)
        pytest.fail(f'make ui still running a minute after it was told to stop: {log.read_text()[-3000:]}')
    assert process.returncode == 0 and 'Mage stopped.' in log.read_text()
    deadline = time.monotonic() + 10
    while _processes_in_group(mage_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_in_group(mage_pid) == [], "Mage's server, scheduler or workers outlived make ui"
    with socket.socket() as probe:
        assert probe.connect_ex(('127.0.0.1', port)) != 0, f'something still listens on port {port}'


def test_ctrl_c_stops_mage_and_its_scheduler(tmp_path):
    process, port, pid_file = _start_ui(tmp_path)
    mage_pid = int(pid_file.read_text())
    # A terminal's Ctrl-C: SIGINT to its foreground process group, where make and devstack are.
    os.killpg(process.pid, signal.SIGINT)
    _assert_all_stopped(process, mage_pid, port, tmp_path / 'ui.log')
    assert not pid_file.exists()


def test_make_down_stops_the_ui_through_its_pid_file(tmp_path):
    process, port, pid_file = _start_ui(tmp_path)
    mage_pid = int(pid_file.read_text())
    assert stop_from_pid_file(pid_file)  # what `python -m devstack down` does for each service
    _assert_all_stopped(process, mage_pid, port, tmp_path / 'ui.log')
