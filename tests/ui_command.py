"""Starts what `make ui` runs (python -m devstack ui) on a copy of the project, for the tests that use the UI."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pytest

from devstack.mage import environment_with
from devstack.paths import PROJECT_DIR, REPO_ROOT
from devstack.processes import free_port, stop_process_group, wait_for_http


@dataclass(frozen=True)
class RunningUi:
    process: subprocess.Popen
    port: int
    log: Path
    pid_file: Path  # Mage's own process group, as `make down` finds it
    clone: Path  # the project's copy, a git repository

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'


def start_ui(work: Path, settings: Mapping[str, str]) -> RunningUi:
    """In `work`: the project copy (Mage's scheduler rewrites triggers.yaml), STACK_DIR and the log.

    Started as a terminal starts it, SIGINT at its default: a shell's background job would ignore it.
    Fails the test, with the log, if Mage does not answer within 2 minutes.
    """
    project = work / PROJECT_DIR.name
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns('__pycache__'))
    # A repository of its own, as a user's clone is: what the UI writes into the project shows in `git status`.
    shutil.copy(REPO_ROOT / '.gitignore', work / '.gitignore')
    (work / '.gitignore').write_text((work / '.gitignore').read_text() + '/stack/\n/ui.log\n')
    for command in (['init', '-q'], ['add', '-A'], ['-c', 'user.name=ui', '-c', 'user.email=ui@localhost', 'commit',
                                                     '-qm', 'a clone']):
        subprocess.run(['git', *command], cwd=work, check=True, capture_output=True)
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
