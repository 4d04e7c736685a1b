"""The generated TLC parquet months: each period's schema as the real files have it, row groups, bytes."""
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from devstack.sample_month import SampleMonth
from devstack.sample_tlc_parquet import (ensure_tlc_parquet_file, generate_tlc_table, tlc_parquet_path,
                                         tlc_trip_data_url, write_tlc_parquet)

I32, I64, F64, STR, NULL = pa.int32(), pa.int64(), pa.float64(), pa.string(), pa.null()
NS, US = pa.timestamp('ns'), pa.timestamp('us')
CHARGES = [('fare_amount', F64), ('extra', F64), ('mta_tax', F64), ('tip_amount', F64), ('tolls_amount', F64)]


def yellow(vendor, time, passengers, ratecode, zone, airport_fee_name, cbd=False):
    return pa.schema([
        ('VendorID', vendor), ('tpep_pickup_datetime', time), ('tpep_dropoff_datetime', time),
        ('passenger_count', passengers), ('trip_distance', F64), ('RatecodeID', ratecode),
        ('store_and_fwd_flag', STR), ('PULocationID', zone), ('DOLocationID', zone), ('payment_type', I64),
        *CHARGES, ('improvement_surcharge', F64), ('total_amount', F64), ('congestion_surcharge', F64),
        (airport_fee_name, F64), *([('cbd_congestion_fee', F64)] if cbd else []),
    ])


def green(vendor, time, ehail_fee, cbd=False):
    return pa.schema([
        ('VendorID', vendor), ('lpep_pickup_datetime', time), ('lpep_dropoff_datetime', time),
        ('store_and_fwd_flag', STR), ('RatecodeID', F64), ('PULocationID', I64), ('DOLocationID', I64),
        ('passenger_count', F64), ('trip_distance', F64), *CHARGES, ('ehail_fee', ehail_fee),
        ('improvement_surcharge', F64), ('total_amount', F64), ('payment_type', F64), ('trip_type', F64),
        ('congestion_surcharge', F64), *([('cbd_congestion_fee', F64)] if cbd else []),
    ])


def fhv(time, zone, shared_ride):
    return pa.schema([('dispatching_base_num', STR), ('pickup_datetime', time), ('dropOff_datetime', time),
                      ('PUlocationID', zone), ('DOlocationID', zone), ('SR_Flag', shared_ride),
                      ('Affiliated_base_number', STR)])


YELLOW_2009 = pa.schema([
    ('vendor_name', STR), ('Trip_Pickup_DateTime', STR), ('Trip_Dropoff_DateTime', STR), ('Passenger_Count', I64),
    ('Trip_Distance', F64), ('Start_Lon', F64), ('Start_Lat', F64), ('Rate_Code', F64), ('store_and_forward', F64),
    ('End_Lon', F64), ('End_Lat', F64), ('Payment_Type', STR), ('Fare_Amt', F64), ('surcharge', F64),
    ('mta_tax', F64), ('Tip_Amt', F64), ('Tolls_Amt', F64), ('Total_Amt', F64),
])

EXPECTED = {
    ('yellow', 2021): yellow(I64, NS, F64, F64, I64, 'airport_fee'),
    ('yellow', 2022): yellow(I64, NS, F64, F64, I64, 'airport_fee'),
    ('yellow', 2023): yellow(I64, US, F64, F64, I64, 'Airport_fee'),
    ('yellow', 2024): yellow(I32, US, I64, I64, I32, 'Airport_fee'),
    ('yellow', 2025): yellow(I32, US, I64, I64, I32, 'airport_fee', cbd=True),
    ('yellow', 2009): YELLOW_2009,
    ('green', 2021): green(I64, NS, F64),
    ('green', 2022): green(I64, NS, NULL),
    ('green', 2023): green(I64, US, F64),
    ('green', 2025): green(I32, US, F64, cbd=True),
    ('fhv', 2019): fhv(NS, F64, I32),
    ('fhv', 2020): fhv(NS, I64, I32),
    ('fhv', 2023): fhv(US, I64, NULL),
}


