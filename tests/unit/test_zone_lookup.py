"""The zone lookup parser (nyc_taxi.sources.zone_lookup) and the zones a writer accepts (nyc_taxi.model.zones)."""
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from nyc_taxi.model.zones import ZONES_SCHEMA, ZonesError, zones_from_frame
from nyc_taxi.sources.zone_lookup import ZoneLookupError, read_zone_lookup, zone_lookup_url

HEADER = '"LocationID","Borough","Zone","service_zone"'
URL = 'http://files.test/misc/taxi_zone_lookup.csv'


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    return path


def lookup(tmp_path: Path, *rows: str) -> Path:
    return write_csv(tmp_path / 'taxi_zone_lookup.csv', HEADER, *rows)


def test_the_url_is_under_the_release_base_url():
    assert zone_lookup_url('http://127.0.0.1:8765/') == 'http://127.0.0.1:8765/misc/taxi_zone_lookup.csv'


def test_quoted_fields_read_as_typed_columns_with_the_table_names(tmp_path):
    zones = read_zone_lookup(lookup(tmp_path, '"1","EWR","Newark Airport","EWR"',
                                    '"7","Queens","Astoria, North","Boro Zone"',
                                    '8,"Queens","Astoria Park","Boro Zone"'))  # the release's older files leave ids unquoted
    assert zones.schema == ZONES_SCHEMA
    assert zones.to_pylist() == [
        {'location_id': 1, 'borough': 'EWR', 'zone': 'Newark Airport', 'service_zone': 'EWR'},
        {'location_id': 7, 'borough': 'Queens', 'zone': 'Astoria, North', 'service_zone': 'Boro Zone'},
        {'location_id': 8, 'borough': 'Queens', 'zone': 'Astoria Park', 'service_zone': 'Boro Zone'},
    ]


def test_na_nv_and_n_a_stay_texts_and_nothing_is_null(tmp_path):
    zones = read_zone_lookup(lookup(tmp_path, '"264","Unknown","NV","N/A"', '"265","Unknown","NA","N/A"',
                                    '"266","NA","NULL",""'))
    assert zones.to_pylist() == [
        {'location_id': 264, 'borough': 'Unknown', 'zone': 'NV', 'service_zone': 'N/A'},
        {'location_id': 265, 'borough': 'Unknown', 'zone': 'NA', 'service_zone': 'N/A'},
        {'location_id': 266, 'borough': 'NA', 'zone': 'NULL', 'service_zone': ''},
    ]
    assert all(column.null_count == 0 for column in zones.columns)
    assert zones.to_pandas()['zone'].tolist() == ['NV', 'NA', 'NULL']


def test_a_byte_order_mark_crlf_and_blank_lines_are_tolerated_and_lines_still_counted(tmp_path):
    path = tmp_path / 'taxi_zone_lookup.csv'
    path.write_bytes(('\ufeff' + HEADER + '\r\n"1","EWR","Newark Airport","EWR"\r\n\r\n"2","Queens","Jamaica Bay",'
                      '"Boro Zone"\r\n\r\n').encode())
    assert read_zone_lookup(path).column('location_id').to_pylist() == [1, 2]

    path.write_text(f'{HEADER}\n"1","EWR","Newark Airport","EWR"\n\n"x","Queens","Jamaica Bay","Boro Zone"\n')
    with pytest.raises(ZoneLookupError, match=r'line 4, column LocationID'):
        read_zone_lookup(path)


@pytest.mark.parametrize('header', [
    '"LocationID","Borough","Zone"',
    '"locationid","borough","zone","service_zone"',
    '"LocationID","Borough","Zone","service_zone","extra"',
    '"Borough","LocationID","Zone","service_zone"',
])
def test_any_other_header_is_refused_naming_the_url_and_line_1(tmp_path, header):
    path = write_csv(tmp_path / 'z.csv', header, '"1","EWR","Newark Airport","EWR"')
    with pytest.raises(ZoneLookupError) as error:
        read_zone_lookup(path, source=URL)
    names = header.replace('"', '').replace(',', ', ')
    assert str(error.value) == (f'{URL}, line 1: the header is {names}; the zone lookup has exactly LocationID, '
                                'Borough, Zone, service_zone (check TAXI_DATA_BASE_URL)')


