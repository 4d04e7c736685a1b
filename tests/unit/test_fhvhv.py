"""High-volume FHV trips: both layouts read into one set of columns, and the rules every trip keeps."""
from __future__ import annotations

import gzip
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.model.month_summary import combine, examples, totals
from nyc_taxi.model.rules import rules_for
from nyc_taxi.model.schema import CODE, SECONDS, schema_for, schema_of
from nyc_taxi.model.transform import clean_batch
from nyc_taxi.model.transform_sql import summary_query
from nyc_taxi.sources.codes import TripFileError
from nyc_taxi.sources.release_csv import trip_batches
from nyc_taxi.sources.tlc_parquet import tlc_batches
from nyc_taxi.staging.staged_month import summary_frame

FHVHV = schema_for('fhvhv')
RELEASE_HEADER = 'hvfhs_license_num,dispatching_base_num,pickup_datetime,dropoff_datetime,PULocationID,DOLocationID,SR_Flag'


def tlc_month(rows: int = 4, ids: pa.DataType = pa.int64(), airport_fee: pa.DataType = pa.null(), **replaced) -> pa.Table:
    """A TLC-layout month: licences HV0003/HV0005, a refund, Lyft's ' ' access_a_ride_flag and null on-scene time."""
    pickup = [datetime(2021, 6, day, 8, 0, 0) for day in range(1, rows + 1)]
    columns = {
        'hvfhs_license_num': pa.array(['HV0003', 'HV0005'] * (rows // 2)),
        'dispatching_base_num': pa.array(['B02764', 'B02510'] * (rows // 2)),
        'originating_base_num': pa.array(['B02764', None] * (rows // 2)),
        'request_datetime': pa.array(pickup, pa.timestamp('us')),
        'on_scene_datetime': pa.array([pickup[0], None] * (rows // 2), pa.timestamp('us')),
        'pickup_datetime': pa.array(pickup, pa.timestamp('us')),
        'dropoff_datetime': pa.array([moment.replace(hour=10) for moment in pickup], pa.timestamp('us')),
        'PULocationID': pa.array([1, 265] * (rows // 2), ids),
        'DOLocationID': pa.array([132, 138] * (rows // 2), ids),
        'trip_miles': pa.array([3.5] * rows),
        'trip_time': pa.array([7_200] * rows, pa.int64()),  # 2 h; trips past int16's 9 h are real too
        'base_passenger_fare': pa.array([20.0, -20.0] * (rows // 2)),
        **{name: pa.array([1.0] * rows) for name in ('tolls', 'bcf', 'sales_tax', 'congestion_surcharge')},
        'airport_fee': pa.nulls(rows) if airport_fee == pa.null() else pa.array([2.5] * rows, airport_fee),
        'tips': pa.array([0.0] * rows),
        'driver_pay': pa.array([15.0] * rows),
        'shared_request_flag': pa.array(['N'] * rows),
        'shared_match_flag': pa.array(['N'] * rows),
        'access_a_ride_flag': pa.array(['N', ' '] * (rows // 2)),
        'wav_request_flag': pa.array(['N'] * rows),
        'wav_match_flag': pa.array(['N'] * rows),
    }
    columns.update(replaced)
    return pa.table(columns)


def transformer_module():
    """The transformer block's file as a module, its Mage decorators as plain functions."""
    path = Path(__file__).parents[2] / 'magic-zoomcamp' / 'transformers' / 'transform_taxi_data.py'
    identity = lambda function: function  # noqa: E731
    namespace = {'transformer': identity, 'test': identity, '__name__': 'transform_taxi_data'}
    exec(compile(path.read_text(), str(path), 'exec'), namespace)
    return SimpleNamespace(**namespace)


def read_tlc(tmp_path, table: pa.Table, row_group_size: int = 2) -> pa.Table:
    path = tmp_path / 'fhvhv_tripdata_2021-06.parquet'
    pq.write_table(table, path, row_group_size=row_group_size)
    return pa.Table.from_batches(list(tlc_batches(path, FHVHV, source='http://tlc/fhvhv.parquet')),
                                 schema=FHVHV.staged_arrow_schema)


def test_the_clean_columns_are_the_tlc_names_in_snake_case_then_sr_flag_and_the_later_ones():
    clean = clean_arrow_schema(FHVHV)
    assert clean.names[:9] == ['hvfhs_license_num', 'dispatching_base_num', 'originating_base_num',
                               'request_datetime', 'on_scene_datetime', 'pickup_datetime', 'dropoff_datetime',
                               'pu_location_id', 'do_location_id']
    assert clean.names[-3:] == ['sr_flag', 'cbd_congestion_fee', 'pickup_date']
    assert clean.field('trip_time').type == SECONDS and clean.field('pu_location_id').type == CODE
    assert clean.field('access_a_ride_flag').type == pa.string()
    assert schema_of(clean.names) is FHVHV and schema_of(FHVHV.staged_columns) is FHVHV
    assert schema_of(schema_for('fhv').staged_columns) is schema_for('fhv')


@pytest.mark.parametrize('ids', [pa.int32(), pa.int64()])
def test_a_tlc_month_reads_with_either_id_width_and_a_null_typed_column(tmp_path, ids):
    table = read_tlc(tmp_path, tlc_month(ids=ids))
    assert table.column('PULocationID').to_pylist() == [1, 265, 1, 265]
    assert table.column('airport_fee').null_count == 4 and table.column('SR_Flag').null_count == 4
    assert table.column('cbd_congestion_fee').null_count == 4
    assert table.column('trip_time').type == SECONDS and table.column('trip_time').to_pylist() == [7_200] * 4
    assert table.column('access_a_ride_flag').to_pylist() == ['N', ' ', 'N', ' ']
    assert table.column('on_scene_datetime').null_count == 2


def test_a_fraction_in_trip_time_is_refused_naming_column_and_row_group(tmp_path):
    with pytest.raises(TripFileError, match=r'http://tlc/fhvhv.parquet, row group 1 \(row 4 of the file\), '
                                            r'column trip_time: 7200.5 is not a whole number'):
        read_tlc(tmp_path, tlc_month(trip_time=pa.array([7_200.0, 7_200.0, 7_200.0, 7_200.5])))


def test_a_tlc_month_without_the_licence_column_is_refused(tmp_path):
    with pytest.raises(TripFileError, match=r'lacks the column\(s\) hvfhs_license_num of fhvhv trips'):
        read_tlc(tmp_path, tlc_month().drop_columns(['hvfhs_license_num']))


def test_a_release_month_fills_its_seven_columns_and_leaves_the_others_null(tmp_path):
    path = tmp_path / 'fhvhv_tripdata_2021-01.csv.gz'
    path.write_bytes(gzip.compress((RELEASE_HEADER + '\n'
                                    'HV0003,B02764,2021-01-01 00:33:44,2021-01-01 00:49:07,230,166,\n'
                                    'HV0005,B02510,2021-01-01 00:55:19,2021-01-01 01:18:21,152,167,1\n').encode()))
    table = pa.Table.from_batches(list(trip_batches(path, FHVHV)), schema=FHVHV.staged_arrow_schema)
    assert table.column('SR_Flag').to_pylist() == [None, 1]
    assert table.column('PULocationID').to_pylist() == [230, 152]
    filled = {'hvfhs_license_num', 'dispatching_base_num', 'pickup_datetime', 'dropoff_datetime', 'PULocationID',
              'DOLocationID', 'SR_Flag'}
    assert {name for name in table.column_names if table.column(name).null_count == 2} == (
        set(FHVHV.staged_columns) - filled)


def test_a_release_month_without_the_licence_column_is_refused(tmp_path):
    path = tmp_path / 'fhvhv_tripdata_2021-01.csv.gz'
    path.write_bytes(gzip.compress(RELEASE_HEADER.replace('hvfhs_license_num,', '').encode() + b'\n'))
    with pytest.raises(TripFileError, match=r'header lacks the column\(s\) hvfhs_license_num expected for fhvhv'):
        list(trip_batches(path, FHVHV))


def test_every_trip_is_kept_refunds_included_and_counted_per_licensee(tmp_path):
    batch = read_tlc(tmp_path, tlc_month(), row_group_size=4).to_batches()[0]
    clean, summary = clean_batch(batch, FHVHV)
    assert clean.num_rows == 4 and clean.schema == clean_arrow_schema(FHVHV)
    assert clean.column('pickup_date').to_pylist()[0] == date(2021, 6, 1)
    total = totals(summary)
    assert (total['rows_in'], total['trips'], total['uber_trips'], total['lyft_trips'], total['via_trips']) == (
        4, 4, 2, 2, 0)
    assert total['base_passenger_fare'] == 0.0 and total['trip_miles'] == 14.0
    assert total['unknown_hvfhs_license_num'] == total['location_ids_not_zones'] == 0


def test_an_unknown_or_missing_licence_and_a_trip_outside_the_zones_are_violations(tmp_path):
    batch = read_tlc(tmp_path, tlc_month(hvfhs_license_num=pa.array(['HV0003', 'HV0009', None, 'HV0005']),
                                         PULocationID=pa.array([1, 2, 3, 266])), row_group_size=4).to_batches()[0]
    clean, summary = clean_batch(batch, FHVHV)
    total = totals(summary)
    assert total['unknown_hvfhs_license_num'] == 2 and total['location_ids_not_zones'] == 1
    assert pc.sum(clean.column('trip_time')).as_py() == 4 * 7_200
    # The summary keeps the value that broke the rule, per date and over batches combined, for the @test.
    whole = summary_frame(combine([summary, clean_batch(batch.slice(0, 1), FHVHV)[1]], 'fhvhv'), FHVHV)
    rule = next(rule for rule in rules_for('fhvhv').violations if rule.name == 'unknown_hvfhs_license_num')
    assert examples(whole, rule) == ['HV0009']
    assert summary_query(FHVHV, 's', 'c', False).count(
        "MIN(IF(COALESCE((`hvfhs_license_num` IS NULL OR (`hvfhs_license_num` IS NOT NULL AND `hvfhs_license_num` NOT "
        "IN ('HV0002', 'HV0003', 'HV0004', 'HV0005'))), FALSE), `hvfhs_license_num`, NULL))") == 1


def test_the_transformer_test_names_the_unknown_licence(tmp_path):
    batch = read_tlc(tmp_path, tlc_month(hvfhs_license_num=pa.array(['HV0003', 'HV0009', 'HV0003', 'HV0005'])),
                     row_group_size=4).to_batches()[0]
    summary = summary_frame(clean_batch(batch, FHVHV)[1], FHVHV)
    with pytest.raises(AssertionError, match=r"unknown_hvfhs_license_num \(hvfhs_license_num empty or not one of "
                                             r"HV0002 \(Juno\), HV0003 \(Uber\), HV0004 \(Via\), HV0005 "
                                             r"\(Lyft\)\)': 1.*values: \{'unknown_hvfhs_license_num': \['HV0009'\]\}"):
        transformer_module().test_kept_trips_break_no_rule(None, summary)
