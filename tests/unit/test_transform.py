import pandas as pd
import pyarrow as pa
import pytest

from nyc_taxi.model.arrow import clean_arrow_schema, clean_table
from nyc_taxi.sources.release_csv import read_trip_file, trip_batches
from nyc_taxi.model.schema import schema_for
from nyc_taxi.model.month_summary import combine, totals
from nyc_taxi.model.transform import (TransformReport, camel_case_columns, clean_batch, clean_trips,
                                drop_missing_passenger_count)

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


@pytest.mark.parametrize('drop_missing', [False, True])
def test_batches_cleaned_one_by_one_give_exactly_the_whole_frame_path(yellow_jan_file, drop_missing):
    batches, summaries = [], []
    for batch in trip_batches(yellow_jan_file, YELLOW, block_size=16 << 10):
        clean, summary = clean_batch(batch, YELLOW, drop_missing)
        batches.append(clean)
        summaries.append(summary)
    whole, whole_report = clean_trips(read_trip_file(yellow_jan_file, YELLOW), YELLOW, drop_missing)
    assert len(batches) > 10 and TransformReport.of_summary(combine(summaries, 'yellow')) == whole_report
    assert pa.Table.from_batches(batches).equals(clean_table(whole, YELLOW))


def test_the_month_summary_counts_every_row_per_pickup_date(yellow_jan_file):
    summaries = [clean_batch(batch, YELLOW)[1] for batch in trip_batches(yellow_jan_file, YELLOW, block_size=16 << 10)]
    summary = combine(summaries, 'yellow').to_pandas().set_index('pickup_date')
    whole, _ = clean_trips(read_trip_file(yellow_jan_file, YELLOW), YELLOW)
    by_date = whole.groupby('tpep_pickup_date')
    assert summary['trips'].to_dict() == by_date.size().to_dict()
    assert summary['fare_amount'].round(6).to_dict() == by_date['fare_amount'].sum().round(6).to_dict()
    assert summary[['unknown_vendor_ids', 'passenger_count_not_positive', 'trip_distance_not_positive']].sum().sum() == 0
    assert summary.index.is_monotonic_increasing


def test_violations_are_counted_in_what_the_rules_keep(yellow_jan_file):
    batch = next(trip_batches(yellow_jan_file, YELLOW)).slice(0, 2)
    batch = batch.set_column(batch.schema.get_field_index('VendorID'), 'VendorID', pa.array([3, 1], pa.int16()))
    batch = batch.set_column(batch.schema.get_field_index('trip_distance'), 'trip_distance', pa.array([-1.0, 3.0]))
    batch = batch.set_column(batch.schema.get_field_index('passenger_count'), 'passenger_count',
                             pa.array([1, 2], pa.int16()))
    _, summary = clean_batch(batch, YELLOW)
    assert totals(summary)['trip_distance_not_positive'] == 1 and totals(summary)['unknown_vendor_ids'] == 1


def test_a_batch_without_rows_cleans_to_an_empty_batch_of_the_clean_schema(yellow_jan_file):
    empty = next(trip_batches(yellow_jan_file, YELLOW)).slice(0, 0)
    clean, summary = clean_batch(empty, YELLOW)
    assert clean.num_rows == 0 and clean.schema == clean_arrow_schema(YELLOW) and summary.num_rows == 0
