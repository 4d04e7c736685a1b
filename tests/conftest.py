"""Fixtures shared by all tests: generated source files in the public URL layouts (the release's
yellow/, green/, fhv/, fhvhv/ and misc/, the TLC's trip-data/)."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from devstack.sample_data import ensure_trip_file
from devstack.sample_fhv_csv import ensure_fhv_csv_file
from devstack.sample_fhvhv_csv import ensure_fhvhv_csv_file
from devstack.sample_month import SampleMonth
from devstack.sample_tlc_parquet import ensure_tlc_parquet_file
from devstack.sample_zones import ensure_zone_lookup
from nyc_taxi.runs.request import MonthRequest

SAMPLE_ROWS = 3_000
YELLOW_JAN = MonthRequest(taxi_type='yellow', year=2021, month=1)
YELLOW_FEB = MonthRequest(taxi_type='yellow', year=2021, month=2)
GREEN_JAN = MonthRequest(taxi_type='green', year=2021, month=1)
# The course homework's quarter, loaded by a monthly backfill.
GREEN_Q4_2020 = tuple(MonthRequest(taxi_type='green', year=2020, month=month) for month in (10, 11, 12))
# The release's FHV CSV month: fhv/fhv_tripdata_2019-01.csv.gz.
FHV_JAN_2019 = SampleMonth(taxi_type='fhv', year=2019, month=1)
# The TLC's own parquet months (trip-data/{file_stem}.parquet), one per schema a reader meets:
TLC_YELLOW_2023_01 = SampleMonth(taxi_type='yellow', year=2023, month=1)  # Airport_fee, timestamp[us]
TLC_YELLOW_2025_01 = SampleMonth(taxi_type='yellow', year=2025, month=1)  # int32 codes, airport_fee, cbd_congestion_fee
TLC_FHV_2019_02 = SampleMonth(taxi_type='fhv', year=2019, month=2)  # float zone ids, many null
TLC_GREEN_2022_01 = SampleMonth(taxi_type='green', year=2022, month=1)  # ehail_fee typed null, timestamp[ns]
TLC_YELLOW_2009_01 = SampleMonth(taxi_type='yellow', year=2009, month=1)  # the coordinate layout, to be refused
TLC_MONTHS = (TLC_YELLOW_2023_01, TLC_YELLOW_2025_01, TLC_FHV_2019_02, TLC_GREEN_2022_01, TLC_YELLOW_2009_01)
# High-volume FHV: the release's 7-column CSV month, and TLC parquet months with int64 ids and a null-typed
# airport_fee (2021, a quarter for a monthly backfill) and with int32 ids (2023).
FHVHV_RELEASE_2021_01 = SampleMonth(taxi_type='fhvhv', year=2021, month=1)
TLC_FHVHV_2021 = tuple(SampleMonth(taxi_type='fhvhv', year=2021, month=month) for month in (4, 5, 6))
TLC_FHVHV_2023_01 = SampleMonth(taxi_type='fhvhv', year=2023, month=1)


@pytest.fixture(scope='session')
def trip_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp('trip_data')
    for request in (YELLOW_JAN, YELLOW_FEB, GREEN_JAN, *GREEN_Q4_2020):
        ensure_trip_file(directory, request, rows=SAMPLE_ROWS)
    ensure_fhv_csv_file(directory, FHV_JAN_2019, rows=SAMPLE_ROWS)
    ensure_fhvhv_csv_file(directory, FHVHV_RELEASE_2021_01, rows=SAMPLE_ROWS)
    for month in (*TLC_MONTHS, *TLC_FHVHV_2021, TLC_FHVHV_2023_01):
        ensure_tlc_parquet_file(directory, month, rows=SAMPLE_ROWS)  # 3 row groups each
    ensure_zone_lookup(directory)
    return directory


@pytest.fixture(scope='session')
def yellow_jan_file(trip_data_dir: Path) -> Path:
    return trip_data_dir / 'yellow' / YELLOW_JAN.file_name


@pytest.fixture(autouse=True)
def no_process_forked_from_pytest_left():
    """A process forked from pytest's own (importing Mage's scheduler forks its job queue's manager) holds
    copies of pytest's pipes: Playwright's driver then never sees them close, and the session hangs at its end."""
    yield
    left = multiprocessing.active_children()
    for child in left:
        child.terminate()
    assert not left, f'the test left processes forked from pytest: {left}; run what forks in a subprocess'


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test`'s workers (pytest-xdist) take a test file each at a time, all of tests/e2e together: the
    browser tests share one Mage UI, which a worker starts once."""
    from xdist.scheduler import LoadFileScheduling

    class FilesAndTheUiTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split('::', 1)[0]
            return 'tests/e2e' if path.startswith('tests/e2e/') else path

    return FilesAndTheUiTogether(config, log)
