"""A call to Mage's API runs once: a Run@once whose state connection is lost after its commit was sent exists once,
and the caller is told it may have been saved (nyc_taxi/mage/fixes/state_sessions.py)."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Iterator

import psycopg2
import pytest

from benchmarks.scheduled import MageServer
from tests.integration.lost_commits import commits_can_wait, lose_the_connection_of_the_first_commit
from tests.integration.waiting import wait_until

pytestmark = pytest.mark.integration
ONCE = 'run once while the state database goes'


@pytest.fixture
def admin(postgres_cluster) -> Iterator:
    connection = psycopg2.connect(host='127.0.0.1', port=postgres_cluster.port, user=postgres_cluster.user,
                                  password=postgres_cluster.password, dbname=postgres_cluster.dbname)
    connection.autocommit = True
    yield connection
    connection.close()


def test_a_run_at_once_whose_connection_is_lost_after_its_commit_exists_once_and_says_it_may_be_saved(
        stack_settings, admin):
    server = MageServer({**os.environ, **stack_settings, 'POSTGRES_SCHEMA': 'api_once'})
    state = server.state_url.database
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE {state}')
    commits_can_wait(admin, state)
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

        lose_the_connection_of_the_first_commit(admin, state, run_once)

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
