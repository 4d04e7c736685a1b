"""A call to Mage's API runs once: a Run@once whose state connection is lost after its commit was sent exists once,
and the caller is told it may have been saved (nyc_taxi/mage/fixes/state_sessions.py)."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from typing import Iterator

import psycopg2
import pytest

from benchmarks.scheduled import MageServer
from tests.integration.pg import query
from tests.integration.waiting import wait_until

pytestmark = pytest.mark.integration
ONCE = 'run once while the state database goes'


@pytest.fixture
def admin(postgres_cluster) -> Iterator:
    connection = psycopg2.connect(host='127.0.0.1', port=postgres_cluster.port, user=postgres_cluster.user,
                                  password=postgres_cluster.password, dbname=postgres_cluster.dbname)
    connection.autocommit = True
    try:
        yield connection
    finally:
        _commits_wait_for_a_standby(connection, False)
        connection.close()


def _commits_wait_for_a_standby(admin, wait: bool) -> None:
    """With a synchronous standby that never comes, a commit is written and durable, then waits for it: the moment
    a restart (or pg_terminate_backend, what a restart does to each connection) leaves the caller not knowing
    whether it was saved. Its connection then ends; the commit stands."""
    setting = "ALTER SYSTEM SET synchronous_standby_names = 'a_standby_that_never_comes'" if wait else \
        'ALTER SYSTEM RESET synchronous_standby_names'
    with admin.cursor() as cursor:
        cursor.execute(setting)
        cursor.execute('SELECT pg_reload_conf()')


def _waiting_commits(admin, database: str) -> list[int]:
    return [pid for (pid,) in query(admin, "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                           "AND wait_event = 'SyncRep'", (database,))]


def test_a_run_at_once_whose_connection_is_lost_after_its_commit_exists_once_and_says_it_may_be_saved(
        stack_settings, admin):
    server = MageServer({**os.environ, **stack_settings, 'POSTGRES_SCHEMA': 'api_once'})
    state = server.state_url.database
    with admin.cursor() as cursor:  # the stack's server runs with synchronous_commit=off, for speed
        cursor.execute(f'CREATE DATABASE {state}')
        cursor.execute(f'ALTER DATABASE {state} SET synchronous_commit = on')
    with server:
        outcome: dict = {}

        def run_once() -> None:
            try:
                outcome['answer'] = server.api('POST', 'pipelines/test_config/pipeline_schedules', {
                    'pipeline_schedule': {
                        'name': ONCE, 'schedule_type': 'time', 'schedule_interval': '@once', 'status': 'active',
                        'start_time': datetime.now(tz=timezone.utc).strftime('%Y-%m-%d %H:%M:%S')}})
            except Exception as error:  # noqa: BLE001 the point: what the caller is told
                outcome['error'] = str(error)

        _commits_wait_for_a_standby(admin, True)
        call = threading.Thread(target=run_once)
        call.start()
        wait_until(lambda: _waiting_commits(admin, state), timeout_s=60, every_s=0.1)
        for pid in _waiting_commits(admin, state):
            query(admin, 'SELECT pg_terminate_backend(%s)', (pid,))
        _commits_wait_for_a_standby(admin, False)
        call.join(timeout=120)

        def runs() -> list[dict]:
            return [run for run in server.api('GET', 'pipeline_runs?pipeline_uuid=test_config')['pipeline_runs']
                    if run['status'] in ('completed', 'failed', 'cancelled')]

        wait_until(runs, timeout_s=300, every_s=0.5)
        schedules = [schedule for schedule in server.api('GET', 'pipelines/test_config/pipeline_schedules')[
            'pipeline_schedules'] if schedule['name'] == ONCE]
        all_runs = server.api('GET', 'pipeline_runs?pipeline_uuid=test_config')['pipeline_runs']
    assert (len(schedules), len(all_runs)) == (1, 1), (outcome, schedules, all_runs)
    assert 'may have been saved' in outcome.get('error', ''), outcome
    assert 'POST /api/pipelines/test_config/pipeline_schedules' in outcome['error']
