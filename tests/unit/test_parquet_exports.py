"""The object-storage writers' replace semantics, on a local filesystem (same pyarrow code path)."""
from datetime import date, datetime

import pandas as pd
import pyarrow.fs as pafs
import pytest

from nyc_taxi.model.arrow import clean_table
from nyc_taxi.sources.gcs_partitions import read_date_range
from nyc_taxi.targets.parquet_exports import replace_month_partitions, write_daily_object
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for

YELLOW = schema_for('yellow')
JAN = MonthRequest(taxi_type='yellow', year=2021, month=1)
FEB = MonthRequest(taxi_type='yellow', year=2021, month=2)


def trips(*pickups: str) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([None] * len(pickups), dtype='float64')
                          for name in YELLOW.clean_columns})
    for name, kind in YELLOW.clean_columns.items():
        if str(kind) == 'int16':
            frame[name] = pd.array([1] * len(pickups), dtype='Int16')
        elif str(kind) == 'string':
            frame[name] = 'N'
    frame['tpep_pickup_datetime'] = pd.to_datetime(list(pickups))
    frame['tpep_dropoff_datetime'] = frame['tpep_pickup_datetime']
    frame['tpep_pickup_date'] = frame['tpep_pickup_datetime'].dt.date
    return frame


@pytest.fixture
def bucket(tmp_path):
    return pafs.LocalFileSystem(), str(tmp_path)


def files(filesystem, root):
    return sorted(info.path[len(root) + 1:] for info in filesystem.get_file_info(
        pafs.FileSelector(root, recursive=True)) if info.type == pafs.FileType.File)


def test_a_month_owns_its_files_even_in_dates_it_shares(bucket):
    filesystem, root = bucket
    replace_month_partitions(filesystem, root, clean_table(trips('2021-01-31 10:00', '2021-01-30 09:00'), YELLOW).to_batches(),
                             YELLOW, JAN)
    replace_month_partitions(filesystem, root, clean_table(trips('2021-01-31 23:00', '2021-02-01 01:00'), YELLOW).to_batches(),
                             YELLOW, FEB)
    # January again, now without its trip of the 31st: its file there goes, February's stays.
    result = replace_month_partitions(filesystem, root, clean_table(trips('2021-01-30 09:00'), YELLOW).to_batches(), YELLOW, JAN)
    assert [path.rsplit('/', 2)[-2] for path in result.deleted] == ['tpep_pickup_date=2021-01-31']
    assert files(filesystem, root) == [
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-01-30/yellow_tripdata_2021-01-0.parquet',
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-01-31/yellow_tripdata_2021-02-0.parquet',
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-02-01/yellow_tripdata_2021-02-0.parquet',
    ]
    everything = read_date_range(filesystem, root, 'yellow', date(2021, 1, 1), date(2021, 2, 28))
    assert everything.num_rows == 3


def test_an_empty_month_removes_its_files_and_empty_partitions(bucket):
    filesystem, root = bucket
    replace_month_partitions(filesystem, root, clean_table(trips('2021-01-05 10:00'), YELLOW).to_batches(), YELLOW, JAN)
    result = replace_month_partitions(filesystem, root, clean_table(trips(), YELLOW).to_batches(), YELLOW, JAN)
    assert result.rows == 0 and len(result.deleted) == 1
    assert files(filesystem, root) == []
    assert not filesystem.get_file_info(pafs.FileSelector(f'{root}/nyc_taxi_data/yellow', recursive=True))


def test_daily_object_holds_only_that_day(bucket):
    filesystem, root = bucket
    table = clean_table(trips('2021-01-15 00:00:00', '2021-01-15 23:59:59', '2021-01-16 00:00:00'), YELLOW)
    result = write_daily_object(filesystem, root, table.to_batches(max_chunksize=1), YELLOW, datetime(2021, 1, 15).date())
    assert result.paths == (f'{root}/2021/01/15/yellow/daily-trips.parquet',) and result.rows == 2


def test_a_month_spread_over_its_dates_keeps_each_dates_rows_in_order_in_few_row_groups(bucket, monkeypatch):
    import pyarrow.parquet as pq

    from nyc_taxi.targets import parquet_exports

    filesystem, root = bucket
    monkeypatch.setattr(parquet_exports, 'PARTITION_ROWS_PER_GROUP', 50)
    # 600 trips, each batch of 20 spread over three dates, as a month's batches spread over its days.
    pickups = [f'2021-01-{day:02d} 00:{minute:02d}:00' for minute in range(20) for day in (1, 2, 3)] * 10
    table = clean_table(trips(*pickups), YELLOW)
    result = replace_month_partitions(filesystem, root, table.to_batches(max_chunksize=20), YELLOW, JAN)
    assert result.rows == 600 and len(result.paths) == 3
    for day in (1, 2, 3):
        path = f'{root}/nyc_taxi_data/yellow/tpep_pickup_date=2021-01-{day:02d}/yellow_tripdata_2021-01-0.parquet'
        written = pq.ParquetFile(path)
        assert written.metadata.num_rows == 200 and written.metadata.num_row_groups == 4  # 200 rows, 50 a group
        assert 'tpep_pickup_date' not in written.schema_arrow.names
        minutes = [moment.minute for moment in written.read().column('tpep_pickup_datetime').to_pylist()]
        assert minutes == list(range(20)) * 10  # the order the rows came in
