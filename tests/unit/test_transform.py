import pandas as pd
import pytest

from nyc_taxi.parse import read_trip_file
from nyc_taxi.schema import schema_for
from nyc_taxi.transform import camel_case_columns, clean_trips, drop_missing_passenger_count

YELLOW = schema_for('yellow')


def frame(passengers, distances):
    return pd.DataFrame({
        'VendorID': pd.array([1] * len(passengers), dtype='Int64'),
        'tpep_pickup_datetime': pd.to_datetime(['2021-01-01 23:59:59'] * len(passengers)),
        'passenger_count': pd.array(passengers, dtype='Int64'),
        'trip_distance': distances,
        'PULocationID': pd.array([1] * len(passengers), dtype='Int64'),
    })


def test_drops_zero_passenger_and_zero_distance_trips_and_counts_each_rule_once():
    clean, report = clean_trips(frame([0, 1, None, 2, 0], [1.0, 0.0, 3.0, 4.0, 0.0]), YELLOW)
    assert clean['passenger_count'].tolist() == [pd.NA, 2]
    assert (report.rows_in, report.dropped_zero_passengers, report.dropped_zero_distance, report.rows_out) == (
        5, 2, 1, 2)


def test_homework_option_also_drops_unknown_passenger_counts_and_counts_them_apart():
    clean, report = clean_trips(frame([0, 1, None, 2, None], [1.0, 0.0, 3.0, 4.0, 0.0]), YELLOW,
                                drop_missing_passengers=True)
    assert clean['passenger_count'].tolist() == [2]
    assert (report.dropped_zero_passengers, report.dropped_zero_distance, report.dropped_missing_passengers,
            report.rows_out) == (1, 2, 1, 1)
    assert 'no passenger_count (drop_missing_passenger_count)' in str(report)


@pytest.mark.parametrize('value, expected', [(None, False), ('', False), (False, False), ('true', True),
                                             (1, True), ('no', False)])
def test_drop_missing_passenger_count_variable(value, expected):
    assert drop_missing_passenger_count({'drop_missing_passenger_count': value}) is expected


def test_drop_missing_passenger_count_nonsense_is_named():
    with pytest.raises(ValueError, match="drop_missing_passenger_count='maybe'"):
        drop_missing_passenger_count({'drop_missing_passenger_count': 'maybe'})


def test_renames_to_snake_case_and_adds_the_pickup_date():
    clean, _ = clean_trips(frame([1], [1.0]), YELLOW)
    assert not camel_case_columns(clean)
    assert {'vendor_id', 'pu_location_id', 'tpep_pickup_date'} <= set(clean.columns)
    assert str(clean['tpep_pickup_date'][0]) == '2021-01-01'


def test_is_idempotent_on_clean_data(yellow_jan_file):
    once, _ = clean_trips(read_trip_file(yellow_jan_file, YELLOW), YELLOW)
    twice, report = clean_trips(once, YELLOW)
    pd.testing.assert_frame_equal(once, twice)
    assert report.rows_in == report.rows_out
