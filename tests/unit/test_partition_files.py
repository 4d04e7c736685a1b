"""Listing and checking a date range's partition objects before BigQuery loads them (local filesystem)."""
from datetime import date

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from nyc_taxi.model.arrow import clean_table
from nyc_taxi.model.schema import schema_for
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.sources.partition_files import PartitionFileError, object_columns, range_files
from nyc_taxi.targets.parquet_exports import replace_month_partitions
from tests.unit.test_parquet_exports import trips

YELLOW = schema_for('yellow')
JAN = MonthRequest(taxi_type='yellow', year=2021, month=1)


@pytest.fixture
def bucket(tmp_path):
    filesystem = pafs.LocalFileSystem()
    root = str(tmp_path)
    pickups = [f'2021-01-{day:02d} 10:00' for day in (1, 2, 2, 3)]
    replace_month_partitions(filesystem, root, clean_table(trips(*pickups), YELLOW).to_batches(), YELLOW, JAN)
    return filesystem, root


def test_each_date_is_one_uri_and_the_footers_count_its_rows(bucket):
    filesystem, root = bucket
    files = range_files(filesystem, root, 'yellow', date(2021, 1, 1), date(2021, 1, 3))
    assert files.uris() == [f'gs://{root}/nyc_taxi_data/yellow/tpep_pickup_date=2021-01-0{day}/*' for day in (1, 2, 3)]
    assert files.root_uri == f'gs://{root}/nyc_taxi_data/yellow/'
    assert files.rows == 4 and files.bytes > 0
    per_date = files.per_date()
    assert per_date['rows'].tolist() == [1, 2, 1] and per_date['objects'].tolist() == [1, 1, 1]


def test_a_range_without_any_partition_is_empty(bucket):
    filesystem, root = bucket
    files = range_files(filesystem, root, 'yellow', date(2023, 6, 1), date(2023, 6, 2))
    assert files.files == () and files.uris() == [] and files.rows == 0


def test_dates_without_a_partition_in_a_range_with_others_are_refused_by_name(bucket):
    filesystem, root = bucket
    with pytest.raises(PartitionFileError, match=r'no partition for 2021-01-04\.\.2021-01-06, though it has 3 other'):
        range_files(filesystem, root, 'yellow', date(2021, 1, 1), date(2021, 1, 6))


def test_an_unreadable_object_is_named(bucket):
    filesystem, root = bucket
    broken = f'{root}/nyc_taxi_data/yellow/tpep_pickup_date=2021-01-02/broken.parquet'
    with filesystem.open_output_stream(broken) as out:
        out.write(b'<?xml version="1.0"?><Error/>')
    with pytest.raises(PartitionFileError, match=rf'gs://{broken} cannot be read as parquet'):
        range_files(filesystem, root, 'yellow', date(2021, 1, 1), date(2021, 1, 3))


@pytest.mark.parametrize('change, message', [
    (lambda table: table.drop_columns(['airport_fee']), r'column 19 is cbd_congestion_fee double, not airport_fee double'),
    (lambda table: table.set_column(0, 'vendor_id', table.column(0).cast(pa.int64())),
     r'column 1 is vendor_id int64, not vendor_id int16'),
    (lambda table: table.append_column('surprise', pa.array(['x'] * len(table))),
     r'it has column\(s\) surprise after the 20 expected'),
])
def test_an_object_of_other_columns_is_named_with_the_column(bucket, change, message):
    filesystem, root = bucket
    good = clean_table(trips('2021-01-02 11:00'), YELLOW).drop_columns([YELLOW.pickup_date])
    assert good.schema.remove_metadata().equals(object_columns(YELLOW))
    other = f'{root}/nyc_taxi_data/yellow/tpep_pickup_date=2021-01-02/other.parquet'
    pq.write_table(change(good), other, filesystem=filesystem)
    with pytest.raises(PartitionFileError, match=rf'gs://{other} holds other columns than api_to_gcs writes: {message}'):
        range_files(filesystem, root, 'yellow', date(2021, 1, 1), date(2021, 1, 3))
