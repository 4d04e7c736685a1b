"""A year's backfill from the Backfill tab, under `mage start` as compose starts it, with Mage's state in
PostgreSQL: no more months run at once than PIPELINE_RUNS_AT_ONCE says, a freed slot is refilled, every month
lands once; and a server killed mid-backfill finishes it by itself once restarted."""
from __future__ import annotations

import os
from contextlib import closing
from datetime import datetime

import psycopg2
import pytest

from benchmarks.backfill import executing_spans, most_at_once
from benchmarks.scheduled import MageServer
from devstack.sample_data import ensure_trip_file
from nyc_taxi.mage.state_database import connection_args
from nyc_taxi.runs.request import MonthRequest
from tests.conftest import SAMPLE_ROWS
from tests.integration.expected import transformed
from tests.integration.pg import query
from tests.integration.waiting import wait_until

pytestmark = pytest.mark.integration
GREEN_2019 = tuple(MonthRequest(taxi_type='green', year=2019, month=month) for month in range(1, 13))
SCHEMA = 'runs_at_once'


def test_a_year_backfilled_runs_two_months_at_once_and_loads_each_month_once(stack_settings, trip_data_dir, db):
    for request in GREEN_2019:
        ensure_trip_file(trip_data_dir, request, rows=SAMPLE_ROWS)
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': SCHEMA, 'PIPELINE_RUNS_AT_ONCE': '2'}
    with MageServer(env) as server:
        backfill_id = server.create_backfill('api_to_postgres', GREEN_2019[0].month_start, GREEN_2019[-1].month_start,
                                             {'taxi_type': 'green'})
        server.start_backfill(backfill_id)
        runs = server.finished_runs(backfill_id, timeout_s=600)
        assert [run['status'] for run in runs] == ['completed'] * len(GREEN_2019), server.log_tail()
        assert most_at_once(executing_spans(server, [run['id'] for run in runs])) == 2

    expected = {request.month_start: len(transformed(trip_data_dir, request)) for request in GREEN_2019}
    loaded = dict(query(db, f'SELECT source_month, count(*) FROM "{SCHEMA}".green_taxi_trips GROUP BY 1'))
    assert loaded == expected


def test_a_server_killed_mid_backfill_finishes_it_once_restarted_each_month_once(stack_settings, trip_data_dir, db):
    schema = 'killed_mid_backfill'
    for request in GREEN_2019:
        ensure_trip_file(trip_data_dir, request, rows=SAMPLE_ROWS)
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': schema, 'PIPELINE_RUNS_AT_ONCE': '2'}
    with MageServer(env) as server:
        assert server.state_url is not None and server.state_url.get_backend_name() == 'postgresql'
        backfill_id = server.create_backfill('api_to_postgres', GREEN_2019[0].month_start, GREEN_2019[-1].month_start,
                                             {'taxi_type': 'green'})
        server.start_backfill(backfill_id)
        # Killed while a month is half done: its loader's staged month goes with the killed process.
        wait_until(lambda: half_done(server, backfill_id), timeout_s=300, every_s=0.05)
        server.kill_and_restart()
        runs = server.finished_runs(backfill_id, timeout_s=600)
        assert [run['status'] for run in runs] == ['completed'] * len(GREEN_2019), server.log_tail()

    expected = {request.month_start: len(transformed(trip_data_dir, request)) for request in GREEN_2019}
    loaded = dict(query(db, f'SELECT source_month, count(*) FROM "{schema}".green_taxi_trips GROUP BY 1'))
    assert loaded == expected


def half_done(server: MageServer, backfill_id: int) -> bool:
    """Whether, by Mage's own state, at least 3 runs completed and a running run has a block done and one not."""
    connection = psycopg2.connect(**connection_args(server.state_url, server.state_url.database))
    with closing(connection), connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FILTER (WHERE lower(r.status::text) = 'completed'),
                   count(*) FILTER (WHERE lower(r.status::text) = 'running' AND EXISTS (
                       SELECT FROM block_run b WHERE b.pipeline_run_id = r.id AND lower(b.status::text) = 'completed')
                       AND EXISTS (SELECT FROM block_run b WHERE b.pipeline_run_id = r.id
                                   AND lower(b.status::text) <> 'completed'))
            FROM pipeline_run r WHERE r.backfill_id = %s""", (backfill_id,))
        completed, half = cursor.fetchone()
    return completed >= 3 and half > 0


def test_most_at_once_counts_overlapping_spans():
    at = lambda second: datetime(2019, 1, 1, 0, 0, second)  # noqa: E731
    assert most_at_once([(at(0), at(5)), (at(1), at(3)), (at(4), at(8)), (at(6), at(9))]) == 2
    assert most_at_once([(at(0), at(1)), (at(1), at(2))]) == 1


def test_the_ui_keeps_working_after_its_state_database_restarts(stack_settings, postgres_cluster):
    """`docker compose restart postgres` under the server: Mage's API (the UI's) failed on every call after it,
    until Mage restarted (nyc_taxi/mage/state_sessions.py)."""
    with MageServer({**os.environ, **stack_settings}) as server:
        assert server.api('GET', 'pipeline_runs')['pipeline_runs'] == []
        postgres_cluster.stop(mode='immediate')
        postgres_cluster.start()
        assert server.api('GET', 'pipeline_runs')['pipeline_runs'] == []
        assert server.api('GET', 'pipelines')['pipelines']
