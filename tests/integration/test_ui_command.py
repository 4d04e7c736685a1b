"""`make ui` (python -m devstack ui): Mage's UI in the foreground, stopped whole by Ctrl-C or `make down`."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from devstack.processes import stop_from_pid_file, stop_process_group
from tests.ui_command import start_ui

pytestmark = pytest.mark.integration


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
    ui = start_ui(tmp_path, {})
    mage_pid = int(ui.pid_file.read_text())
    # A terminal's Ctrl-C: SIGINT to its foreground process group, where make and devstack are.
    os.killpg(ui.process.pid, signal.SIGINT)
    _assert_all_stopped(ui.process, mage_pid, ui.port, ui.log)
    assert not ui.pid_file.exists()


def test_make_down_stops_the_ui_through_its_pid_file(tmp_path):
    ui = start_ui(tmp_path, {})
    mage_pid = int(ui.pid_file.read_text())
    assert stop_from_pid_file(ui.pid_file)  # what `python -m devstack down` does for each service
    _assert_all_stopped(ui.process, mage_pid, ui.port, ui.log)
