"""Fixtures shared by all tests: generated trip files in the release's layout."""
from __future__ import annotations

from pathlib import Path

import pytest

from devstack.sample_data import ensure_trip_file
from nyc_taxi.runs.request import MonthRequest

SAMPLE_ROWS = 3_000
YELLOW_JAN = MonthRequest(taxi_type='yellow', year=2021, month=1)
YELLOW_FEB = MonthRequest(taxi_type='yellow', year=2021, month=2)
GREEN_JAN = MonthRequest(taxi_type='green', year=2021, month=1)
# The course homework's quarter, loaded by a monthly backfill.
GREEN_Q4_2020 = tuple(MonthRequest(taxi_type='green', year=2020, month=month) for month in (10, 11, 12))


@pytest.fixture(scope='session')
def trip_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp('trip_data')
    for request in (YELLOW_JAN, YELLOW_FEB, GREEN_JAN, *GREEN_Q4_2020):
        ensure_trip_file(directory, request, rows=SAMPLE_ROWS)
    return directory


@pytest.fixture(scope='session')
def yellow_jan_file(trip_data_dir: Path) -> Path:
    return trip_data_dir / 'yellow' / YELLOW_JAN.file_name
