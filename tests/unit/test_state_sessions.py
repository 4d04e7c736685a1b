"""The scheduler's tick outlives a lost state database and nothing else (nyc_taxi/mage/fixes/state_sessions.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devstack.paths import REPO_ROOT


def scheduler_tick(case: str, mage_data: Path) -> subprocess.CompletedProcess:
    """tests/unit/scheduler_tick.py in a process of its own: Mage's scheduler must not be imported into pytest's."""
    return subprocess.run([sys.executable, '-m', 'tests.unit.scheduler_tick', case], cwd=REPO_ROOT, text=True,
                          capture_output=True, timeout=120, env={**os.environ, 'MAGE_DATA_DIR': str(mage_data)})


def test_a_tick_without_the_state_database_is_skipped_saying_so(tmp_path):
    result = scheduler_tick('lost', tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Mage's state database has been unreachable for 0 s" in result.stdout and 'Connection refused' in result.stdout
    assert 'skips this tick' in result.stdout and 'the tick returned' in result.stdout


def test_any_other_error_of_a_tick_still_stops_the_scheduler(tmp_path):
    result = scheduler_tick('bug', tmp_path)
    assert result.returncode != 0 and 'ValueError: a bug' in result.stderr, result.stderr[-2000:]
    assert 'the tick returned' not in result.stdout


def test_installing_twice_wraps_once(tmp_path):
    result = scheduler_tick('twice', tmp_path)
    assert 'wrapped once: True' in result.stdout, result.stderr[-2000:]
