"""What the BigQuery trips tables hold, month by month, for the coverage report: gcs_to_bigquery loads pickup
dates from the GCS date partitions, so a month is current when every date of it is held as loaded from the
objects GCS holds now (nyc_taxi.targets.bigquery_ledger), stale when one is not, missing when GCS has the month's
dates and BigQuery none, unavailable when GCS has none."""
from __future__ import annotations

import re
from datetime import date
from typing import TypeVar

import pyarrow.fs as pafs
from google.cloud import bigquery

from nyc_taxi.coverage.coverage_row import CoverageRow
from nyc_taxi.coverage.months import month_end
from nyc_taxi.mage.current_dates import dates_not_current
from nyc_taxi.model.schema import schema_for
from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.sources.partition_files import dated_versions, generation_time
from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.targets.bigquery_ledger import dates_held
from nyc_taxi.targets.parquet_exports import partitioned_root

T = TypeVar('T')


def bigquery_rows(client: bigquery.Client, settings: BigQuerySettings, filesystem: pafs.FileSystem, bucket: str,
                  taxi_type: str, months: list[date], fingerprint: str) -> list[CoverageRow]:
    pickup_date = schema_for(taxi_type).pickup_date
    table = trips_table_name(taxi_type)
    first, last = months[0], month_end(months[-1])
    versions = _gcs_versions(filesystem, partitioned_root(bucket, taxi_type), pickup_date, first, last)
    records, rows = dates_held(client, settings, table, pickup_date, first, last)
    target = f'bigquery {settings.project}.{settings.dataset}.<taxi_type>_taxi_trips'
    found = []
    for month in months:
        month_versions, month_records, month_rows = (_in_month(held, month) for held in (versions, records, rows))
        held_rows = sum(month_rows.values()) if month_rows else None
        if not month_versions and not month_records and not month_rows:
            state, why = 'unavailable', 'GCS has no date partition of this month'
        elif not month_records and not month_rows:
            state, why = 'missing', 'not loaded'
        else:
            why = dates_not_current(month_versions, month_records, month_rows, fingerprint)
            state = 'stale' if why else 'current'
            why = why or 'every date as loaded from the GCS objects there now'
        loaded = [record for record in month_records.values() if record.loaded_at]
        oldest = min(loaded, key=lambda record: record.loaded_at) if loaded else None
        found.append(CoverageRow(target, taxi_type, month, state, why, held_rows,
                                 f'{len(month_versions)} dates in GCS' if month_versions else None,
                                 oldest.loaded_at if oldest else None, oldest.loaded_by if oldest else None))
    return found


def _gcs_versions(filesystem: pafs.FileSystem, root: str, pickup_date: str, first: date, last: date
                  ) -> dict[date, str]:
    """Each date's objects in the partitioned dataset, from one listing (no object is read)."""
    folder = re.compile(rf'/{re.escape(pickup_date)}=(\d{{4}}-\d\d-\d\d)/[^/]+$')
    objects = []
    for info in filesystem.get_file_info(pafs.FileSelector(root, recursive=True, allow_not_found=True)):
        matched = folder.search(info.path) if info.type == pafs.FileType.File else None
        if matched and first <= (day := date.fromisoformat(matched[1])) <= last:
            objects.append((day, info.path, info.size or 0, generation_time(info)))
    return dated_versions(objects)


def _in_month(held: dict[date, T], month: date) -> dict[date, T]:
    return {day: value for day, value in held.items() if day.replace(day=1) == month}

