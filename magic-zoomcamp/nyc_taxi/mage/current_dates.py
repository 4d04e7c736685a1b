"""Skip what is current, for gcs_to_bigquery: before BigQuery loads a run's pickup dates, the loader compares the
dates' GCS objects now (names, sizes, generations) with what the BigQuery ledger says they were loaded from
(nyc_taxi.targets.bigquery_ledger). When every date matches, under today's transform and with its rows, nothing is
loaded or merged. Which runs skip, and `force`: as for the months (nyc_taxi.mage.current_months).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Mapping

from google.cloud import bigquery

from nyc_taxi.logs import RunLogger
from nyc_taxi.mage.current_months import PASSING_ON, force_reload
from nyc_taxi.mage.run_context import blocks_below
from nyc_taxi.model.fingerprint import transform_fingerprint
from nyc_taxi.model.schema import schema_for
from nyc_taxi.model.transform import drop_missing_passenger_count
from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.sources.partition_files import RangeFiles
from nyc_taxi.staging.skipped import Skipped
from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.targets.bigquery_ledger import DateRecord, dates_held

EXPORTER = 'taxi_data_to_bigquery'


def skip_if_current_dates(kwargs: Mapping[str, Any], files: RangeFiles, client: bigquery.Client,
                          settings: BigQuerySettings, loader: str, logger: RunLogger) -> Skipped | None:
    """A Skipped when BigQuery holds every date of `files` as loaded from these very objects; None when the
    run must load (saying why, in the log)."""
    if force_reload(kwargs) or not files.files:
        return None
    below = blocks_below(kwargs, loader)
    if below != PASSING_ON | {EXPORTER}:
        logger.info('%s..%s: loading, never skipped in this pipeline (blocks below %s keep no record: %s)',
                    files.first, files.last, loader, ', '.join(sorted(below - PASSING_ON - {EXPORTER})) or 'none')
        return None
    taxi_type = files.taxi_type
    records, rows = dates_held(client, settings, trips_table_name(taxi_type), schema_for(taxi_type).pickup_date,
                               files.first, files.last)
    why = dates_not_current(files.versions(), records, rows,
                            transform_fingerprint(taxi_type, drop_missing_passenger_count(kwargs)))
    what = f'{taxi_type} {files.first}..{files.last}'
    if why:
        logger.info('%s: loading (%s)', what, why)
        return None
    since = min((record.loaded_at for record in records.values() if record.loaded_at),
                default=None)
    when = f'{since.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC' if isinstance(since, datetime) else 'its load'
    message = (f'{what} unchanged since {when} ({len(files.files)} GCS objects, the generations loaded): skipped; '
               'set force to reload')
    logger.info('%s', message)
    return Skipped(taxi_type, what, message, f'{len(files.files)} objects', {EXPORTER: sum(rows.values())})


def dates_not_current(versions: Mapping[date, str], records: Mapping[date, DateRecord], rows: Mapping[date, int],
                      fingerprint: str) -> str:
    """Why the dates must load again ('' when every one is current): the first date that differs, and how."""
    for day in sorted(set(versions) | set(records) | set(rows)):
        record = records.get(day)
        if record is None:
            return f'{day} not loaded' if day in versions else f'{day} holds rows GCS has no objects of'
        if record.source_objects != versions.get(day, ''):
            return f'{day}: its GCS objects changed since {record.loaded_by} loaded them'
        if record.transform_fingerprint != fingerprint:
            return f'{day}: the transform changed (fingerprint {fingerprint} now, {record.transform_fingerprint} loaded)'
        if record.rows != rows.get(day, 0):
            return f'{day}: {rows.get(day, 0):,} rows held, {record.rows:,} loaded'
    return ''
