"""The generated taxi zone lookup: the real file's shape, quoting and traps."""
import csv
import io

import pandas as pd

from devstack.sample_zones import ensure_zone_lookup, zone_lookup_text


def test_265_zones_quoted_as_the_real_file_is(tmp_path):
    path = ensure_zone_lookup(tmp_path)
    assert path == tmp_path / 'misc' / 'taxi_zone_lookup.csv'
    text = path.read_text()
    lines = text.splitlines()
    assert lines[0] == '"LocationID","Borough","Zone","service_zone"'
    assert lines[1] == '1,"EWR","Newark Airport","EWR"'
    assert lines[-2:] == ['264,"Unknown","NV","N/A"', '265,"Unknown","NA","N/A"']
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [int(row[0]) for row in rows] == list(range(1, 266))
    assert {row[1] for row in rows} == {'EWR', 'Queens', 'Bronx', 'Manhattan', 'Staten Island', 'Brooklyn', 'Unknown'}
    assert {row[3] for row in rows} == {'EWR', 'Boro Zone', 'Yellow Zone', 'Airports', 'N/A'}
    zones = {int(row[0]): row[2] for row in rows}
    assert zones[132] == 'JFK Airport' and zones[138] == 'LaGuardia Airport' and zones[161] == 'Midtown Center'
    assert zones[224] == 'Stuy Town/Peter Cooper Village' and zones[93] == 'Flushing Meadows-Corona Park'
    assert zones[56] == zones[57]  # two ids, one name


def test_naive_readers_lose_the_literal_na_text():
    naive = pd.read_csv(io.StringIO(zone_lookup_text()))
    assert naive['Zone'].isna().sum() == 1 and naive['service_zone'].isna().sum() == 2
    careful = pd.read_csv(io.StringIO(zone_lookup_text()), keep_default_na=False)
    assert careful.loc[careful['LocationID'] == 265, 'Zone'].item() == 'NA'


def test_same_bytes_every_time(tmp_path):
    assert ensure_zone_lookup(tmp_path / 'a').read_bytes() == ensure_zone_lookup(tmp_path / 'b').read_bytes()
