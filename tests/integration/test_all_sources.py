"""Every source users load, through the real pipelines: FHV months, the TLC's parquet months with their
drift, a yellow table that grows over the years, and bad TLC files that leave every target unchanged."""
from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from google.cloud import bigquery

from devstack.emulators import LOCAL_PROJECT
from devstack.sample_fhv_csv import fhv_csv_path
from devstack.sample_tlc_parquet import tlc_parquet_path
from nyc_taxi.sources.gcs_partitions import read_date_range
from nyc_taxi.targets.parquet_exports import daily_object_key
from tests.conftest import (FHV_JAN_2019, SAMPLE_ROWS, TLC_FHV_2019_02, TLC_YELLOW_2009_01, TLC_YELLOW_2023_01,
                            TLC_YELLOW_2025_01, YELLOW_JAN)
from tests.integration.expected import month_vars
from tests.integration.bigquery_equivalence import arrow_path_trips, bigquery_trips, fingerprint
from tests.integration.pg import month_fingerprint, query
from tests.integration.rows_per_date import bigquery_rows_per_date

pytestmark = pytest.mark.integration
BUCKET = 'all-sources'


@pytest.fixture(scope='module')
def bucket(new_bucket) -> str:
    return new_bucket(BUCKET)


def fhv_csv_zones(trip_data_dir: Path) -> tuple[int, int]:
    """Rows and rows without a pickup zone, read from the CSV as text."""
    with gzip.open(fhv_csv_path(trip_data_dir, FHV_JAN_2019), 'rb') as file:
        table = pacsv.read_csv(file, convert_options=pacsv.ConvertOptions(
            column_types={'PUlocationID': pa.string()}, strings_can_be_null=True))
    return table.num_rows, table.column('PUlocationID').null_count


def test_an_fhv_month_keeps_every_row_once_with_its_empty_zones(mage_run, db, trip_data_dir):
    rows, without_pickup_zone = fhv_csv_zones(trip_data_dir)
    fingerprints = []
    for _ in range(2):
        result = mage_run('api_to_postgres', month_vars(FHV_JAN_2019), POSTGRES_SCHEMA='fhv')
        assert result.returncode == 0, result.output
        fingerprints.append(month_fingerprint(db, 'fhv', 'fhv_taxi_trips', date(2019, 1, 1)))
    assert fingerprints[0] == fingerprints[1] and fingerprints[0][0] == rows == SAMPLE_ROWS
    (counts,) = query(db, 'SELECT count(*) FILTER (WHERE pu_location_id IS NULL), count(DISTINCT pickup_date), '
                          'count(*) FILTER (WHERE dispatching_base_num IS NULL) FROM fhv.fhv_taxi_trips')
    assert counts[0] == without_pickup_zone > rows / 2 and counts[1] > 28 and counts[2] == 0
    columns = [name for (name,) in query(db, "SELECT column_name FROM information_schema.columns WHERE "
                                             "table_schema = 'fhv' AND table_name = 'fhv_taxi_trips' "
                                             "ORDER BY ordinal_position")]
    assert columns == ['dispatching_base_num', 'pickup_datetime', 'dropoff_datetime', 'pu_location_id',
                       'do_location_id', 'sr_flag', 'affiliated_base_number', 'pickup_date', 'source_month']


