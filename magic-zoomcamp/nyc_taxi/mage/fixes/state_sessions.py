"""Mage keeps working when its state database restarts under it (state in PostgreSQL).

Mage's bug (0.9.80, mage_ai/orchestration/db/__init__.py, the process's one session): each Mage process talks to
its state through one SQLAlchemy session that holds its connection between queries. When the PostgreSQL server
restarts (`docker compose restart postgres`, a crash, a failover), the next query on that session fails with
OperationalError and leaves it in a failed transaction that nothing rolls back, so every later query of that
process fails too ("Can't reconnect until invalid transaction is rolled back"). Two places met it here:
- the web server: every call of the UI and the REST API failed until Mage itself restarted;
- a run's worker: its block had completed (a retry after the restart had loaded the month), then the update of the
  block run's status failed, the worker died, and the run was done over.
Here both first roll a failed session back, so the query goes out on a fresh connection (Mage's engine pings a
connection before handing it out).

The scheduler's queries roll back and retry at once (safe_db_query), which does not outlast a restart
of a few seconds: its tick then raises, and Mage's scheduler process, on its way out, stops the job
queue, which kills every running pipeline run; the restarted scheduler ran the month again from its
first block, and that run stalled after it (seen with the database away for 5 s). Here a tick that
finds the state database gone is skipped instead, and the next tick tries again, so the running
runs never learn of it.

Patched: mage_ai.api.views.execute_operation as mage_ai.server.api.v1 calls it (every call of the UI and the
REST API), BlockExecutor.__update_block_run_status, and TimeTrigger.run (the scheduler's tick).

Applies to: every pipeline, since they share Mage's state; a run itself is unchanged.

Canary: tests/canaries/test_state_sessions.py (stock Mage's session fails every query after its connection
to the state database was lost, until the process restarts).
"""
from __future__ import annotations

from typing import Any

from nyc_taxi.mage.fixes.guard import MageFix, Target

_LOST = ('OperationalError', 'PendingRollbackError', 'InternalError')


def install() -> None:
    _api_calls_recover()
    _block_run_updates_recover()
    _scheduler_ticks_survive()


def _lost_connection(error: BaseException) -> bool:
    return type(error).__module__.startswith('sqlalchemy') and type(error).__name__ in _LOST


def _usable_session() -> None:
    """Rolls the process's session back if its connection is gone, so its next query gets a fresh one."""
    from sqlalchemy import text

    from mage_ai.orchestration.db import db_connection

    if db_connection.session is None:
        return
    try:
        db_connection.session.execute(text('SELECT 1'))
    except Exception as error:  # noqa: BLE001
        if not _lost_connection(error):
            raise
        db_connection.session.rollback()


def _api_calls_recover() -> None:
    from mage_ai.server.api import v1

    mages_execute_operation = v1.execute_operation

    async def execute_operation(handler: Any, resource: str, **kwargs: Any) -> Any:
        from mage_ai.orchestration.db import db_connection

        try:
            return await mages_execute_operation(handler, resource, **kwargs)
        except Exception as error:
            if not _lost_connection(error):
                raise
            db_connection.session.rollback()
            return await mages_execute_operation(handler, resource, **kwargs)

    v1.execute_operation = execute_operation


def _block_run_updates_recover() -> None:
    from mage_ai.data_preparation.executors.block_executor import BlockExecutor

    mages_update = BlockExecutor._BlockExecutor__update_block_run_status

    def update_block_run_status(self: Any, *args: Any, **kwargs: Any) -> None:
        _usable_session()  # a block can run for minutes: the server may have restarted meanwhile
        mages_update(self, *args, **kwargs)

    BlockExecutor._BlockExecutor__update_block_run_status = update_block_run_status


def _scheduler_ticks_survive() -> None:
    from mage_ai.orchestration.triggers.time_trigger import TimeTrigger

    mages_run = TimeTrigger.run

    def run(self: Any) -> None:
        from mage_ai.orchestration.db import db_connection

        try:
            mages_run(self)
        except Exception as error:
            if not _lost_connection(error):
                raise
            if db_connection.session is not None:
                db_connection.session.rollback()
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            print(f"Mage's state database is unreachable ({first_line}); the scheduler skips this tick and "
                  'tries again at the next, leaving the running runs alone', flush=True)

    TimeTrigger.run = run


FIX = MageFix(
    name='state_sessions',
    bug="a process's session to Mage's state database fails every query once its connection was lost",
    applies_to="Mage's state, shared by every pipeline (a run itself is unchanged)",
    targets=(Target('mage_ai.server.api.v1', 'execute_operation', ('handler', 'resource', 'pk', 'child', 'child_pk')),
             Target('mage_ai.data_preparation.executors.block_executor',
                    'BlockExecutor._BlockExecutor__update_block_run_status',
                    ('self', 'status', 'block_run_id', 'callback_url', 'error_details', 'pipeline_run', 'tags')),
             Target('mage_ai.orchestration.triggers.time_trigger', 'TimeTrigger.run', ('self',))),
    install=install,
)
