"""A year's backfill from the Backfill tab, under `mage start` as compose starts it: no more months run at once
than PIPELINE_RUNS_AT_ONCE says, a freed slot is refilled, and every month lands once."""
from __future__ import annotations

import os
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


def test_most_at_once_counts_overlapping_spans():
    at = lambda second: datetime(2019, 1, 1, 0, 0, second)  # noqa: E731
    assert most_at_once([(at(0), at(5)), (at(1), at(3)), (at(4), at(8)), (at(6), at(9))]) == 2
    assert most_at_once([(at(0), at(1)), (at(1), at(2))]) == 1
