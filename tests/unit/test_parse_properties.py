"""Property-based: whatever a trip file holds, reading it gives typed trips or a TripFileError that
says where; cleaning what was read always satisfies the transform's rules."""
from __future__ import annotations

import gzip
import re
from pathlib import Path
from tempfile import TemporaryDirectory

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nyc_taxi.sources.release_csv import TripFileError, read_trip_file
from nyc_taxi.model.schema import CODE, NUMBER, TEXT, schema_for
from nyc_taxi.model.transform import camel_case_columns, clean_trips

YELLOW = schema_for('yellow')
COLUMNS = list(YELLOW.source_columns)

valid_values = {
    CODE: st.sampled_from(['1', '2', '1.0', '2.0', '0', '0.0', '99.0', '']),
    NUMBER: st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr), st.just(''),
                      st.sampled_from(['0', '0.0', '-2.5', '13.799999999999999'])),
    TEXT: st.sampled_from(['N', 'Y', '', 'é', '日本']),
}
timestamps = st.datetimes().map(lambda moment: moment.strftime('%Y-%m-%d %H:%M:%S'))
hostile = st.one_of(
    st.text(min_size=1, max_size=12),
    st.sampled_from(['1e400', '-1e400', 'nan', 'inf', '99999999999999999999', '1.5', 'NULL', '"', 'ü', '0x10',
                     '2021-02-30 00:00:00', '2021-01-01T00:00:00Z']),
)


def cell(name: str) -> st.SearchStrategy[str]:
    kind = YELLOW.source_columns[name]
    valid = timestamps if str(kind).startswith('timestamp') else valid_values[kind]
    return st.one_of(valid, valid, valid, hostile)


rows = st.lists(st.tuples(*[cell(name) for name in COLUMNS]).map(list), max_size=25)
damaged_rows = st.lists(st.one_of(
    st.tuples(*[cell(name) for name in COLUMNS]).map(list),
    st.tuples(*[cell(name) for name in COLUMNS]).map(lambda row: list(row)[:-1]),
    st.tuples(*[cell(name) for name in COLUMNS]).map(lambda row: list(row) + ['extra']),
), max_size=25)


def csv_line(fields: list[str]) -> str:
    """What Python 3.11's csv.writer (QUOTE_MINIMAL, lineterminator '\\n') writes, NUL included: 3.10's
    refuses a NUL ('need to escape'), and the unit tests also run on the image's 3.10 (make image-venv)."""
    return ','.join('"' + field.replace('"', '""') + '"' if any(c in field for c in ',"\n') else field
                    for field in fields) + '\n'


def gzipped_csv(header: list[str], body: list[list[str]]) -> bytes:
    return gzip.compress(''.join(csv_line(row) for row in [header, *body]).encode('utf-8'))


def read(content: bytes) -> pd.DataFrame:
    with TemporaryDirectory() as directory:
        path = Path(directory) / 'f.csv.gz'
        path.write_bytes(content)
        return read_trip_file(path, YELLOW, source='http://src/f.csv.gz')


def says_where(error: TripFileError) -> bool:
    message = str(error)
    return 'http://src/f.csv.gz' in message and (
        re.search(r'line \d+', message) is not None or 'column' in message or 'header' in message
        or 'gzip' in message)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=damaged_rows, drop=st.sets(st.sampled_from(COLUMNS), max_size=2), extra=st.booleans())
def test_any_file_reads_typed_or_fails_saying_where(body, drop, extra):
    header = [name for name in COLUMNS if name not in drop] + (['airport_fee'] if extra else [])
    keep = [index for index, name in enumerate(COLUMNS) if name not in drop]
    body = [[row[i] for i in keep if i < len(row)] + (['1.25'] if extra else []) for row in body]
    try:
        trips = read(gzipped_csv(header, body))
    except TripFileError as error:
        assert says_where(error), str(error)
        return
    assert not drop
    assert list(trips.columns) == list(YELLOW.staged_columns) and len(trips) == len(body)
    for name in YELLOW.code_columns:
        assert trips[name].dtype == pd.Int16Dtype()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=rows)
def test_cleaning_whatever_was_read_keeps_the_rules(body):
    try:
        trips = read(gzipped_csv(COLUMNS, body))
    except TripFileError as error:
        assert says_where(error), str(error)
        return
    clean, report = clean_trips(trips, YELLOW)
    assert report.rows_in == len(body) == report.rows_out + report.dropped_zero_passengers + report.dropped_zero_distance
    assert not (clean['passenger_count'] == 0).fillna(False).any()
    assert not (clean['trip_distance'] == 0).fillna(False).any()
    assert not camel_case_columns(clean)
    again, _ = clean_trips(clean, YELLOW)
    pd.testing.assert_frame_equal(clean, again)


@settings(max_examples=40, deadline=None)
@given(garbage=st.binary(max_size=200))
def test_bytes_that_are_not_gzip_csv_fail_clearly(garbage):
    try:
        read(garbage)
    except TripFileError as error:
        assert says_where(error), str(error)
    # b'' or garbage that happens to decode fully is impossible to pass as a trip file without a header
    else:
        raise AssertionError('garbage was accepted as a trip file')