def test_an_fhv_month_from_the_tlc_reaches_gcs_and_bigquery(mage_run, bucket, gcs_filesystem, bq, trip_data_dir):
    source = pq.read_table(tlc_parquet_path(trip_data_dir, TLC_FHV_2019_02))
    for _ in range(2):
        result = mage_run('api_to_gcs', month_vars(TLC_FHV_2019_02, source='tlc', execution_date='2019-02-10'),
                          GCS_BUCKET=bucket)
        assert result.returncode == 0, result.output
    in_gcs = read_date_range(gcs_filesystem, bucket, 'fhv', date(2000, 1, 1), date(2030, 12, 31))
    assert in_gcs.num_rows == source.num_rows
    assert in_gcs.column('pu_location_id').null_count == source.column('PUlocationID').null_count > 0
    assert gcs_filesystem.get_file_info(f'{bucket}/{daily_object_key(date(2019, 2, 10), "fhv")}').size > 0

    result = mage_run('gcs_to_bigquery', {'taxi_type': 'fhv', 'start_date': '2019-02-01', 'end_date': '2019-02-28'},
                      GCS_BUCKET=bucket, BQ_DATASET='fhv')
    assert result.returncode == 0, result.output
    (row,) = bq.query(f'SELECT count(*), countif(pu_location_id IS NULL) FROM `{LOCAL_PROJECT}.fhv.fhv_taxi_trips`'
                      ).result()
    february = read_date_range(gcs_filesystem, bucket, 'fhv', date(2019, 2, 1), date(2019, 2, 28))
    assert tuple(row) == (february.num_rows, february.column('pu_location_id').null_count)
    # Exactly what the old path (read and cleaned in Mage's process) wrote.
    assert fingerprint(bigquery_trips(bq, 'fhv', 'fhv', date(2019, 2, 1), date(2019, 2, 28)), 'fhv') == fingerprint(
        arrow_path_trips(gcs_filesystem, bucket, 'fhv', date(2019, 2, 1), date(2019, 2, 28)), 'fhv')


def test_two_taxi_types_on_one_date_keep_two_daily_objects(mage_run, bucket, gcs_filesystem):
    day = date(2021, 1, 15)
    for variables in (month_vars(YELLOW_JAN), {'taxi_type': 'green', 'year': 2021, 'month': 1}):
        result = mage_run('api_to_gcs', {**variables, 'execution_date': day.isoformat()}, GCS_BUCKET=bucket)
        assert result.returncode == 0, result.output
    yellow = pq.read_table(f'{bucket}/{daily_object_key(day, "yellow")}', filesystem=gcs_filesystem)
    green = pq.read_table(f'{bucket}/{daily_object_key(day, "green")}', filesystem=gcs_filesystem)
    assert 'tpep_pickup_date' in yellow.column_names and 'lpep_pickup_date' in green.column_names
    assert yellow.num_rows > 0 and green.num_rows > 0


def yellow_month_state(db, schema: str, month: date) -> tuple:
    """Rows, sums and a digest of the month over the columns every version of the table had."""
    (state,) = query(db, f'SELECT count(*), round(sum(total_amount)::numeric, 2), sum(passenger_count), '
                         f"md5(string_agg(concat_ws('|', vendor_id, tpep_pickup_datetime, pu_location_id, "
                         f"total_amount), ',' ORDER BY tpep_pickup_datetime, pu_location_id, total_amount)) "
                         f'FROM "{schema}".yellow_taxi_trips WHERE source_month = %s', (month,))
    return state


def test_a_yellow_table_grows_with_the_months_and_keeps_its_rows(mage_run, db, trip_data_dir):
    assert mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='growing').returncode == 0
    # The table as this project's earlier versions made it: no airport_fee, no cbd_congestion_fee.
    query(db, 'ALTER TABLE growing.yellow_taxi_trips DROP COLUMN airport_fee, DROP COLUMN cbd_congestion_fee; '
              'SELECT 1')
    db.commit()
    csv_month = yellow_month_state(db, 'growing', date(2021, 1, 1))

    for month, new_columns in ((TLC_YELLOW_2023_01, ['airport_fee']),
                               (TLC_YELLOW_2025_01, ['airport_fee', 'cbd_congestion_fee'])):
        result = mage_run('api_to_postgres', month_vars(month, source='tlc'), POSTGRES_SCHEMA='growing')
        assert result.returncode == 0, result.output
        assert yellow_month_state(db, 'growing', date(2021, 1, 1)) == csv_month
        source = pq.read_table(tlc_parquet_path(trip_data_dir, month))
        names = {name.lower(): name for name in source.column_names}
        for column in new_columns:
            (loaded,) = query(db, f'SELECT count({column}), round(sum({column})::numeric, 2) FROM '
                                  f'growing.yellow_taxi_trips WHERE source_month = %s',
                              (date(month.year, month.month, 1),))
            (csv_rows,) = query(db, f'SELECT count({column}) FROM growing.yellow_taxi_trips WHERE source_month = '
                                    "'2021-01-01'")
            assert loaded[0] > 0 and csv_rows == (0,)
            assert source.column(names[column]).null_count < source.num_rows
    columns = [name for (name,) in query(db, "SELECT column_name FROM information_schema.columns WHERE table_schema "
                                             "= 'growing' AND table_name = 'yellow_taxi_trips'")]
    assert columns[-2:] == ['airport_fee', 'cbd_congestion_fee']