def test_a_repeated_id_names_both_lines(tmp_path):
    path = lookup(tmp_path, '"1","EWR","Newark Airport","EWR"', '"2","Queens","Jamaica Bay","Boro Zone"',
                  '"1","Bronx","Allerton/Pelham Gardens","Boro Zone"')
    with pytest.raises(ZoneLookupError, match=rf'^{URL}, line 4, column LocationID: id 1 already appears on line 2'):
        read_zone_lookup(path, source=URL)


@pytest.mark.parametrize('value, problem', [
    ('"abc"', "'abc' is not a whole number"),
    ('"4.5"', "'4.5' is not a whole number"),
    ('"-3"', "'-3' is not a whole number"),
    ('""', 'is empty'),
    ('', 'is empty'),
    ('"0"', '0 is outside 1..32767'),
    ('"40000"', '40000 is outside 1..32767'),
])
def test_an_id_that_is_not_a_zone_id_names_line_column_and_value(tmp_path, value, problem):
    path = lookup(tmp_path, '"1","EWR","Newark Airport","EWR"', f'{value},"Queens","Jamaica Bay","Boro Zone"')
    with pytest.raises(ZoneLookupError) as error:
        read_zone_lookup(path, source=URL)
    assert str(error.value).startswith(f'{URL}, line 3, column LocationID: {problem}')


def test_a_row_with_too_few_fields_names_its_line(tmp_path):
    path = lookup(tmp_path, '"1","EWR","Newark Airport","EWR"', '"2","Queens","Jamaica Bay"')
    with pytest.raises(ZoneLookupError, match=rf'^{URL}, line 3: expected 4 fields, found 3'):
        read_zone_lookup(path, source=URL)


@pytest.mark.parametrize('body, problem', [
    (b'', 'is empty: no CSV header'),
    (HEADER.encode() + b'\n', 'holds no zones'),
    (HEADER.encode() + b'\n"1","EWR","Newark \xff Airport","EWR"\n', 'line 2: not UTF-8 text'),
    (b'<html><body>Not here</body></html>\n', 'line 1: the header is <html><body>Not here</body></html>'),
    (b'\x1f\x8b\x08\x00\xff\xfe', 'line 1: not UTF-8 text'),
])
def test_a_file_that_is_no_lookup_is_refused_naming_the_url(tmp_path, body, problem):
    path = tmp_path / 'z.csv'
    path.write_bytes(body)
    with pytest.raises(ZoneLookupError) as error:
        read_zone_lookup(path, source=URL)
    assert str(error.value).startswith(URL) and problem in str(error.value)


def test_the_frame_between_blocks_converts_back_to_the_zone_schema():
    frame = pd.DataFrame({'location_id': pd.Series([1, 265], dtype='int64'), 'borough': ['EWR', 'Unknown'],
                          'zone': ['Newark Airport', 'NA'], 'service_zone': ['EWR', 'N/A']})
    zones = zones_from_frame(frame, 'load_taxi_zones_api')
    assert zones.schema == ZONES_SCHEMA and zones.schema.metadata is None
    assert zones.column('zone').to_pylist() == ['Newark Airport', 'NA']


@pytest.mark.parametrize('change, problem', [
    (lambda frame: frame.rename(columns={'zone': 'Zone'}), 'has the columns'),
    (lambda frame: frame.assign(location_id=[1, 1]), r'location_id \[1\] appear more than once'),
    (lambda frame: frame.assign(location_id=[1, None]), '1 zone\\(s\\) have no location_id'),
    (lambda frame: frame.assign(location_id=[1, 70000]), 'cannot hold the zones'),
])
def test_a_frame_that_is_not_the_lookup_is_refused_before_any_write(change, problem):
    frame = pd.DataFrame({'location_id': [1, 2], 'borough': ['EWR', 'Queens'], 'zone': ['Newark Airport', 'Jamaica Bay'],
                          'service_zone': ['EWR', 'Boro Zone']})
    with pytest.raises(ZonesError, match=problem):
        zones_from_frame(change(frame), 'load_taxi_zones_api')


def test_the_zone_ids_have_the_type_of_the_trips_zone_ids():
    from nyc_taxi.model.arrow import clean_arrow_schema
    from nyc_taxi.model.schema import schema_for

    assert ZONES_SCHEMA.field('location_id').type == clean_arrow_schema(schema_for('yellow')).field(
        'pu_location_id').type == pa.int16()
