"""The month as a stream through every target: edge cases of the stream, and nothing staged left behind."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest


from devstack.sample_data import generate_trips, write_trip_file
from nyc_taxi.targets.parquet_exports import month_object_key, partitioned_root
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.staging.stage import STAGING_DIR
from tests.integration.expected import month_vars, transformed
from tests.integration.pg import month_fingerprint

pytestmark = pytest.mark.integration
ROWS = 3_000
# A bucket of their own: these months must not show up in the other tests' yellow dataset.
BUCKET = 'streaming-tests'


@pytest.fixture(scope='module')
def bucket(new_bucket) -> str:
    return new_bucket(BUCKET)


def write_month(trip_data_dir: Path, request: MonthRequest, change=lambda trips: trips) -> Path:
    return write_trip_file(change(generate_trips(request, ROWS)), trip_data_dir / request.taxi_type / request.file_name)


def month_files(filesystem: pafs.FileSystem, request: MonthRequest) -> dict[str, int]:
    """Every object api_to_gcs wrote for the month, with its size."""
    selector = pafs.FileSelector(partitioned_root(BUCKET, request.taxi_type), recursive=True)
    files = {info.path: info.size for info in filesystem.get_file_info(selector)
             if info.type == pafs.FileType.File and f'{request.file_stem}-' in info.path}
    files[month_object_key(request)] = filesystem.get_file_info(f'{BUCKET}/{month_object_key(request)}').size
    return files


def staged_left(mage_data_dir: Path) -> list[Path]:
    return [path for path in (mage_data_dir / 'magic-zoomcamp' / STAGING_DIR).glob('*/*')]


def test_a_bad_value_in_the_last_batch_fails_naming_its_line_and_leaves_every_target_as_it_was(
        mage_run, db, gcs_filesystem, trip_data_dir, mage_data_dir, bucket):
    month = MonthRequest(taxi_type='yellow', year=2020, month=3)
    write_month(trip_data_dir, month)
    for pipeline in ('api_to_postgres', 'api_to_gcs'):
        assert mage_run(pipeline, month_vars(month), POSTGRES_SCHEMA='last_batch', GCS_BUCKET=bucket).returncode == 0
    before = (month_fingerprint(db, 'last_batch', 'yellow_taxi_trips', month.month_start),
              month_files(gcs_filesystem, month))

    def break_last_row(trips: pd.DataFrame) -> pd.DataFrame:
        trips['trip_distance'] = trips['trip_distance'].astype(object)
        trips.loc[len(trips) - 1, 'trip_distance'] = 'far'
        return trips

    write_month(trip_data_dir, month, break_last_row)
    for pipeline in ('api_to_postgres', 'api_to_gcs'):
        result = mage_run(pipeline, month_vars(month), POSTGRES_SCHEMA='last_batch', GCS_BUCKET=bucket)
        assert result.returncode != 0
        assert f"line {ROWS + 1}, column trip_distance: cannot read 'far'" in result.output, result.output[-3000:]
    assert (month_fingerprint(db, 'last_batch', 'yellow_taxi_trips', month.month_start),
            month_files(gcs_filesystem, month)) == before
    assert staged_left(mage_data_dir) == []


def test_a_month_whose_rows_are_all_dropped_empties_its_slice_of_every_target(mage_run, db, gcs_filesystem,
                                                                              trip_data_dir, bucket):
    month = MonthRequest(taxi_type='yellow', year=2020, month=4)
    write_month(trip_data_dir, month)
    for pipeline in ('api_to_postgres', 'api_to_gcs'):
        result = mage_run(pipeline, month_vars(month), POSTGRES_SCHEMA='nothing_kept', GCS_BUCKET=bucket)
        assert result.returncode == 0, result.output[-3000:]
    write_month(trip_data_dir, month, lambda trips: trips.assign(trip_distance=0.0))
    for pipeline in ('api_to_postgres', 'api_to_gcs'):
        result = mage_run(pipeline, month_vars(month), POSTGRES_SCHEMA='nothing_kept', GCS_BUCKET=bucket)
        assert result.returncode == 0, result.output[-3000:]
    assert month_fingerprint(db, 'nothing_kept', 'yellow_taxi_trips', month.month_start)[0] == 0
    assert list(month_files(gcs_filesystem, month)) == [month_object_key(month)]
    assert pq.read_metadata(f'{BUCKET}/{month_object_key(month)}', filesystem=gcs_filesystem).num_rows == 0


def test_a_month_whose_trips_all_fall_on_one_date(mage_run, db, gcs_filesystem, trip_data_dir, bucket):
    month = MonthRequest(taxi_type='yellow', year=2020, month=5)

    def one_date(trips: pd.DataFrame) -> pd.DataFrame:
        seconds = trips['tpep_pickup_datetime'].dt.hour * 3600 + trips['tpep_pickup_datetime'].dt.minute * 60
        pickup = pd.Timestamp('2020-05-17') + pd.to_timedelta(seconds, unit='s')
        return trips.assign(tpep_pickup_datetime=pickup, tpep_dropoff_datetime=pickup + pd.Timedelta(minutes=9))

    write_month(trip_data_dir, month, one_date)
    for pipeline in ('api_to_postgres', 'api_to_gcs'):
        result = mage_run(pipeline, month_vars(month), POSTGRES_SCHEMA='one_date', GCS_BUCKET=bucket)
        assert result.returncode == 0, result.output[-3000:]
    expected = transformed(trip_data_dir, month)
    assert month_fingerprint(db, 'one_date', 'yellow_taxi_trips', month.month_start)[0] == len(expected)
    partitions = [path for path in month_files(gcs_filesystem, month) if 'pickup_date=' in path]
    assert len(partitions) == 1 and 'tpep_pickup_date=2020-05-17' in partitions[0]
