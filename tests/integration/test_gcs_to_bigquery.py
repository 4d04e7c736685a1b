"""gcs_to_bigquery end to end: `mage run` and Mage backfills against the GCS and BigQuery emulators.

The pipeline moves no trip through Mage: BigQuery loads the partitions from their gs:// URIs and runs the
rules as SQL. These tests check that what it writes is exactly what the old path (partitions read and
cleaned in this process by the Arrow rules) wrote, and that every failure leaves the target as it was.
"""
from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from google.cloud import bigquery

from devstack.emulators import LOCAL_BUCKET, LOCAL_PROJECT
from nyc_taxi.model.month_summary import combine
from nyc_taxi.model.schema import schema_for
from nyc_taxi.model.transform import clean_batch
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.sources.gcs_partitions import read_date_range
from nyc_taxi.sources.partition_files import range_files
from nyc_taxi.staging.bigquery_staging import clean_range, load_range
from nyc_taxi.staging.staged_month import summary_frame
from nyc_taxi.staging.staged_table import STAGING_LIFETIME, StagingTarget
from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.targets.parquet_exports import replace_month_partitions
from tests.conftest import FHV_JAN_2019, GREEN_JAN, YELLOW_FEB, YELLOW_JAN
from tests.integration.bigquery_equivalence import arrow_path_trips, bigquery_trips, fingerprint
from tests.integration.expected import month_vars
from tests.integration.rows_per_date import bigquery_rows_per_date, gcs_rows_per_date

pytestmark = pytest.mark.integration
JANUARY = {'start_date': '2021-01-01', 'end_date': '2021-01-31'}


@pytest.fixture(scope='module')
def months_in_gcs(mage_run):
    for request in (YELLOW_JAN, YELLOW_FEB, GREEN_JAN, FHV_JAN_2019):
        result = mage_run('api_to_gcs', month_vars(request))
        assert result.returncode == 0, result.output


def staging_tables(client: bigquery.Client, dataset: str) -> list[str]:
    return [table.table_id for table in client.list_tables(f'{LOCAL_PROJECT}.{dataset}') if '__' in table.table_id]


