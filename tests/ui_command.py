"""Starts what `make ui` runs (python -m devstack ui) on a copy of the project, for the tests that use the UI."""
from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pytest

from devstack.mage import environment_with
from devstack.paths import REPO_ROOT
from devstack.processes import free_port, stop_process_group, wait_for_http
from tests.project_clone import clone_project


@dataclass(frozen=True)
class RunningUi:
    process: subprocess.Popen
    port: int
    log: Path
    pid_file: Path  # Mage's own process group, as `make down` finds it
    clone: Path  # the git repository holding the project's copy (tests/project_clone.py)

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'


def start_ui(work: Path, settings: Mapping[str, str]) -> RunningUi:
    """In `work`: the project copy (Mage's scheduler rewrites triggers.yaml), STACK_DIR and the log.

    Started as a terminal starts it, SIGINT at its default: a shell's background job would ignore it.
    Fails the test, with the log, if Mage does not answer within 2 minutes.
    """
    project = clone_project(work, also_ignored=('/stack/', '/ui.log'))
    port = free_port()
    log = work / 'ui.log'
    with open(log, 'w') as out:
        process = subprocess.Popen(
            [sys.executable, '-m', 'devstack', 'ui', '--port', str(port), '--project', str(project)],
            cwd=REPO_ROOT, env=environment_with({**settings, 'STACK_DIR': str(work / 'stack')}), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    ui = RunningUi(process, port, log, work / 'stack' / 'pids' / 'mage.pid', work)
    try:
        wait_for_http(f'{ui.url}/api/status', timeout_s=120, process=process, log=log)
    except (RuntimeError, TimeoutError) as error:
        stop_process_group(process.pid)
        pytest.fail(f'make ui did not answer: {error}')
    return ui
