import gzip
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from nyc_taxi.sources.release_csv import TripFileError, read_trip_file, trip_batches
from nyc_taxi.model.schema import schema_for

YELLOW = schema_for('yellow')
HEADER = ','.join(YELLOW.source_columns)
ROW = '1,2021-01-01 00:30:10,2021-01-01 00:36:12,1.0,2.1,1.0,N,142,43,2,8,3,0.5,0,0,0.3,11.8,2.5'
MISSING_DISPATCH_ROW = ',2021-01-01 00:30:10,2021-01-01 00:36:12,,2.1,,,142,43,,8,3,0.5,0,0,0.3,11.799999999999999,2.5'


def write_gz(path: Path, *lines: str) -> Path:
    path.write_bytes(gzip.compress(('\n'.join(lines) + '\n').encode()))
    return path


def test_generated_month_reads_with_the_declared_dtypes(yellow_jan_file):
    trips = read_trip_file(yellow_jan_file, YELLOW)
    assert list(trips.columns) == list(YELLOW.staged_columns)
    for name in YELLOW.code_columns:
        assert trips[name].dtype == pd.Int16Dtype(), name
    assert trips['tpep_pickup_datetime'].dtype == 'datetime64[ns]'
    assert trips['trip_distance'].dtype == 'float64'
    assert trips['VendorID'].isna().any() and trips['passenger_count'].isna().any()


def test_float_written_codes_become_integers_and_empty_fields_nulls(tmp_path):
    trips = read_trip_file(write_gz(tmp_path / 'f.csv.gz', HEADER, ROW, MISSING_DISPATCH_ROW), YELLOW)
    assert trips['passenger_count'].tolist() == [1, pd.NA]
    assert trips['store_and_fwd_flag'].tolist()[0] == 'N' and pd.isna(trips['store_and_fwd_flag'][1])
    assert trips['total_amount'][1] == 11.799999999999999


def test_header_only_file_gives_no_rows(tmp_path):
    trips = read_trip_file(write_gz(tmp_path / 'f.csv.gz', HEADER), YELLOW)
    assert len(trips) == 0 and list(trips.columns) == list(YELLOW.staged_columns)


def test_a_later_column_is_read_when_present_and_null_when_absent(tmp_path):
    trips = read_trip_file(write_gz(tmp_path / 'f.csv.gz', HEADER + ',airport_fee', ROW + ',1.25'), YELLOW)
    assert list(trips.columns) == list(YELLOW.staged_columns)
    assert trips['airport_fee'].tolist() == [1.25] and trips['cbd_congestion_fee'].isna().all()


def test_a_column_no_schema_knows_is_refused_by_name(tmp_path):
    with pytest.raises(TripFileError, match=r'http://src/f.csv.gz: the column\(s\) surge_fee are not in the yellow '
                                            r'schema.*later_columns in nyc_taxi/model/schema.py'):
        read_trip_file(write_gz(tmp_path / 'f.csv.gz', HEADER + ',surge_fee', ROW + ',1.25'), YELLOW,
                       source='http://src/f.csv.gz')


def test_not_gzip_is_named(tmp_path):
    path = tmp_path / 'f.csv.gz'
    path.write_text(HEADER + '\n' + ROW + '\n')
    with pytest.raises(TripFileError, match='http://src/f.csv.gz is not a gzip file'):
        read_trip_file(path, YELLOW, source='http://src/f.csv.gz')


def test_truncated_gzip_is_named(tmp_path, yellow_jan_file):
    path = tmp_path / 'f.csv.gz'
    path.write_bytes(yellow_jan_file.read_bytes()[:20_000])
    with pytest.raises(TripFileError, match='not a complete gzip stream'):
        read_trip_file(path, YELLOW)


def test_missing_column_is_named(tmp_path):
    header = HEADER.replace('fare_amount', 'fare')
    with pytest.raises(TripFileError, match='lacks the column.s. fare_amount'):
        read_trip_file(write_gz(tmp_path / 'f.csv.gz', header, ROW), YELLOW)


def test_unparsable_value_names_line_and_column(tmp_path):
    bad = ROW.replace('2.1', 'two', 1)
    with pytest.raises(TripFileError, match=r"line 3, column trip_distance: cannot read 'two'"):
        read_trip_file(write_gz(tmp_path / 'f.csv.gz', HEADER, ROW, bad), YELLOW)


def test_fractional_code_names_line_and_column(tmp_path):
    bad = ROW.replace(',1.0,2.1,', ',1.5,2.1,', 1)
    with pytest.raises(TripFileError, match=r'line 2, column passenger_count: 1.5 is not a whole number'):
        read_trip_file(write_gz(tmp_path / 'f.csv.gz', HEADER, bad), YELLOW)


def test_row_with_missing_fields_is_named(tmp_path):
    with pytest.raises(TripFileError, match=r'line 3: expected 18 fields, found 17'):
        read_trip_file(write_gz(tmp_path / 'f.csv.gz', HEADER, ROW, ROW.rsplit(',', 1)[0]), YELLOW)


def test_code_too_large_names_line_and_column(tmp_path):
    bad = ROW.replace(',142,43,', ',142,99999,', 1)
    with pytest.raises(TripFileError, match=r'line 2, column DOLocationID: 99999.0 is too large for a code'):
        read_trip_file(write_gz(tmp_path / 'f.csv.gz', HEADER, bad), YELLOW)


def test_small_batches_stream_exactly_the_whole_file(yellow_jan_file):
    batches = list(trip_batches(yellow_jan_file, YELLOW, block_size=16 << 10))
    assert len(batches) > 10
    streamed = pa.Table.from_batches(batches).to_pandas(types_mapper={pa.int16(): pd.Int16Dtype()}.get)
    whole = read_trip_file(yellow_jan_file, YELLOW)
    pd.testing.assert_frame_equal(streamed.astype(whole.dtypes.to_dict()), whole)


def many_rows(count: int) -> list[str]:
    return [ROW] * count


@pytest.mark.parametrize('bad, message', [
    (ROW.replace(',1.0,2.1,', ',1.5,2.1,', 1), r'line 2002, column passenger_count: 1.5 is not a whole number'),
    (ROW.replace('2.1', 'two', 1), r"line 2002, column trip_distance: cannot read 'two'"),
    (ROW.rsplit(',', 3)[0], r'line 2002: expected 18 fields, found 15'),
])
def test_a_bad_row_in_the_last_batch_names_its_line(tmp_path, bad, message):
    path = write_gz(tmp_path / 'f.csv.gz', HEADER, *many_rows(2000), bad)
    batches = trip_batches(path, YELLOW, block_size=8 << 10)
    assert next(batches).num_rows > 0  # the first batches stream before the bad one is reached
    with pytest.raises(TripFileError, match=message):
        list(batches)
