"""What each target holds, month by month, read from its ledger: the Postgres trips tables' partitions, the GCS
month objects and the GCS partitioned dataset (nyc_taxi.targets.postgres_ledger, nyc_taxi.targets.gcs_ledger)."""
from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from datetime import date

import pyarrow.fs as pafs

from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.targets import gcs_ledger
from nyc_taxi.targets.load_record import LoadRecord
from nyc_taxi.targets.parquet_exports import MONTH_OBJECT_PREFIX, partitioned_root
from nyc_taxi.targets.postgres import PostgresSettings
from nyc_taxi.targets.postgres_ledger import loaded_months, month_held

# A month's record and rows in a target; (None, rows): rows without a record of what they are.
Held = tuple[LoadRecord | None, int | None]
# '{taxi_type}_tripdata_YYYY-MM': the stem of a month's file names in both GCS layouts.
_STEM = re.compile(r'^(?P<taxi_type>[a-z]+)_tripdata_(?P<year>\d{4})-(?P<month>\d{2})')


def postgres_months(settings: PostgresSettings, taxi_type: str) -> tuple[str, dict[date, Held]]:
    """The months of `{POSTGRES_SCHEMA}.{taxi_type}_taxi_trips`: rows as recorded, counted where no record says."""
    table = trips_table_name(taxi_type)
    connection = settings.connect()
    try:
        months = loaded_months(connection, settings.db_schema, table)
        held = {month: (record, record.rows) if record is not None and record.rows is not None
                else month_held(connection, settings.db_schema, table, month) for month, record in months.items()}
    finally:
        connection.close()
    return f'postgres {settings.db_schema}.<taxi_type>_taxi_trips', held


def gcs_month_objects(filesystem: pafs.FileSystem, bucket: str, taxi_type: str) -> tuple[str, dict[date, Held]]:
    """The months written as one object each: gs://{bucket}/nyc_taxi/{taxi_type}/{taxi_type}_tripdata_YYYY-MM.parquet."""
    folder = f'{bucket}/{MONTH_OBJECT_PREFIX}/{taxi_type}'
    held = {month: gcs_ledger.month_held(filesystem, paths)
            for month, paths in _by_month(_files(filesystem, folder, recursive=False), taxi_type).items()}
    return f'gcs gs://{bucket}/{MONTH_OBJECT_PREFIX}/<taxi_type>/ (month objects)', held


def gcs_partitions(filesystem: pafs.FileSystem, bucket: str, taxi_type: str) -> tuple[str, dict[date, Held]]:
    """The months written as date files in the partitioned dataset gs://{bucket}/nyc_taxi_data/{taxi_type}/."""
    root = partitioned_root(bucket, taxi_type)
    held = {month: gcs_ledger.month_held(filesystem, paths)
            for month, paths in _by_month(_files(filesystem, root, recursive=True), taxi_type).items()}
    return f'gcs gs://{partitioned_root(bucket, "<taxi_type>")}/ (date partitions)', held


def _files(filesystem: pafs.FileSystem, folder: str, recursive: bool) -> list[str]:
    selector = pafs.FileSelector(folder, recursive=recursive, allow_not_found=True)
    return [info.path for info in filesystem.get_file_info(selector) if info.type == pafs.FileType.File]


def _by_month(paths: list[str], taxi_type: str) -> dict[date, list[str]]:
    months: dict[date, list[str]] = defaultdict(list)
    for path in paths:
        found = _STEM.match(posixpath.basename(path))
        if found and found['taxi_type'] == taxi_type:
            months[date(int(found['year']), int(found['month']), 1)].append(path)
    return dict(months)