def test_a_bigquery_table_grows_with_the_months_and_keeps_its_rows(mage_run, bucket, bq, gcs_filesystem):
    for month, source in ((YELLOW_JAN, 'release'), (TLC_YELLOW_2023_01, 'tlc'), (TLC_YELLOW_2025_01, 'tlc')):
        result = mage_run('api_to_gcs', month_vars(month, source=source), GCS_BUCKET=bucket)
        assert result.returncode == 0, result.output
    january = {'taxi_type': 'yellow', 'start_date': '2021-01-01', 'end_date': '2021-01-31'}
    assert mage_run('gcs_to_bigquery', january, GCS_BUCKET=bucket, BQ_DATASET='bq_full').returncode == 0
    # The table as an earlier version made it, holding the CSV month.
    full = bq.get_table(f'{LOCAL_PROJECT}.bq_full.yellow_taxi_trips')
    old_fields = [field for field in full.schema if field.name not in ('airport_fee', 'cbd_congestion_fee')]
    bq.create_dataset('bq_growing', exists_ok=True)
    old = bigquery.Table(f'{LOCAL_PROJECT}.bq_growing.yellow_taxi_trips', schema=old_fields)
    old.time_partitioning = bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY,
                                                      field='tpep_pickup_date')
    bq.create_table(old)
    names = ', '.join(field.name for field in old_fields)
    bq.query(f'INSERT INTO `{LOCAL_PROJECT}.bq_growing.yellow_taxi_trips` ({names}) SELECT {names} FROM '
             f'`{LOCAL_PROJECT}.bq_full.yellow_taxi_trips`').result()
    state_query = (f'SELECT count(*), round(sum(total_amount), 2) FROM `{LOCAL_PROJECT}.bq_growing.yellow_taxi_trips` '
                   "WHERE tpep_pickup_date BETWEEN '2021-01-01' AND '2021-01-31'")
    csv_month = tuple(next(iter(bq.query(state_query).result())))

    for first, last in ((date(2023, 1, 1), date(2023, 1, 31)), (date(2025, 1, 1), date(2025, 1, 31))):
        result = mage_run('gcs_to_bigquery', {'taxi_type': 'yellow', 'start_date': first.isoformat(),
                                              'end_date': last.isoformat()}, GCS_BUCKET=bucket, BQ_DATASET='bq_growing')
        assert result.returncode == 0, result.output
        assert tuple(next(iter(bq.query(state_query).result()))) == csv_month
        # The drifting month is exactly what the old path (read and cleaned in Mage's process) wrote.
        assert fingerprint(bigquery_trips(bq, 'bq_growing', 'yellow', first, last), 'yellow') == fingerprint(
            arrow_path_trips(gcs_filesystem, bucket, 'yellow', first, last), 'yellow')
    added = bq.query(f'SELECT airport_fee, cbd_congestion_fee FROM `{LOCAL_PROJECT}.bq_growing.yellow_taxi_trips` '
                     'LIMIT 1').result().schema
    assert [(field.name, field.field_type, field.mode) for field in added] == [
        ('airport_fee', 'FLOAT', 'NULLABLE'), ('cbd_congestion_fee', 'FLOAT', 'NULLABLE')]
    (row,) = bq.query(f'SELECT countif(airport_fee IS NOT NULL AND tpep_pickup_date < "2022-01-01"), '
                      f'countif(cbd_congestion_fee IS NOT NULL AND tpep_pickup_date >= "2025-01-01"), '
                      f'countif(cbd_congestion_fee IS NOT NULL AND tpep_pickup_date < "2025-01-01") '
                      f'FROM `{LOCAL_PROJECT}.bq_growing.yellow_taxi_trips`').result()
    assert row[0] == 0 and row[1] > 0 and row[2] == 0
    per_date = bigquery_rows_per_date(bq, 'bq_growing')
    expected = read_date_range(gcs_filesystem, bucket, 'yellow', date(2025, 1, 1), date(2025, 1, 31)).num_rows
    assert sum(count for day, count in per_date.items() if day.year == 2025) == expected


