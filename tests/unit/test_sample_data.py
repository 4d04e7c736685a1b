import gzip

from devstack.sample_data import generate_trips, write_trip_file
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for


def test_same_seed_same_bytes(tmp_path):
    request = MonthRequest(taxi_type='green', year=2020, month=2)
    first = write_trip_file(generate_trips(request, 500, seed=7), tmp_path / 'a.csv.gz').read_bytes()
    second = write_trip_file(generate_trips(request, 500, seed=7), tmp_path / 'b.csv.gz').read_bytes()
    assert first == second


def test_files_keep_the_real_columns_and_quirks(tmp_path):
    for taxi_type, count in (('yellow', 18), ('green', 20)):
        request = MonthRequest(taxi_type=taxi_type, year=2021, month=1)
        text = gzip.decompress(write_trip_file(generate_trips(request, 5000), tmp_path / 'f.csv.gz').read_bytes())
        lines = text.decode().splitlines()
        assert lines[0].split(',') == list(schema_for(taxi_type).source_columns)
        assert len(lines[0].split(',')) == count
        rows = [line.split(',') for line in lines[1:]]
        columns = {name: [row[i] for row in rows] for i, name in enumerate(lines[0].split(','))}
        assert '' in columns['VendorID'] and '' in columns['passenger_count']
        assert '1.0' in columns['passenger_count'] and '0.0' in columns['passenger_count']
        assert '0.0' in columns['trip_distance']
        assert any(value.startswith('-') for value in columns['fare_amount'])
        assert any(len(value.split('.')[-1]) > 2 for value in columns['total_amount'])
        pickups = columns[schema_for(taxi_type).pickup_datetime]
        assert any(not value.startswith('2021-01') for value in pickups)
        if taxi_type == 'green':
            assert set(columns['ehail_fee']) == {''}
