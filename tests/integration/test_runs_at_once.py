"""A year's backfill from the Backfill tab, under `mage start` as compose starts it: no more months run at once
than PIPELINE_RUNS_AT_ONCE says, a freed slot is refilled, and every month lands once."""
from __future__ import annotations

import os
import time
from datetime import datetime

import pytest

from benchmarks.backfill import executing_spans, most_at_once
from benchmarks.scheduled import MageServer
from devstack.sample_data import ensure_trip_file
from nyc_taxi.runs.request import MonthRequest
from tests.conftest import SAMPLE_ROWS
from tests.integration.expected import transformed
from tests.integration.pg import query

pytestmark = pytest.mark.integration
GREEN_2019 = tuple(MonthRequest(taxi_type='green', year=2019, month=month) for month in range(1, 13))
SCHEMA = 'runs_at_once'
DONE = ('completed', 'failed', 'cancelled')


def test_a_year_backfilled_runs_two_months_at_once_and_loads_each_month_once(stack_settings, trip_data_dir, db):
    for request in GREEN_2019:
        ensure_trip_file(trip_data_dir, request, rows=SAMPLE_ROWS)
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': SCHEMA, 'PIPELINE_RUNS_AT_ONCE': '2'}
    with MageServer(env) as server:
        backfill = server.api('POST', 'pipelines/api_to_postgres/backfills', {'backfill': {
            'name': 'green 2019', 'interval_type': 'month', 'interval_units': 1,
            'start_datetime': '2019-01-01T00:00:00', 'end_datetime': '2019-12-01T00:00:00',
            'variables': {'taxi_type': 'green'}}})['backfill']
        server.api('PUT', f'backfills/{backfill["id"]}', {'backfill': {'status': 'initial'}})
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            runs = server.api('GET', f'pipeline_runs?backfill_id={backfill["id"]}')['pipeline_runs']
            if len(runs) == len(GREEN_2019) and all(run['status'] in DONE for run in runs):
                break
            time.sleep(1)
        assert [run['status'] for run in runs] == ['completed'] * len(GREEN_2019), server.log_tail()
        assert most_at_once(executing_spans(server, [run['id'] for run in runs])) == 2

    expected = {request.month_start: len(transformed(trip_data_dir, request)) for request in GREEN_2019}
    loaded = dict(query(db, f'SELECT source_month, count(*) FROM "{SCHEMA}".green_taxi_trips GROUP BY 1'))
    assert loaded == expected


def test_most_at_once_counts_overlapping_spans():
    at = lambda second: datetime(2019, 1, 1, 0, 0, second)  # noqa: E731
    assert most_at_once([(at(0), at(5)), (at(1), at(3)), (at(4), at(8)), (at(6), at(9))]) == 2
    assert most_at_once([(at(0), at(1)), (at(1), at(2))]) == 1
