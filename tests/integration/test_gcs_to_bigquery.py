"""gcs_to_bigquery end to end: `mage run` and Mage backfills against the GCS and BigQuery emulators."""
from __future__ import annotations

from datetime import date

import pytest
from google.cloud import bigquery

from nyc_taxi.targets.bigquery import BigQuerySettings
from tests.conftest import YELLOW_FEB, YELLOW_JAN
from tests.integration.expected import month_vars
from tests.integration.rows_per_date import bigquery_rows_per_date, gcs_rows_per_date

pytestmark = pytest.mark.integration
JANUARY = {'start_date': '2021-01-01', 'end_date': '2021-01-31'}


@pytest.fixture(scope='module')
def months_in_gcs(mage_run):
    for request in (YELLOW_JAN, YELLOW_FEB):
        result = mage_run('api_to_gcs', month_vars(request))
        assert result.returncode == 0, result.output


@pytest.fixture(scope='module')
def bq(bigquery_emulator) -> bigquery.Client:
    return BigQuerySettings.from_io_config(bigquery_emulator).client()


def test_a_range_lands_once_per_date_with_the_declared_schema(months_in_gcs, mage_run, bq, gcs_filesystem):
    result = mage_run('gcs_to_bigquery', JANUARY, BQ_DATASET='ranges')
    assert result.returncode == 0, result.output
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


def test_an_interval_without_data_succeeds_and_writes_nothing(months_in_gcs, mage_run, bq):
    assert mage_run('gcs_to_bigquery', {'start_date': '2021-01-01', 'end_date': '2021-01-02'},
                    BQ_DATASET='empty').returncode == 0
    before = bigquery_rows_per_date(bq, 'empty')
    result = mage_run('gcs_to_bigquery', {'start_date': '2023-06-01', 'end_date': '2023-06-02'}, BQ_DATASET='empty')
    assert result.returncode == 0, result.output
    assert 'no trips for 2023-06-01..2023-06-02' in result.output
    assert bigquery_rows_per_date(bq, 'empty') == before


def test_missing_gcs_data_or_bigquery_down_fail_clearly_and_change_nothing(
        months_in_gcs, mage_run, bq, new_bucket):
    assert mage_run('gcs_to_bigquery', {'start_date': '2021-01-01', 'end_date': '2021-01-03'},
                    BQ_DATASET='faults').returncode == 0
    before = bigquery_rows_per_date(bq, 'faults')

    new_bucket('no-trips-yet')  # a bucket nothing was loaded into
    result = mage_run('gcs_to_bigquery', {**JANUARY, 'taxi_type': 'green'}, BQ_DATASET='faults',
                      GCS_BUCKET='no-trips-yet')
    assert result.returncode != 0 and 'No partitioned dataset at gs://no-trips-yet/nyc_taxi_data/green/' in result.output

    result = mage_run('gcs_to_bigquery', JANUARY, BQ_DATASET='faults', BIGQUERY_EMULATOR_HOST='http://127.0.0.1:9',
                      BQ_RETRY_SECONDS='2')
    assert result.returncode != 0 and 'local-project.faults.yellow_taxi_trips' in result.output
    assert 'the table is unchanged' in result.output

    assert bigquery_rows_per_date(bq, 'faults') == before


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