def broken_tlc_files(trip_data_dir: Path) -> dict[str, tuple[int, str]]:
    """Yellow 2024 months of the TLC layout, each broken one way: {case: (month, expected message)}."""
    good = pq.read_table(tlc_parquet_path(trip_data_dir, TLC_YELLOW_2023_01))
    directory = trip_data_dir / 'trip-data'
    pq.write_table(good.drop_columns(['PULocationID']), directory / 'yellow_tripdata_2024-01.parquet')
    (directory / 'yellow_tripdata_2024-02.parquet').write_text('<?xml version="1.0"?><Error>AccessDenied</Error>')
    rates = good.column('RatecodeID').to_pylist()
    rates[-1] = 2.5
    pq.write_table(good.set_column(good.schema.get_field_index('RatecodeID'), 'RatecodeID',
                                   pa.array(rates, pa.float64())), directory / 'yellow_tripdata_2024-03.parquet',
                   row_group_size=1000)
    return {
        'missing column': (1, 'lacks the column(s) PULocationID of yellow trips'),
        'not parquet': (2, "is not a parquet file (it starts with b'<?xm')"),
        'fraction in a code': (3, 'row group 2 (row 3000 of the file), column RatecodeID: 2.5 is not a whole number'),
        '2009 layout': (None, 'coordinates instead of zone ids'),
    }


def test_bad_tlc_files_fail_naming_the_problem_and_leave_every_target_unchanged(mage_run, db, bucket,
                                                                             gcs_filesystem, trip_data_dir):
    assert mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='bad_tlc').returncode == 0
    before = yellow_month_state(db, 'bad_tlc', date(2021, 1, 1))
    for case, (month, message) in broken_tlc_files(trip_data_dir).items():
        variables = (month_vars(TLC_YELLOW_2009_01, source='tlc') if month is None
                     else {'taxi_type': 'yellow', 'year': 2024, 'month': month, 'source': 'tlc'})
        # Both pipelines share the loader that fails: api_to_gcs for the file that fails after its first row groups.
        for pipeline in ('api_to_postgres', 'api_to_gcs') if case == 'fraction in a code' else ('api_to_postgres',):
            result = mage_run(pipeline, variables, POSTGRES_SCHEMA='bad_tlc', GCS_BUCKET=bucket)
            assert result.returncode != 0, case
            assert message in result.output and '/trip-data/yellow_tripdata_' in result.output, (case, result.output)
        assert yellow_month_state(db, 'bad_tlc', date(2021, 1, 1)) == before
        assert query(db, 'SELECT DISTINCT source_month FROM bad_tlc.yellow_taxi_trips') == [(date(2021, 1, 1),)]
        objects = gcs_filesystem.get_file_info(pafs.FileSelector(bucket, recursive=True, allow_not_found=True))
        assert not any('2024' in info.path for info in objects)


def test_monthly_backfills_of_fhv_and_of_the_tlc_run_their_tests_and_load_each_month(devstack_cli, db):
    """Backfill runs execute the transformer's @tests (plain `mage run` skips them): FHV's and the TLC month's."""
    for variables, start, table in (('{"taxi_type": "fhv"}', '2019-01-01', 'fhv_taxi_trips'),
                                    ('{"taxi_type": "yellow", "source": "tlc"}', '2025-01-01', 'yellow_taxi_trips')):
        result = devstack_cli('backfill', '--interval', 'month', 'api_to_postgres', start, start, variables,
                              POSTGRES_SCHEMA='source_backfills')
        assert result.returncode == 0, result.output[-5000:]
        assert [line.split()[-1] for line in result.stdout.splitlines() if line.startswith(f'  {start}')] == [
            'completed']
        assert '3/3 tests passed' in result.output  # the transformer's, for this taxi type
        (count,) = query(db, f'SELECT count(*) FROM source_backfills.{table} WHERE source_month = %s',
                         (date.fromisoformat(start),))
        assert count[0] > 0
