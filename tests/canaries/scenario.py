"""Runs a canary's scenario in a Python process of its own, on stock Mage or with the one fix installed.

`python -m tests.canaries.scenario FIX SCENARIO stock|fixed` imports tests/canaries/test_FIX.py, installs
nothing (stock) or that fix alone, through its guard (fixed), calls SCENARIO() and prints its JSON result
on the last line. A process of its own: pytest's may hold fixes that other tests installed, and Mage's
scheduler forks processes when it is imported.
"""
from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping

from devstack.paths import REPO_ROOT
from devstack.processes import run_in_own_session

RESULT_TAG = 'CANARY RESULT '


def run_scenario(fix: str, scenario: str, fixed: bool = False, env: Mapping[str, str] | None = None,
                 timeout_s: float = 300) -> Any:
    """SCENARIO's result; raises with the process's output when it did not finish."""
    with tempfile.TemporaryDirectory(prefix='canary_') as work:
        returncode, text = run_in_own_session(
            [sys.executable, '-m', 'tests.canaries.scenario', fix, scenario, 'fixed' if fixed else 'stock'],
            timeout_s, cwd=REPO_ROOT, env={**os.environ, 'MAGE_DATA_DIR': work, **(env or {})})
    results = [line for line in text.splitlines() if line.startswith(RESULT_TAG)]
    if returncode != 0 or not results:
        raise RuntimeError(f'{fix} {scenario} exited {returncode}:\n{text[-6000:]}')
    return json.JSONDecoder().raw_decode(results[-1][len(RESULT_TAG):])[0]


def main(fix: str, scenario: str, how: str) -> None:
    if how == 'fixed':
        from nyc_taxi.mage.fixes.guard import install_guarded

        installed = install_guarded((importlib.import_module(f'nyc_taxi.mage.fixes.{fix}').FIX,))
        assert installed == [fix], f'the fix {fix} did not install'
    result = getattr(importlib.import_module(f'tests.canaries.test_{fix}'), scenario)()
    # One write, a whole line: a scenario's thread left hanging (a silent SMTP host) prints its traceback to the
    # same pipe at exit, and print's two writes (the text, then the newline) let it in between.
    sys.stdout.write(f'{RESULT_TAG}{json.dumps(result, default=str)}\n')
    sys.stdout.flush()
    os._exit(0)  # Mage's forked helpers (its job queue's manager) would keep the process waiting


def project_copy() -> Path:
    """A copy of the project, which Mage is then pointed at: scenarios save pipelines and triggers into it."""
    from devstack.paths import PROJECT_DIR

    project = Path(tempfile.mkdtemp()) / PROJECT_DIR.name
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns('__pycache__'))
    from mage_ai.settings.repo import set_repo_path

    set_repo_path(str(project))
    return project


def mages_state() -> None:
    """Mage's state database (MAGE_DATA_DIR's sqlite, or MAGE_DATABASE_CONNECTION_URL's), migrated, as a start does."""
    from mage_ai.orchestration.db import db_connection
    from mage_ai.orchestration.db.database_manager import database_manager

    db_connection.start_session()
    database_manager.run_migrations()


def fix_can_go(fix: str) -> str:
    """What a canary says when stock Mage no longer shows the bug."""
    return (f'Stock Mage no longer shows the bug nyc_taxi/mage/fixes/{fix}.py fixes: if this is a new Mage, the fix '
            'can go (remove it from nyc_taxi.mage.fixes.FIXES and docs/mage-fixes.md); else the scenario broke')


if __name__ == '__main__':
    main(*sys.argv[1:4])
