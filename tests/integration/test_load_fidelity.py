"""Our load path stores exactly what Postgres itself reads from the file (the benchmark's floor)."""
from __future__ import annotations

import gzip

import pytest

from tests.conftest import YELLOW_JAN
from tests.integration.expected import month_vars
from tests.integration.pg import query

pytestmark = pytest.mark.integration


def test_same_rows_as_postgres_own_csv_copy_of_the_file(mage_run, db, yellow_jan_file):
    assert mage_run('api_to_postgres', month_vars(YELLOW_JAN), POSTGRES_SCHEMA='fidelity').returncode == 0
    header = gzip.open(yellow_jan_file, 'rt').readline().strip().split(',')
    integer_codes = {'VendorID', 'passenger_count', 'RatecodeID', 'payment_type'}
    columns = ', '.join(f'"{name}" {"DOUBLE PRECISION" if name in integer_codes else "TEXT"}' for name in header)
    query(db, f'DROP TABLE IF EXISTS fidelity.floor; CREATE TABLE fidelity.floor ({columns}); SELECT 1')
    with db.cursor() as cursor, gzip.open(yellow_jan_file, 'rb') as source:
        cursor.copy_expert('COPY fidelity.floor FROM STDIN WITH (FORMAT csv, HEADER)', source)

    # The transform, in SQL, over what Postgres parsed itself.
    expected = '''
        SELECT "VendorID"::bigint, tpep_pickup_datetime::timestamp, tpep_dropoff_datetime::timestamp,
               passenger_count::bigint, trip_distance::float8, "RatecodeID"::bigint, store_and_fwd_flag,
               "PULocationID"::bigint, "DOLocationID"::bigint, payment_type::bigint, fare_amount::float8,
               extra::float8, mta_tax::float8, tip_amount::float8, tolls_amount::float8,
               improvement_surcharge::float8, total_amount::float8, congestion_surcharge::float8,
               tpep_pickup_datetime::timestamp::date
        FROM fidelity.floor
        WHERE coalesce(passenger_count, 1) <> 0 AND trip_distance::float8 <> 0'''
    ours = '''
        SELECT vendor_id, tpep_pickup_datetime, tpep_dropoff_datetime, passenger_count, trip_distance, ratecode_id,
               store_and_fwd_flag, pu_location_id, do_location_id, payment_type, fare_amount, extra, mta_tax,
               tip_amount, tolls_amount, improvement_surcharge, total_amount, congestion_surcharge, tpep_pickup_date
        FROM fidelity.yellow_taxi_trips'''
    assert query(db, f'SELECT count(*) FROM (({expected}) EXCEPT ALL ({ours})) missing') == [(0,)]
    assert query(db, f'SELECT count(*) FROM (({ours}) EXCEPT ALL ({expected})) extra') == [(0,)]
    assert query(db, 'SELECT count(*) FROM fidelity.yellow_taxi_trips')[0][0] > 0
