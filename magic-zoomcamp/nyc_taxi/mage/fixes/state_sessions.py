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
runs never learn of it; the log says how long the database has been away, and after
nyc_taxi.mage.state_outage.ALERT_AFTER_S an alert goes out through the project's notification_config.

An API call runs once. A call whose connection was lost is run again only if it cannot have saved anything: a
read, or a write that had sent no commit yet (a connection lost while the server idled fails a call's first
query). A write that loses its connection after a commit was sent (a Run@once, a backfill's start, a trigger's
creation) may have been saved: it answers StateSaveUncertain, saying so, and is not run again. Mage alone would:
its safe_db_query around every resource's create runs the create again after a commit that failed, so a commit
lost during a write of the API raises StateSaveUncertain, which safe_db_query lets through.

Patched: mage_ai.api.views.execute_operation as mage_ai.server.api.v1 calls it (every call of the UI and the
REST API), SessionWithCaching.commit (Mage's session; changed only within a write of the API),
BlockExecutor.__update_block_run_status, and TimeTrigger.run (the scheduler's tick).

Applies to: every pipeline, since they share Mage's state; a run itself is unchanged.

Canary: tests/canaries/test_state_sessions.py (stock Mage's session fails every query after its connection
to the state database was lost, until the process restarts; a create of the API whose commit was saved and its
connection then lost makes the trigger twice).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from nyc_taxi.error_lines import first_line
from nyc_taxi.mage.fixes.guard import MageFix, Target

_LOST = ('OperationalError', 'PendingRollbackError', 'InternalError')


def install() -> None:
    _commits_are_counted()
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


_READS = ('GET', 'HEAD', 'OPTIONS')
# The method of the UI's or REST API's call under way on this task, None outside one (the scheduler, a worker).
_api_method: ContextVar[str | None] = ContextVar('state_sessions_api_method', default=None)
_api_path: ContextVar[str] = ContextVar('state_sessions_api_path', default='')
_commits_attempted = 0


class StateSaveUncertain(Exception):
    """A write through Mage's API lost its state connection after a commit was sent: it may have been saved."""

    def __init__(self, method: str, path: str, error: BaseException) -> None:
        super().__init__(f"Mage's state database connection was lost during {method} {path} "
                         f'({first_line(error)}) after Mage had sent what it saves, so it may have been saved. It '
                         'was not done twice: reload the page to see whether it was, before doing it again.')


def _commits_are_counted() -> None:
    """Counts the commits this process sends; one lost during a write of the API is StateSaveUncertain, which
    Mage's safe_db_query (around every resource's create) does not catch, so it does not run the create again."""
    from mage_ai.orchestration.db.cache import SessionWithCaching

    mages_commit = SessionWithCaching.commit

    def commit(self: Any) -> None:
        global _commits_attempted
        _commits_attempted += 1
        try:
            mages_commit(self)
        except Exception as error:
            method = _api_method.get()
            if method is None or method in _READS or not _lost_connection(error):
                raise
            self.rollback()
            raise StateSaveUncertain(method, _api_path.get(), error) from error

    SessionWithCaching.commit = commit


@contextmanager
def api_call(method: str, path: str) -> Iterator[None]:
    """Marks what runs within as a call of the UI or the REST API (its method and path), for the commits in it."""
    method_token, path_token = _api_method.set(method), _api_path.set(path)
    try:
        yield
    finally:
        _api_method.reset(method_token)
        _api_path.reset(path_token)


def _api_calls_recover() -> None:
    from mage_ai.server.api import v1

    mages_execute_operation = v1.execute_operation

    async def execute_operation(handler: Any, resource: str, **kwargs: Any) -> Any:
        from mage_ai.orchestration.db import db_connection

        method, path = handler.request.method, handler.request.path
        commits_before = _commits_attempted
        with api_call(method, path):
            try:
                return await mages_execute_operation(handler, resource, **kwargs)
            except Exception as error:
                if not _lost_connection(error):
                    raise
                db_connection.session.rollback()
                if method not in _READS and _commits_attempted != commits_before:
                    raise StateSaveUncertain(method, path, error) from error
                # A read, or a write that sent no commit: nothing of it was saved, so running it again cannot
                # do it twice (a connection lost while the server idled fails a call's first query).
                return await mages_execute_operation(handler, resource, **kwargs)

    v1.execute_operation = execute_operation


def _block_run_updates_recover() -> None:
    from mage_ai.data_preparation.executors.block_executor import BlockExecutor

    mages_update = BlockExecutor._BlockExecutor__update_block_run_status

    def update_block_run_status(self: Any, *args: Any, **kwargs: Any) -> None:
        _usable_session()  # a block can run for minutes: the server may have restarted meanwhile
        mages_update(self, *args, **kwargs)

    BlockExecutor._BlockExecutor__update_block_run_status = update_block_run_status


def _alert_the_project(text: str) -> None:
    """Through the project's notification_config, as the alert of a failed run goes (nyc_taxi.mage.fixes.alerts)."""
    from mage_ai.data_preparation.repo_manager import get_repo_config
    from mage_ai.orchestration.notification.config import NotificationConfig
    from mage_ai.orchestration.notification.sender import NotificationSender

    config = NotificationConfig.load(config=get_repo_config().notification_config or {})
    NotificationSender(config).send(title="Mage's scheduler cannot reach its state database", summary=text)


def _scheduler_ticks_survive() -> None:
    import time

    from mage_ai.orchestration.triggers.time_trigger import TimeTrigger

    from nyc_taxi.mage.state_outage import StateOutage

    mages_run = TimeTrigger.run
    outage = StateOutage()

    def run(self: Any) -> None:
        from mage_ai.orchestration.db import db_connection

        try:
            mages_run(self)
        except Exception as error:
            if not _lost_connection(error):
                raise
            if db_connection.session is not None:
                db_connection.session.rollback()
            news = outage.tick_failed(time.monotonic(), error)
        else:
            news = outage.tick_passed(time.monotonic())
        if news.log_line:
            print(news.log_line, flush=True)
        if news.alert:
            print(news.alert, flush=True)
            try:
                _alert_the_project(news.alert)
            except Exception as error:  # noqa: BLE001 the alert is news, not the scheduler's work
                print(f'The alert of the outage was not sent: {type(error).__name__}: {error}', flush=True)

    TimeTrigger.run = run


FIX = MageFix(
    name='state_sessions',
    bug="a process's session to Mage's state database fails every query once its connection was lost",
    applies_to="Mage's state, shared by every pipeline (a run itself is unchanged)",
    targets=(Target('mage_ai.server.api.v1', 'execute_operation', ('handler', 'resource', 'pk', 'child', 'child_pk')),
             Target('mage_ai.data_preparation.executors.block_executor',
                    'BlockExecutor._BlockExecutor__update_block_run_status',
                    ('self', 'status', 'block_run_id', 'callback_url', 'error_details', 'pipeline_run', 'tags')),
             Target('mage_ai.orchestration.triggers.time_trigger', 'TimeTrigger.run', ('self',)),
             Target('mage_ai.orchestration.db.cache', 'SessionWithCaching.commit', ('self',))),
    install=install,
)
