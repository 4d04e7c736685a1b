"""api_to_postgres end to end: `mage run` against a real PostgreSQL server and a local HTTP source."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from nyc_taxi.runs.request import MonthRequest
from tests.conftest import GREEN_JAN, YELLOW_FEB, YELLOW_JAN
from tests.integration.expected import month_vars, transformed
from tests.integration.pg import month_fingerprint, query, table_exists

pytestmark = pytest.mark.integration


def expected_rows(trip_data_dir: Path, request: MonthRequest) -> int:
    return len(transformed(trip_data_dir, request))


def test_test_config_pipeline_reaches_postgres(mage_run):
    result = mage_run('test_config')
    assert result.returncode == 0, result.output


def test_loads_the_month_with_the_transform_rows_names_and_types(mage_run, db, trip_data_dir):
    result = mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='loads')
    assert result.returncode == 0, result.output

    count, _ = month_fingerprint(db, 'loads', 'yellow_taxi_trips', YELLOW_JAN.month_start)
    assert count == expected_rows(trip_data_dir, YELLOW_JAN) > 0
    columns = query(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                        "'loads' AND table_name = 'yellow_taxi_trips' ORDER BY ordinal_position")
    assert columns == [
        ('vendor_id', 'smallint'), ('tpep_pickup_datetime', 'timestamp without time zone'),
        ('tpep_dropoff_datetime', 'timestamp without time zone'), ('passenger_count', 'smallint'),
        ('trip_distance', 'double precision'), ('ratecode_id', 'smallint'), ('store_and_fwd_flag', 'text'),
        ('pu_location_id', 'smallint'), ('do_location_id', 'smallint'), ('payment_type', 'smallint'),
        ('fare_amount', 'double precision'), ('extra', 'double precision'), ('mta_tax', 'double precision'),
        ('tip_amount', 'double precision'), ('tolls_amount', 'double precision'),
        ('improvement_surcharge', 'double precision'), ('total_amount', 'double precision'),
        ('congestion_surcharge', 'double precision'), ('airport_fee', 'double precision'),
        ('cbd_congestion_fee', 'double precision'), ('tpep_pickup_date', 'date'), ('source_month', 'date'),
    ]
    (quirks,) = query(db, 'SELECT count(*) FILTER (WHERE vendor_id IS NULL), '
                          'count(*) FILTER (WHERE passenger_count = 0 OR trip_distance = 0), '
                          'count(*) FILTER (WHERE tpep_pickup_date <> tpep_pickup_datetime::date), '
                          "count(*) FILTER (WHERE date_trunc('month', tpep_pickup_date) <> source_month) "
                          'FROM loads.yellow_taxi_trips')
    nulls_kept, zeros_left, wrong_dates, outside_month_kept = quirks
    assert nulls_kept > 0 and zeros_left == 0 and wrong_dates == 0 and outside_month_kept > 0


def test_rerun_replaces_the_month_and_a_second_month_leaves_the_first_alone(mage_run, db, trip_data_dir):
    assert mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='reruns').returncode == 0
    first = month_fingerprint(db, 'reruns', 'yellow_taxi_trips', YELLOW_JAN.month_start)

    assert mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='reruns').returncode == 0
    assert month_fingerprint(db, 'reruns', 'yellow_taxi_trips', YELLOW_JAN.month_start) == first

    result = mage_run('api_to_postgres', month_vars(YELLOW_FEB), POSTGRES_SCHEMA='reruns')
    assert result.returncode == 0, result.output
    assert month_fingerprint(db, 'reruns', 'yellow_taxi_trips', YELLOW_JAN.month_start) == first
    (total,) = query(db, 'SELECT count(*) FROM reruns.yellow_taxi_trips')[0]
    assert total == first[0] + expected_rows(trip_data_dir, YELLOW_FEB)


def test_green_trips_land_in_their_own_table(mage_run, db, trip_data_dir):
    result = mage_run('api_to_postgres', month_vars(GREEN_JAN), POSTGRES_SCHEMA='green')
    assert result.returncode == 0, result.output
    count, _ = month_fingerprint(db, 'green', 'green_taxi_trips', GREEN_JAN.month_start)
    assert count == expected_rows(trip_data_dir, GREEN_JAN)
    (empty_ehail,) = query(db, 'SELECT bool_and(ehail_fee IS NULL) FROM green.green_taxi_trips')[0]
    assert empty_ehail


BAD_MONTHS = {
    3: 'not_gzip',
    4: 'truncated',
    5: 'missing_column',
    6: 'bad_value',
    7: 'absent',
}


@pytest.fixture(scope='module')
def bad_files(trip_data_dir: Path, yellow_jan_file: Path) -> dict[str, MonthRequest]:
    """Broken yellow files for 2021-03..07, served by the same file server as the good ones."""
    good = gzip.decompress(yellow_jan_file.read_bytes())
    lines = good.decode().splitlines(keepends=True)
    header = lines[0].split(',')
    broken = {
        'not_gzip': good[:5000],
        'truncated': yellow_jan_file.read_bytes()[: yellow_jan_file.stat().st_size // 2],
        'missing_column': gzip.compress(''.join(
            ','.join(line.rstrip('\n').split(',')[:-1]) + '\n' for line in lines).encode()),
        'bad_value': gzip.compress(''.join(
            lines[:41] + [lines[41].replace(lines[41].split(',')[4], 'two miles', 1)] + lines[42:]).encode()),
    }
    assert header[4] == 'trip_distance'
    requests = {}
    for month, kind in BAD_MONTHS.items():
        request = MonthRequest(taxi_type='yellow', year=2021, month=month)
        if kind in broken:
            (trip_data_dir / 'yellow' / request.file_name).write_bytes(broken[kind])
        requests[kind] = request
    return requests


@pytest.mark.parametrize('kind, message_parts', [
    ('absent', ['404', 'yellow_tripdata_2021-07.csv.gz', 'TAXI_DATA_BASE_URL']),
    ('not_gzip', ['yellow_tripdata_2021-03.csv.gz', 'not a gzip file']),
    ('truncated', ['yellow_tripdata_2021-04.csv.gz', 'not a complete gzip stream']),
    ('missing_column', ['yellow_tripdata_2021-05.csv.gz', 'congestion_surcharge']),
    ('bad_value', ['yellow_tripdata_2021-06.csv.gz', 'line 42', 'trip_distance', "'two miles'"]),
])
def test_bad_input_fails_clearly_and_leaves_the_table_untouched(mage_run, db, bad_files, kind, message_parts):
    assert mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='bad_input').returncode == 0
    before = month_fingerprint(db, 'bad_input', 'yellow_taxi_trips', YELLOW_JAN.month_start)

    result = mage_run('api_to_postgres', month_vars(bad_files[kind]), POSTGRES_SCHEMA='bad_input')

    assert result.returncode != 0
    for part in message_parts:
        assert part in result.output, f'{part!r} not in the output:\n{result.output[-3000:]}'
    assert month_fingerprint(db, 'bad_input', 'yellow_taxi_trips', YELLOW_JAN.month_start) == before
    (months,) = query(db, 'SELECT count(DISTINCT source_month) FROM bad_input.yellow_taxi_trips')[0]
    assert months == 1


def test_unset_setting_is_named(mage_run, db):
    result = mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='unset', POSTGRES_HOST='')
    assert result.returncode != 0
    assert 'POSTGRES_HOST' in result.output
    assert not table_exists(db, 'unset', 'yellow_taxi_trips')


def test_a_table_of_another_shape_is_refused_by_name_and_left_alone(mage_run, db):
    query(db, 'CREATE SCHEMA IF NOT EXISTS shapes; DROP TABLE IF EXISTS shapes.yellow_taxi_trips; '
              'CREATE TABLE shapes.yellow_taxi_trips (vendor_id bigint, note text); '
              "INSERT INTO shapes.yellow_taxi_trips VALUES (1, 'keep me'); SELECT 1")
    result = mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='shapes')
    assert result.returncode != 0
    assert 'shapes.yellow_taxi_trips exists but is not the table this pipeline writes' in result.output
    assert 'vendor_id is bigint, not smallint' in result.output and 'has note text' in result.output \
            and 'not partitioned' in result.output
    assert query(db, 'SELECT * FROM shapes.yellow_taxi_trips') == [(1, 'keep me')]


@pytest.mark.parametrize('variables, overrides, named', [
    ({'taxi_type': 'yellow; DROP TABLE x'}, {}, 'taxi_type'),
    ({'month': '1; DROP TABLE x'}, {}, 'month'),
    ({}, {'POSTGRES_SCHEMA': 'magic; DROP SCHEMA public CASCADE --'}, 'POSTGRES_SCHEMA'),
])
def test_injection_attempts_are_refused_before_any_sql(mage_run, db, variables, overrides, named):
    schemas_before = query(db, 'SELECT nspname FROM pg_namespace ORDER BY 1')
    result = mage_run('api_to_postgres', {**month_vars(YELLOW_JAN), **variables}, **overrides)
    assert result.returncode != 0
    assert named in result.output and ('Invalid pipeline variables' in result.output or 'must match' in result.output)
    assert query(db, 'SELECT nspname FROM pg_namespace ORDER BY 1') == schemas_before
