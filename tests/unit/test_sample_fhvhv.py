"""The generated High Volume For-Hire months: the release's CSV and the TLC's parquet layouts, their quirks,
row groups and bytes."""
import gzip

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from devstack.sample_fhvhv import generate_fhvhv_trips
from devstack.sample_fhvhv_csv import HEADER, ensure_fhvhv_csv_file, fhvhv_csv_path, write_fhvhv_csv
from devstack.sample_month import SampleMonth
from devstack.sample_tlc_parquet import (ensure_fhvhv_parquet_file, generate_tlc_table, tlc_parquet_path,
                                         write_tlc_parquet, write_tlc_parquet_chunks)

JAN_2021 = SampleMonth('fhvhv', 2021, 1)
JUN_2021 = SampleMonth('fhvhv', 2021, 6)
COLUMNS = ['hvfhs_license_num', 'dispatching_base_num', 'originating_base_num', 'request_datetime',
           'on_scene_datetime', 'pickup_datetime', 'dropoff_datetime', 'PULocationID', 'DOLocationID',
           'trip_miles', 'trip_time', 'base_passenger_fare', 'tolls', 'bcf', 'sales_tax', 'congestion_surcharge',
           'airport_fee', 'tips', 'driver_pay', 'shared_request_flag', 'shared_match_flag', 'access_a_ride_flag',
           'wav_request_flag', 'wav_match_flag']
FLAGS = ['shared_request_flag', 'shared_match_flag', 'access_a_ride_flag', 'wav_request_flag', 'wav_match_flag']


def fields(path):
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    return lines[0], [line.split(',') for line in lines[1:]]


def test_csv_same_seed_same_bytes_whatever_the_chunks_written_so_far(tmp_path):
    first = write_fhvhv_csv(tmp_path / 'a.csv.gz', JAN_2021, 2_500, seed=7, chunk_rows=1_000).read_bytes()
    second = write_fhvhv_csv(tmp_path / 'b.csv.gz', JAN_2021, 2_500, seed=7, chunk_rows=1_000).read_bytes()
    assert first == second
    assert write_fhvhv_csv(tmp_path / 'c.csv.gz', JAN_2021, 2_500, seed=8, chunk_rows=1_000).read_bytes() != first


def test_csv_chunks_make_one_file_with_one_header(tmp_path):
    header, rows = fields(write_fhvhv_csv(tmp_path / 'f.csv.gz', JAN_2021, 2_500, chunk_rows=1_000))
    assert header == HEADER == ('hvfhs_license_num,dispatching_base_num,pickup_datetime,dropoff_datetime,'
                                'PULocationID,DOLocationID,SR_Flag')
    assert len(rows) == 2_500 and all(len(row) == 7 for row in rows)
    assert not any(row[0] == 'hvfhs_license_num' for row in rows)


def test_csv_keeps_the_release_layout(tmp_path):
    _, rows = fields(write_fhvhv_csv(tmp_path / 'f.csv.gz', SampleMonth('fhvhv', 2019, 3), 5_000))
    licence, base, pickup, dropoff, pu, do, shared = zip(*rows)
    assert {'HV0003', 'HV0005', 'HV0004'} <= set(licence) <= {'HV0002', 'HV0003', 'HV0004', 'HV0005'}
    assert all(value[0] == 'B' and value[1:].isdigit() and len(value) == 6 for value in base)
    assert all(len(value) == 19 and value[10] == ' ' for value in pickup + dropoff)
    assert all(d > p for p, d in zip(pickup, dropoff))
    assert all(value.isdigit() and 1 <= int(value) <= 265 for value in pu + do)  # integers, never empty
    assert set(shared) == {'', '1'} and 0 < sum(value == '1' for value in shared) < len(rows) / 10
    assert '"' not in gzip.decompress((tmp_path / 'f.csv.gz').read_bytes()).decode()


def test_csv_values_are_the_parquet_generators(tmp_path):
    _, rows = fields(write_fhvhv_csv(tmp_path / 'f.csv.gz', JAN_2021, 300))
    trips = generate_fhvhv_trips(JAN_2021, 300)
    assert [row[0] for row in rows] == trips['hvfhs_license_num'].to_pylist()
    assert [int(row[4]) for row in rows] == trips['PULocationID'].to_pylist()
    assert [row[2] for row in rows] == [str(time) for time in trips['pickup_datetime'].to_pylist()]


def test_parquet_same_seed_same_bytes(tmp_path):
    month = SampleMonth('fhvhv', 2023, 2)
    first = write_tlc_parquet(generate_tlc_table(month, 2_000, seed=7), tmp_path / 'a.parquet').read_bytes()
    second = write_tlc_parquet(generate_tlc_table(month, 2_000, seed=7), tmp_path / 'b.parquet').read_bytes()
    assert first == second
    assert write_tlc_parquet(generate_tlc_table(month, 2_000, seed=8), tmp_path / 'c.parquet').read_bytes() != first


@pytest.mark.parametrize('year, zone, airport_fee', [(2021, pa.int64(), pa.null()), (2022, pa.int64(), pa.float64()),
                                                     (2023, pa.int32(), pa.float64()), (2025, pa.int32(), pa.float64())])
def test_each_period_has_its_layout(year, zone, airport_fee):
    schema = generate_tlc_table(SampleMonth('fhvhv', year, 2), 100).schema
    assert schema.names == COLUMNS + (['cbd_congestion_fee'] if year >= 2025 else [])
    assert schema.field('PULocationID').type == schema.field('DOLocationID').type == zone
    assert schema.field('airport_fee').type == airport_fee
    assert schema.field('trip_time').type == pa.int64()
    assert all(schema.field(name).type == pa.timestamp('us') for name in COLUMNS if name.endswith('_datetime'))
    assert all(schema.field(name).type == pa.string() for name in FLAGS)


