"""The taxi zone lookup as published: `misc/taxi_zone_lookup.csv` (release tag `misc`, and the TLC's
`https://d37ci6vzurychx.cloudfront.net/misc/`), 265 zones.

Written as the real file is: header fields quoted, text quoted, LocationID bare, not gzipped. Its traps
are kept: zone names with slashes, apostrophes and hyphens, names shared by several ids (56 and 57 are
both "Corona"), and the two unknown zones 264 "NV" and 265 "NA" with service_zone "N/A": literal text
that naive CSV readers turn into nulls ("NA" and "N/A" are in pandas' default na_values). A handful of
zones carry their real names; the rest are generated, with the real file's borough sizes.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from devstack.partial_file import ensure_file

HEADER = ('LocationID', 'Borough', 'Zone', 'service_zone')
ZONE_COUNT = 265
# (LocationID, Borough, Zone, service_zone) as the real file has them.
REAL_ZONES: dict[int, tuple[str, str, str]] = {
    1: ('EWR', 'Newark Airport', 'EWR'),
    2: ('Queens', 'Jamaica Bay', 'Boro Zone'),
    3: ('Bronx', 'Allerton/Pelham Gardens', 'Boro Zone'),
    4: ('Manhattan', 'Alphabet City', 'Yellow Zone'),
    5: ('Staten Island', 'Arden Heights', 'Boro Zone'),
    7: ('Queens', 'Astoria', 'Boro Zone'),
    13: ('Manhattan', 'Battery Park City', 'Yellow Zone'),
    43: ('Manhattan', 'Central Park', 'Yellow Zone'),
    56: ('Queens', 'Corona', 'Boro Zone'),
    57: ('Queens', 'Corona', 'Boro Zone'),
    93: ('Queens', 'Flushing Meadows-Corona Park', 'Boro Zone'),
    103: ('Manhattan', "Governor's Island/Ellis Island/Liberty Island", 'Yellow Zone'),
    104: ('Manhattan', "Governor's Island/Ellis Island/Liberty Island", 'Yellow Zone'),
    105: ('Manhattan', "Governor's Island/Ellis Island/Liberty Island", 'Yellow Zone'),
    132: ('Queens', 'JFK Airport', 'Airports'),
    138: ('Queens', 'LaGuardia Airport', 'Airports'),
    161: ('Manhattan', 'Midtown Center', 'Yellow Zone'),
    186: ('Manhattan', 'Penn Station/Madison Sq West', 'Yellow Zone'),
    224: ('Manhattan', 'Stuy Town/Peter Cooper Village', 'Yellow Zone'),
    230: ('Manhattan', 'Times Sq/Theatre District', 'Yellow Zone'),
    236: ('Manhattan', 'Upper East Side North', 'Yellow Zone'),
    237: ('Manhattan', 'Upper East Side South', 'Yellow Zone'),
    264: ('Unknown', 'NV', 'N/A'),
    265: ('Unknown', 'NA', 'N/A'),
}
# Zones per borough in the real file (with EWR's 1 and Unknown's 2: 265).
BOROUGH_SIZES = {'Manhattan': 69, 'Queens': 69, 'Brooklyn': 61, 'Bronx': 43, 'Staten Island': 20}


def zone_lookup_rows() -> list[tuple[int, str, str, str]]:
    """The 265 zones, in LocationID order; the same every time (no seed: one real file)."""
    left = dict(BOROUGH_SIZES)
    for borough, _, _ in REAL_ZONES.values():
        if borough in left:
            left[borough] -= 1
    boroughs = [borough for borough, count in left.items() for _ in range(count)]
    np.random.default_rng(ZONE_COUNT).shuffle(boroughs)  # real ids are alphabetical by name, boroughs mixed
    generated = iter(boroughs)
    rows = []
    for location_id in range(1, ZONE_COUNT + 1):
        if location_id in REAL_ZONES:
            rows.append((location_id, *REAL_ZONES[location_id]))
        else:
            borough = next(generated)
            service = 'Yellow Zone' if borough == 'Manhattan' else 'Boro Zone'
            rows.append((location_id, borough, f'{borough} Zone {location_id}', service))
    return rows


def zone_lookup_text() -> str:
    text = io.StringIO()
    # QUOTE_NONNUMERIC: every text field quoted (the header too), LocationID bare, as in the real file.
    writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC, lineterminator='\n')
    writer.writerow(HEADER)
    writer.writerows(zone_lookup_rows())
    return text.getvalue()


def zone_lookup_path(data_dir: Path) -> Path:
    return data_dir / 'misc' / 'taxi_zone_lookup.csv'


def ensure_zone_lookup(data_dir: Path) -> Path:
    """Writes `data_dir/misc/taxi_zone_lookup.csv` unless it already exists."""
    return ensure_file(zone_lookup_path(data_dir), lambda path: path.write_text(zone_lookup_text(), encoding='utf-8'))