def copy_month(filesystem, bucket: str, request: MonthRequest, change=lambda table: table) -> None:
    """The month's partitions, as api_to_gcs wrote them to the local bucket, written to `bucket` (`change`d)."""
    last = date(request.year + request.month // 12, request.month % 12 + 1, 1)
    table = read_date_range(filesystem, LOCAL_BUCKET, request.taxi_type, request.month_start,
                            date.fromordinal(last.toordinal() - 1))
    replace_month_partitions(filesystem, bucket, change(table).to_batches(), schema_for(request.taxi_type), request)


def test_a_range_lands_once_per_date_with_the_declared_schema(months_in_gcs, mage_run, bq, gcs_filesystem):
    result = mage_run('gcs_to_bigquery', JANUARY, BQ_DATASET='ranges')
    assert result.returncode == 0, result.output
    assert 'objects loaded by BigQuery into local-project.ranges.yellow_taxi_trips__gcs_to_bigquery__' in result.output
    expected = gcs_rows_per_date(gcs_filesystem, date(2021, 1, 1), date(2021, 1, 31))
    assert bigquery_rows_per_date(bq, 'ranges') == expected and len(expected) == 31

    table = bq.get_table('local-project.ranges.yellow_taxi_trips')
    assert table.time_partitioning.field == 'tpep_pickup_date' and table.time_partitioning.type_ == 'DAY'
    types = {field.name: field.field_type for field in table.schema}
    assert types['vendor_id'] == 'INTEGER' and types['trip_distance'] == 'FLOAT'
    assert types['tpep_pickup_datetime'] == 'DATETIME' and types['tpep_pickup_date'] == 'DATE'
    assert types['store_and_fwd_flag'] == 'STRING' and 'VendorID' not in types

    assert mage_run('gcs_to_bigquery', JANUARY, BQ_DATASET='ranges').returncode == 0
    assert bigquery_rows_per_date(bq, 'ranges') == expected

    # A narrower range replaces only its own dates.
    result = mage_run('gcs_to_bigquery', {'start_date': '2021-01-05', 'end_date': '2021-01-06'}, BQ_DATASET='ranges')
    assert result.returncode == 0, result.output
    assert bigquery_rows_per_date(bq, 'ranges') == expected
    # Each block dropped the staging table it read.
    assert staging_tables(bq, 'ranges') == []


@pytest.mark.parametrize('request_, first, last', [
    (YELLOW_JAN, date(2021, 1, 1), date(2021, 1, 31)),
    (GREEN_JAN, date(2021, 1, 1), date(2021, 1, 31)),
    # The release's FHV month: more than half its trips have no pickup zone.
    (FHV_JAN_2019, date(2019, 1, 1), date(2019, 1, 31)),
], ids=['yellow', 'green', 'fhv'])
def test_the_table_holds_exactly_what_the_old_path_wrote(months_in_gcs, mage_run, bq, gcs_filesystem, request_,
                                                         first, last):
    dataset = f'same_{request_.taxi_type}'
    result = mage_run('gcs_to_bigquery', {'taxi_type': request_.taxi_type, 'start_date': str(first),
                                          'end_date': str(last)}, BQ_DATASET=dataset)
    assert result.returncode == 0, result.output
    old = fingerprint(arrow_path_trips(gcs_filesystem, LOCAL_BUCKET, request_.taxi_type, first, last),
                      request_.taxi_type)
    new = fingerprint(bigquery_trips(bq, dataset, request_.taxi_type, first, last), request_.taxi_type)
    assert new == old and old.rows > 2500


def dirty(table: pa.Table) -> pa.Table:
    """Trips the rules drop, as a source would have them: zero passengers, zero distance, no passenger count."""
    index = pa.array(range(table.num_rows))
    passengers = pc.if_else(pc.equal(pc.bit_wise_and(index, 15), 1), pa.scalar(0, pa.int16()),
                            table.column('passenger_count'))
    passengers = pc.if_else(pc.equal(pc.bit_wise_and(index, 15), 2), pa.scalar(None, pa.int16()), passengers)
    distance = pc.if_else(pc.equal(pc.bit_wise_and(index, 7), 3), 0.0, table.column('trip_distance'))
    table = table.set_column(table.schema.get_field_index('passenger_count'), 'passenger_count', passengers)
    return table.set_column(table.schema.get_field_index('trip_distance'), 'trip_distance', distance)


@pytest.mark.parametrize('drop_missing', [False, True])
def test_the_sql_rules_drop_what_the_arrow_rules_drop(months_in_gcs, mage_run, bq, gcs_filesystem, new_bucket,
                                                      drop_missing):
    bucket = new_bucket(f'dirty-trips-{str(drop_missing).lower()}')
    copy_month(gcs_filesystem, bucket, YELLOW_JAN, dirty)
    dataset = f'dirty_{str(drop_missing).lower()}'
    result = mage_run('gcs_to_bigquery', {**JANUARY, 'drop_missing_passenger_count': drop_missing},
                      GCS_BUCKET=bucket, BQ_DATASET=dataset)
    assert result.returncode == 0, result.output
    old = arrow_path_trips(gcs_filesystem, bucket, 'yellow', date(2021, 1, 1), date(2021, 1, 31), drop_missing)
    assert fingerprint(bigquery_trips(bq, dataset, 'yellow', date(2021, 1, 1), date(2021, 1, 31)), 'yellow') == \
        fingerprint(old, 'yellow')
    report = 'with passenger_count == 0 and'
    assert report in result.output and (('more with no passenger_count' in result.output) == drop_missing)


def test_the_sql_summary_is_the_arrow_summary_kept_rule_breakers_included(months_in_gcs, bigquery_emulator, bq,
                                                                         gcs_filesystem, new_bucket):
    """Called in-process: trips with unknown vendors fail the transformer's @test, so no pipeline run gets this far."""
    bucket = new_bucket('rule-breakers')

    def breaking(table: pa.Table) -> pa.Table:
        vendors = pc.if_else(pc.equal(pc.bit_wise_and(pa.array(range(table.num_rows)), 31), 5),
                             pa.scalar(9, pa.int16()), table.column('vendor_id'))
        return dirty(table).set_column(0, 'vendor_id', vendors)

    copy_month(gcs_filesystem, bucket, YELLOW_JAN, breaking)
    settings = BigQuerySettings.from_io_config({**bigquery_emulator, 'BQ_DATASET': 'summaries'})
    files = range_files(gcs_filesystem, bucket, 'yellow', date(2021, 1, 1), date(2021, 1, 31))
    staged = load_range(bq, settings, files, StagingTarget('local-project.summaries.staged', (), STAGING_LIFETIME),
                        'test')
    summary, clean = clean_range(bq, settings, staged, StagingTarget('local-project.summaries.clean', (),
                                                                     STAGING_LIFETIME), 'test', False)

    schema = schema_for('yellow')
    table = read_date_range(gcs_filesystem, bucket, 'yellow', date(2021, 1, 1), date(2021, 1, 31))
    expected = summary_frame(combine([clean_batch(batch, schema)[1] for batch in table.to_batches()], 'yellow'), schema)
    counts = [name for name in expected.columns if expected[name].dtype.kind in 'iO']
    assert summary[counts].equals(expected[counts])
    for name in ('trip_distance', 'fare_amount', 'total_amount'):
        assert summary[name].round(6).tolist() == expected[name].round(6).tolist()
    assert summary['unknown_vendor_ids'].sum() > 0 and summary['dropped_zero_distance'].sum() > 0
    assert clean.trips == summary['trips'].sum() and clean.first_date == date(2021, 1, 1)


def test_backfill_through_mage_runs_once_per_date_and_replaces_on_repeat(months_in_gcs, devstack_cli, bq,
                                                                        gcs_filesystem):
    for attempt in range(2):
        result = devstack_cli('backfill', 'gcs_to_bigquery', '2021-01-11', '2021-01-13', BQ_DATASET='backfills')
        assert result.returncode == 0, result.output[-5000:]
        assert [line.split()[:3] + line.split()[-1:] for line in result.stdout.splitlines()
                if line.startswith('  2021-')] == [
            ['2021-01-11', 'yellow', '2021-01-10..2021-01-10', 'completed'],
            ['2021-01-12', 'yellow', '2021-01-11..2021-01-11', 'completed'],
            ['2021-01-13', 'yellow', '2021-01-12..2021-01-12', 'completed']]
        # Each run at 00:00 on D loads D - 1, the day that just closed.
        assert bigquery_rows_per_date(bq, 'backfills') == gcs_rows_per_date(gcs_filesystem, date(2021, 1, 10),
                                                                   date(2021, 1, 12))
    assert staging_tables(bq, 'backfills') == []


def test_an_interval_without_data_succeeds_and_writes_nothing(months_in_gcs, mage_run, bq):
    assert mage_run('gcs_to_bigquery', {'start_date': '2021-01-01', 'end_date': '2021-01-02'},
                    BQ_DATASET='empty').returncode == 0
    before = bigquery_rows_per_date(bq, 'empty')
    result = mage_run('gcs_to_bigquery', {'start_date': '2023-06-01', 'end_date': '2023-06-02'}, BQ_DATASET='empty')
    assert result.returncode == 0, result.output
    assert 'no trips for 2023-06-01..2023-06-02' in result.output
    assert bigquery_rows_per_date(bq, 'empty') == before and staging_tables(bq, 'empty') == []


def _unreadable(filesystem, bucket: str) -> str:
    copy_month(filesystem, bucket, YELLOW_JAN)
    path = f'{bucket}/nyc_taxi_data/yellow/tpep_pickup_date=2021-01-02/truncated.parquet'
    with filesystem.open_output_stream(path) as out:
        out.write(b'PAR1 not really')
    return f'gs://{path} cannot be read as parquet'


def _other_schema(filesystem, bucket: str) -> str:
    copy_month(filesystem, bucket, YELLOW_JAN)
    table = read_date_range(filesystem, bucket, 'yellow', date(2021, 1, 2), date(2021, 1, 2))
    table = table.drop_columns(['tpep_pickup_date']).set_column(0, 'vendor_id', table.column(0).cast(pa.int64()))
    path = f'{bucket}/nyc_taxi_data/yellow/tpep_pickup_date=2021-01-02/other-writer.parquet'
    pq.write_table(table, path, filesystem=filesystem)
    return f'gs://{path} holds other columns than api_to_gcs writes: column 1 is vendor_id int64, not vendor_id int16'


@pytest.mark.parametrize('case', ['a date without a partition', 'an unreadable object', 'an object of another schema',
                                  'BigQuery unreachable'])
def test_each_failure_names_its_cause_and_leaves_the_table_as_it_was(months_in_gcs, mage_run, bq, gcs_filesystem,
                                                                     new_bucket, case):
    dataset = 'faults_' + case.replace(' ', '_').lower()
    assert mage_run('gcs_to_bigquery', {'start_date': '2021-01-01', 'end_date': '2021-01-03'},
                    BQ_DATASET=dataset).returncode == 0
    before = fingerprint(bigquery_trips(bq, dataset, 'yellow', date(2000, 1, 1), date(2100, 1, 1)), 'yellow')
    variables, settings = JANUARY, {'BQ_DATASET': dataset}
    if case == 'a date without a partition':
        # February is in GCS, March is not.
        variables = {'start_date': '2021-02-20', 'end_date': '2021-03-05'}
        message = 'has no partition for 2021-03-01..2021-03-05, though it has 9 other date(s) of 2021-02-20..2021-03-05'
    elif case == 'BigQuery unreachable':
        settings.update(BIGQUERY_EMULATOR_HOST='http://127.0.0.1:9', BQ_RETRY_SECONDS='2')
        message = 'no target table was changed (check BIGQUERY_EMULATOR_HOST'
    else:
        bucket = new_bucket('faults-' + case.split()[1])
        settings['GCS_BUCKET'] = bucket
        message = (_unreadable if case == 'an unreadable object' else _other_schema)(gcs_filesystem, bucket)

    result = mage_run('gcs_to_bigquery', variables, **settings)

    assert result.returncode != 0 and message in result.output, result.output[-3000:]
    after = fingerprint(bigquery_trips(bq, dataset, 'yellow', date(2000, 1, 1), date(2100, 1, 1)), 'yellow')
    assert after == before and before.rows > 0
    assert staging_tables(bq, dataset) == []


def test_missing_gcs_data_fails_naming_the_bucket(months_in_gcs, mage_run, new_bucket):
    new_bucket('no-trips-yet')  # a bucket nothing was loaded into
    result = mage_run('gcs_to_bigquery', {**JANUARY, 'taxi_type': 'green'}, BQ_DATASET='faults',
                      GCS_BUCKET='no-trips-yet')
    assert result.returncode != 0 and 'No partitioned dataset at gs://no-trips-yet/nyc_taxi_data/green/' in result.output


def test_a_table_with_another_schema_is_refused_and_left_alone(months_in_gcs, mage_run, bq):
    bq.create_dataset('mismatch', exists_ok=True)
    foreign = [bigquery.SchemaField('vendor_id', 'INTEGER'), bigquery.SchemaField('surprise', 'STRING')]
    bq.create_table(bigquery.Table('local-project.mismatch.yellow_taxi_trips', schema=foreign))

    result = mage_run('gcs_to_bigquery', JANUARY, BQ_DATASET='mismatch')

    assert result.returncode != 0 and 'is not the table this pipeline writes' in result.output \
        and 'has surprise STRING' in result.output and 'lacks tpep_pickup_datetime' in result.output
    table = bq.get_table('local-project.mismatch.yellow_taxi_trips')
    assert [field.name for field in table.schema] == ['vendor_id', 'surprise']
    assert list(bq.query('SELECT count(*) FROM `local-project.mismatch.yellow_taxi_trips`').result())[0][0] == 0
    # The run's staging tables went with the failed run: the exporter's table expires, the others were read.
    assert len(staging_tables(bq, 'mismatch')) <= 1