def test_parquet_keeps_the_tlc_quirks():
    table = generate_tlc_table(JUN_2021, 20_000)
    nulls = {name: table[name].null_count for name in table.column_names if table.schema.field(name).type != pa.null()}
    assert {name for name, count in nulls.items() if count} == {'on_scene_datetime', 'originating_base_num'}
    lyft = pc.equal(table['hvfhs_license_num'], 'HV0005')
    assert table['on_scene_datetime'].null_count == pc.sum(lyft).as_py() > 0  # null for Lyft, and only there
    assert table.filter(lyft)['originating_base_num'].null_count == pc.sum(lyft).as_py()
    assert table['originating_base_num'].null_count > pc.sum(lyft).as_py()  # and for a few others
    assert set(table.filter(lyft)['access_a_ride_flag'].to_pylist()) == {' '}
    assert set(table['access_a_ride_flag'].to_pylist()) == {'N', ' '}
    assert set(table['hvfhs_license_num'].to_pylist()) == {'HV0003', 'HV0004', 'HV0005'}  # no Juno after 2019
    assert 0 < pc.sum(pc.less(table['base_passenger_fare'], 0)).as_py() < 500  # refunds
    assert pc.min(table['trip_miles']).as_py() >= 0 and pc.min(table['PULocationID']).as_py() >= 1
    assert pc.max(table['DOLocationID']).as_py() <= 265
    seconds = pc.divide(pc.cast(pc.subtract(table['dropoff_datetime'], table['pickup_datetime']), pa.int64()),
                        1_000_000)
    assert seconds.to_pylist() == table['trip_time'].to_pylist()
    assert pc.all(pc.less_equal(table['request_datetime'], table['pickup_datetime'])).as_py()
    assert pc.all(pc.less_equal(table['on_scene_datetime'], table['pickup_datetime'])).as_py()
    assert all(time.microsecond == 0 for time in table['on_scene_datetime'].to_pylist() if time)  # whole seconds
    assert set(table['congestion_surcharge'].to_pylist()) == {0.0, 2.75}
    assert set(table['shared_match_flag'].filter(pc.equal(table['shared_request_flag'], 'N')).to_pylist()) == {'N'}
    assert any(pickup.month != 6 for pickup in table['pickup_datetime'].to_pylist())
    assert table['airport_fee'].null_count == len(table)


def test_later_months_charge_the_airport_and_congestion_pricing_fees():
    airport_fee = generate_tlc_table(SampleMonth('fhvhv', 2022, 3), 5_000)['airport_fee']
    assert set(airport_fee.to_pylist()) == {0.0, 2.5} and airport_fee.null_count == 0
    later = generate_tlc_table(SampleMonth('fhvhv', 2025, 3), 5_000)
    assert set(later['cbd_congestion_fee'].to_pylist()) == {0.0, 1.5}
    assert 'HV0004' not in later['hvfhs_license_num'].to_pylist()  # Via stopped after 2021
    assert 'HV0002' in generate_tlc_table(SampleMonth('fhvhv', 2019, 3), 5_000)['hvfhs_license_num'].to_pylist()


def test_the_chunked_writer_makes_a_row_group_a_chunk(tmp_path):
    first = write_tlc_parquet_chunks(tmp_path / 'a.parquet', JUN_2021, 2_500, seed=7, row_group_rows=1_000)
    metadata = pq.ParquetFile(first).metadata
    assert [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)] == [1_000, 1_000, 500]
    second = write_tlc_parquet_chunks(tmp_path / 'b.parquet', JUN_2021, 2_500, seed=7, row_group_rows=1_000)
    assert first.read_bytes() == second.read_bytes()
    table = pq.read_table(first)
    assert table.schema.remove_metadata() == generate_tlc_table(JUN_2021, 10).schema
    assert table.slice(0, 1_000).to_pylist() != table.slice(1_000, 1_000).to_pylist()  # each chunk its own trips
    # One chunk is the month written whole.
    whole = write_tlc_parquet(generate_tlc_table(JUN_2021, 800, seed=7), tmp_path / 'c.parquet', 1_000)
    assert write_tlc_parquet_chunks(tmp_path / 'd.parquet', JUN_2021, 800, 7, 1_000).read_bytes() == whole.read_bytes()


def test_ensure_writes_each_layout_once(tmp_path):
    path = ensure_fhvhv_parquet_file(tmp_path, JUN_2021, rows=2_500, row_group_rows=1_000)
    assert path == tlc_parquet_path(tmp_path, JUN_2021) == tmp_path / 'trip-data' / 'fhvhv_tripdata_2021-06.parquet'
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    written = path.stat().st_mtime_ns
    assert ensure_fhvhv_parquet_file(tmp_path, JUN_2021, rows=100).stat().st_mtime_ns == written
    csv = ensure_fhvhv_csv_file(tmp_path, JAN_2021, rows=100)
    assert csv == fhvhv_csv_path(tmp_path, JAN_2021) == tmp_path / 'fhvhv' / 'fhvhv_tripdata_2021-01.csv.gz'
    written = csv.stat().st_mtime_ns
    assert ensure_fhvhv_csv_file(tmp_path, JAN_2021, rows=200).stat().st_mtime_ns == written
    assert not list(tmp_path.rglob('*.partial'))
    with pytest.raises(ValueError, match='fhvhv'):
        ensure_fhvhv_parquet_file(tmp_path, SampleMonth('fhv', 2021, 6), rows=100)
