"""The project's fixes to Mage 0.9.80, one module per fix, apart from the code the blocks call.

Each module's docstring gives Mage's bug (file, function), the fix, which pipelines it applies to, and its
canary test (tests/canaries/test_<name>.py), which runs the bug's scenario on stock Mage and expects the bug:
the day a Mage release fixes it, the canary fails and says the fix can go. Each module's FIX declares what of
Mage it replaces; nyc_taxi.mage.fixes.guard installs it only into the Mage it was written for, and Mage runs
stock for it elsewhere, saying so. docs/mage-fixes.md has the table.
"""
from __future__ import annotations

from nyc_taxi.mage.fixes import (alerts, crashed_runs, editor_secrets, kernel_usage, pipeline_files, retries,
                                 run_errors, state_sessions, trigger_files, worker_pool)
from nyc_taxi.mage.fixes.guard import MageFix, install_guarded

FIXES: tuple[MageFix, ...] = (
    worker_pool.FIX, pipeline_files.FIX, trigger_files.FIX, editor_secrets.FIX, alerts.FIX, crashed_runs.FIX,
    retries.FIX, state_sessions.FIX, kernel_usage.FIX, run_errors.FIX,
)


def install_fixes() -> list[str]:
    """Every fix that fits this Mage, into this process and the processes it forks (the editor's kernel
    installs its own); the names of those installed."""
    return install_guarded(FIXES)
