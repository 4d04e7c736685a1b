"""What a taxi zone is: the lookup's columns as published, and as every target holds them.

Trips name their pickup and drop-off zones by id (pu_location_id, do_location_id); the zone lookup
says which borough, zone and service zone each id is. Users join the two, so every target holds the
same four columns under the same names and types.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from nyc_taxi.model.schema import CODE, TEXT

ZONES_TABLE = 'taxi_zones'

# The published header, in order, and the name each column has in the targets.
SOURCE_TO_TABLE: dict[str, str] = {
    'LocationID': 'location_id',
    'Borough': 'borough',
    'Zone': 'zone',
    'service_zone': 'service_zone',
}
LOCATION_ID = 'location_id'

# int16, as the trips' zone ids are: a join compares the same type on both sides.
ZONES_SCHEMA = pa.schema([
    (LOCATION_ID, CODE),
    ('borough', TEXT),
    ('zone', TEXT),
    ('service_zone', TEXT),
])


class ZonesError(ValueError):
    """The zones handed to a writer are not the lookup's columns, or repeat an id."""


def zones_from_frame(zones: pd.DataFrame, source: str) -> pa.Table:
    """The zones a block received (Mage hands blocks DataFrames) as an Arrow table of ZONES_SCHEMA.

    Refuses other columns, an id that is missing, repeated or does not fit the id type: a writer
    must not replace a good table with a broken one. `source` names where the frame came from.
    """
    if list(zones.columns) != ZONES_SCHEMA.names:
        raise ZonesError(f'{source} has the columns {list(zones.columns)}, not the zone lookup\'s '
                         f'{ZONES_SCHEMA.names}')
    ids = zones[LOCATION_ID]
    if ids.isna().any():
        raise ZonesError(f'{source}: {int(ids.isna().sum())} zone(s) have no {LOCATION_ID}')
    repeated = sorted(ids[ids.duplicated()].unique().tolist())
    if repeated:
        raise ZonesError(f'{source}: {LOCATION_ID} {repeated} appear more than once')
    try:
        # safe=True (the default) refuses an id that int16 cannot hold instead of wrapping it.
        # Without pandas' metadata: the parquet object then carries the four columns and nothing else.
        return pa.Table.from_pandas(zones, schema=ZONES_SCHEMA, preserve_index=False).replace_schema_metadata(None)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise ZonesError(f'{source}: cannot hold the zones as {ZONES_SCHEMA}: {error}') from error
