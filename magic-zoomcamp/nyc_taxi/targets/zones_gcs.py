"""The zone lookup in object storage: gs://{GCS_BUCKET}/nyc_taxi/misc/taxi_zone_lookup.parquet, replaced whole."""
from __future__ import annotations

import posixpath

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from nyc_taxi.model.zones import ZONES_SCHEMA
from nyc_taxi.targets.parquet_exports import MONTH_OBJECT_PREFIX

# Beside the month objects (nyc_taxi/{taxi_type}/...), under the release's own tag for the file, misc.
ZONES_OBJECT_KEY = f'{MONTH_OBJECT_PREFIX}/misc/taxi_zone_lookup.parquet'


def zones_object_uri(bucket: str) -> str:
    return f'gs://{bucket}/{ZONES_OBJECT_KEY}'


def write_zones_object(filesystem: pafs.FileSystem, bucket: str, zones: pa.Table) -> str:
    """Writes `zones` (ZONES_SCHEMA) as one parquet object at ZONES_OBJECT_KEY, replacing it; returns its gs:// URI.

    As parquet_exports writes its objects: the whole file is made first (here in memory: ~10 KB) and
    then uploaded in one go, and an object appears only when its upload completes, so readers (the
    BigQuery load among them) see the old object or the new one, never a part.
    """
    if not zones.schema.equals(ZONES_SCHEMA):
        raise ValueError(f'The zones for {zones_object_uri(bucket)} have the schema\n{zones.schema}\nnot\n{ZONES_SCHEMA}')
    body = pa.BufferOutputStream()
    pq.write_table(zones, body)
    path = f'{bucket}/{ZONES_OBJECT_KEY}'
    # Object stores need no parent directory, local filesystems do; creating it serves both.
    filesystem.create_dir(posixpath.dirname(path), recursive=True)
    with filesystem.open_output_stream(path) as out:
        out.write(body.getvalue())
    return zones_object_uri(bucket)