@pytest.mark.parametrize('taxi_type, year', EXPECTED)
def test_each_period_has_the_real_schema_and_several_row_groups(tmp_path, taxi_type, year):
    path = ensure_tlc_parquet_file(tmp_path, SampleMonth(taxi_type, year, 1), rows=3_000)
    assert path == tmp_path / 'trip-data' / f'{taxi_type}_tripdata_{year}-01.parquet'
    schema = pq.read_schema(path).remove_metadata()
    assert schema.names == EXPECTED[taxi_type, year].names
    assert schema == EXPECTED[taxi_type, year], f'{taxi_type} {year}:\n{schema}'
    metadata = pq.ParquetFile(path).metadata
    assert metadata.num_rows == 3_000 and metadata.num_row_groups >= 3


@pytest.mark.parametrize('month', [SampleMonth('yellow', 2023, 1), SampleMonth('yellow', 2025, 1),
                                   SampleMonth('green', 2022, 1), SampleMonth('fhv', 2019, 2),
                                   SampleMonth('yellow', 2009, 1)], ids=str)
def test_same_seed_same_bytes(tmp_path, month):
    first = write_tlc_parquet(generate_tlc_table(month, 2_000, seed=7), tmp_path / 'a.parquet').read_bytes()
    second = write_tlc_parquet(generate_tlc_table(month, 2_000, seed=7), tmp_path / 'b.parquet').read_bytes()
    assert first == second
    assert write_tlc_parquet(generate_tlc_table(month, 2_000, seed=8), tmp_path / 'c.parquet').read_bytes() != first


def count(column, predicate) -> int:
    return pc.sum(predicate(column)).as_py() or 0


def test_taxi_months_keep_the_release_quirks():
    table = generate_tlc_table(SampleMonth('yellow', 2025, 1), 20_000)
    assert table['passenger_count'].null_count > 0 and count(table['passenger_count'], lambda c: pc.equal(c, 0)) > 0
    assert count(table['trip_distance'], lambda c: pc.equal(c, 0.0)) > 0
    assert count(table['fare_amount'], lambda c: pc.less(c, 0.0)) > 0
    assert table['RatecodeID'].null_count == table['store_and_fwd_flag'].null_count > 0
    assert table['VendorID'].null_count == 0 and {6, 7} <= set(table['VendorID'].to_pylist())
    assert table['payment_type'].null_count == 0 and 0 in table['payment_type'].to_pylist()
    pickups = table['tpep_pickup_datetime'].to_pylist()
    assert any((pickup.year, pickup.month) != (2025, 1) for pickup in pickups)
    assert all(dropoff > pickup for pickup, dropoff in zip(pickups, table['tpep_dropoff_datetime'].to_pylist()))
    older = generate_tlc_table(SampleMonth('yellow', 2022, 1), 5_000)
    assert older['payment_type'].null_count > 0  # empty, not 0, before 2023
    green_month = generate_tlc_table(SampleMonth('green', 2025, 1), 5_000)
    assert green_month['ehail_fee'].null_count == 5_000 and green_month['payment_type'].null_count > 0


def test_fhv_months_keep_their_quirks():
    table = generate_tlc_table(SampleMonth('fhv', 2019, 2), 5_000)
    assert table['PUlocationID'].null_count > 2_500 > table['DOlocationID'].null_count > 0
    assert set(table['SR_Flag'].to_pylist()) == {None, 1}
    assert table['Affiliated_base_number'].null_count > 0


def test_the_2009_layout_keeps_times_as_text_and_payment_as_words():
    table = generate_tlc_table(SampleMonth('yellow', 2009, 1), 2_000)
    assert table['Trip_Pickup_DateTime'][0].as_py().startswith('2009-')
    assert {'CASH', 'Credit'} <= set(table['Payment_Type'].to_pylist())
    assert table['Rate_Code'].null_count == 2_000 and count(table['Start_Lon'], lambda c: pc.equal(c, 0.0)) > 0


def test_the_served_url_base_is_the_trip_data_folder(tmp_path):
    assert tlc_trip_data_url('http://127.0.0.1:8765') == 'http://127.0.0.1:8765/trip-data'
    month = SampleMonth('yellow', 2023, 1)
    assert tlc_parquet_path(tmp_path, month).relative_to(tmp_path).as_posix() == 'trip-data/yellow_tripdata_2023-01.parquet'


def test_an_unmodelled_period_is_refused():
    with pytest.raises(ValueError, match='yellow 2010'):
        generate_tlc_table(SampleMonth('yellow', 2010, 1), 10)
