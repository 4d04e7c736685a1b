"""The project's fixes to Mage 0.9.80, one module per fix, apart from the code the blocks call.

Each module's docstring gives Mage's bug (file, function), the fix, which pipelines it applies to, and its
canary test (tests/canaries/test_<name>.py), which runs the bug's scenario on stock Mage and expects the bug:
the day a Mage release fixes it, the canary fails and says the fix can go. Each module's FIX declares what of
Mage it replaces; nyc_taxi.mage.fixes.guard installs it only into the Mage it was written for, and Mage runs
stock for it elsewhere, saying so. docs/mage-fixes.md has the table.
"""
from __future__ import annotations

from nyc_taxi.mage.fixes import (alerts, blocks_of_yours, crashed_runs, editor_secrets, kernel_usage,
                                 pipeline_files, retries, run_errors, state_sessions, trigger_files, worker_pool)
from nyc_taxi.mage.fixes.guard import MageFix, install_guarded

FIXES: tuple[MageFix, ...] = (
    worker_pool.FIX, pipeline_files.FIX, trigger_files.FIX, editor_secrets.FIX, alerts.FIX, crashed_runs.FIX,
    retries.FIX, state_sessions.FIX, kernel_usage.FIX, run_errors.FIX, blocks_of_yours.FIX,
)


# What a `mage run` (one pipeline, in this process, no server, no scheduler) needs: the others fix the server,
# its scheduler and the editor, and installing them would import Mage's scheduler, whose job queue forks a
# manager process.
RUN_FIXES: tuple[MageFix, ...] = (run_errors.FIX, blocks_of_yours.FIX)


def install_fixes(command: str | None = None) -> list[str]:
    """Every fix that fits this Mage (for `mage run`, those of RUN_FIXES), into this process and the processes it
    forks (the editor's kernel installs its own); the names of those installed."""
    return install_guarded(RUN_FIXES if command == 'run' else FIXES)
