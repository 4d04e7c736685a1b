"""The zone lookup in object storage: gs://{GCS_BUCKET}/nyc_taxi/misc/taxi_zone_lookup.parquet, replaced whole."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.fs as pafs

from nyc_taxi.model.zones import ZONES_SCHEMA
from nyc_taxi.targets.parquet_exports import MONTH_OBJECT_PREFIX, write_object

# Beside the month objects (nyc_taxi/{taxi_type}/...), under the release's own tag for the file, misc.
ZONES_OBJECT_KEY = f'{MONTH_OBJECT_PREFIX}/misc/taxi_zone_lookup.parquet'


def zones_object_uri(bucket: str) -> str:
    return f'gs://{bucket}/{ZONES_OBJECT_KEY}'


def write_zones_object(filesystem: pafs.FileSystem, bucket: str, zones: pa.Table) -> str:
    """Writes `zones` (ZONES_SCHEMA) as one parquet object at ZONES_OBJECT_KEY, replacing it; returns its gs:// URI.

    Through parquet_exports.write_object: the whole file is made first, then uploaded in one go, and an
    object appears only when its upload completes, so readers (the BigQuery load among them) see the
    old object or the new one, never a part.
    """
    if not zones.schema.equals(ZONES_SCHEMA):
        raise ValueError(f'The zones for {zones_object_uri(bucket)} have the schema\n{zones.schema}\nnot\n{ZONES_SCHEMA}')
    write_object(filesystem, zones.to_batches(), ZONES_SCHEMA, f'{bucket}/{ZONES_OBJECT_KEY}')
    return zones_object_uri(bucket)
