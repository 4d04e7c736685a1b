"""How many pipeline runs Mage's scheduler executes at once: PIPELINE_RUNS_AT_ONCE.

The project's metadata.yaml passes the setting to Mage's process queue (`queue_config.concurrency`),
which bounds triggers, backfills and Run@once alike, across pipelines; the other runs wait in the
queue (shown as running) and start as soon as a slot frees. Mage reads a value that is not a number
as its own default of 20 runs, after a traceback: the project's `start` refuses it instead.
"""
from __future__ import annotations

from collections.abc import Mapping

SETTING = 'PIPELINE_RUNS_AT_ONCE'


def pipeline_runs_at_once(env: Mapping[str, str]) -> int | None:
    """The setting as a number, None when unset or empty (metadata.yaml's default applies)."""
    value = (env.get(SETTING) or '').strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f'{SETTING}={value!r} in .env (or the environment): how many pipeline runs execute at '
                         'once must be a whole number of at least 1, e.g. 2')
    return int(value)
