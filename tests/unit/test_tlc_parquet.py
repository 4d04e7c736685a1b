"""The TLC's parquet months read into the staged columns, whatever the month's drift."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from devstack.sample_tlc_parquet import tlc_parquet_path
from nyc_taxi.model.schema import CODE, schema_for
from nyc_taxi.model.transform import clean_batch
from nyc_taxi.sources.codes import TripFileError
from nyc_taxi.sources.tlc_parquet import tlc_batches
from tests.conftest import (SAMPLE_ROWS, TLC_FHV_2019_02, TLC_FHVHV_2021, TLC_FHVHV_2023_01, TLC_GREEN_2022_01,
                            TLC_YELLOW_2009_01, TLC_YELLOW_2023_01, TLC_YELLOW_2025_01)


def read(path, taxi_type):
    return pa.Table.from_batches(list(tlc_batches(path, schema_for(taxi_type), source='http://tlc/f.parquet')),
                                 schema=schema_for(taxi_type).staged_arrow_schema)


@pytest.mark.parametrize('month', [TLC_YELLOW_2023_01, TLC_YELLOW_2025_01, TLC_FHV_2019_02, TLC_GREEN_2022_01,
                                   TLC_FHVHV_2021[-1], TLC_FHVHV_2023_01],
                         ids=lambda month: month.file_stem)
def test_every_layout_reads_into_the_staged_columns_row_group_by_row_group(trip_data_dir, month):
    path = tlc_parquet_path(trip_data_dir, month)
    batches = list(tlc_batches(path, schema_for(month.taxi_type)))
    assert len(batches) == pq.ParquetFile(path).num_row_groups >= 3
    table = pa.Table.from_batches(batches)
    assert table.schema == schema_for(month.taxi_type).staged_arrow_schema and table.num_rows == SAMPLE_ROWS
    original = pq.read_table(path)
    for name in original.column_names:
        staged = next(field.name for field in table.schema if field.name.lower() == name.lower())
        expected = original.column(name)
        if pa.types.is_floating(expected.type) and table.schema.field(staged).type == CODE:
            expected = pc.cast(expected, CODE)
        assert table.column(staged).to_pylist() == pc.cast(expected, table.schema.field(staged).type).to_pylist() \
            if not pa.types.is_null(expected.type) else table.column(staged).null_count == SAMPLE_ROWS


def test_airport_fee_spelled_either_way_lands_in_one_column(trip_data_dir):
    capital = read(tlc_parquet_path(trip_data_dir, TLC_YELLOW_2023_01), 'yellow')
    lower = read(tlc_parquet_path(trip_data_dir, TLC_YELLOW_2025_01), 'yellow')
    assert capital.column('airport_fee').null_count < capital.num_rows
    assert capital.column('cbd_congestion_fee').null_count == capital.num_rows
    assert lower.column('cbd_congestion_fee').null_count < lower.num_rows


def test_fhv_float_zone_ids_become_codes_and_every_row_is_kept(trip_data_dir):
    table = read(tlc_parquet_path(trip_data_dir, TLC_FHV_2019_02), 'fhv')
    assert table.schema.field('PUlocationID').type == CODE and table.column('PUlocationID').null_count > 0
    clean, summary = clean_batch(table.to_batches()[0], schema_for('fhv'))
    assert clean.num_rows == table.to_batches()[0].num_rows
    assert pc.sum(summary.column('trips_without_pickup_zone')).as_py() == table.to_batches()[0].column(
        'PUlocationID').null_count


def test_the_2009_layout_is_refused_naming_what_is_missing(trip_data_dir):
    with pytest.raises(TripFileError, match=r'http://tlc/f.parquet lacks the column\(s\) VendorID, '
                                            r'tpep_pickup_datetime.*coordinates instead of zone ids'):
        read(tlc_parquet_path(trip_data_dir, TLC_YELLOW_2009_01), 'yellow')


def test_a_missing_required_column_is_named(tmp_path, trip_data_dir):
    path = tmp_path / 'f.parquet'
    pq.write_table(pq.read_table(tlc_parquet_path(trip_data_dir, TLC_YELLOW_2023_01)).drop_columns(['trip_distance']),
                   path)
    with pytest.raises(TripFileError, match=r'lacks the column\(s\) trip_distance of yellow trips'):
        read(path, 'yellow')


def test_a_fraction_in_a_code_is_refused_naming_column_and_row_group(tmp_path, trip_data_dir):
    table = pq.read_table(tlc_parquet_path(trip_data_dir, TLC_YELLOW_2023_01))
    rates = table.column('RatecodeID').to_pylist()
    rates[2500] = 1.5
    path = tmp_path / 'f.parquet'
    pq.write_table(table.set_column(table.schema.get_field_index('RatecodeID'), 'RatecodeID',
                                    pa.array(rates, pa.float64())), path, row_group_size=1000)
    with pytest.raises(TripFileError, match=r'http://tlc/f.parquet, row group 2 \(row 2501 of the file\), '
                                            r'column RatecodeID: 1.5 is not a whole number'):
        read(path, 'yellow')


def test_a_body_that_is_not_parquet_is_named(tmp_path):
    path = tmp_path / 'f.parquet'
    path.write_text('<html>Access Denied</html>')
    with pytest.raises(TripFileError, match=r"http://tlc/f.parquet is not a parquet file \(it starts with b'<htm'\)"):
        read(path, 'yellow')


def test_a_column_no_schema_declares_is_refused_by_name(tmp_path, trip_data_dir):
    table = pq.read_table(tlc_parquet_path(trip_data_dir, TLC_YELLOW_2025_01))
    path = tmp_path / 'f.parquet'
    pq.write_table(table.append_column('surge_fee', pa.array([0.5] * table.num_rows)), path)
    with pytest.raises(TripFileError, match=r'surge_fee are not in the yellow schema'):
        read(path, 'yellow')
