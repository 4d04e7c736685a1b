"""gcs_to_bigquery's loader and transformer as BigQuery jobs: no trip passes through this process.

`load_range` has BigQuery load the range's date partitions from their gs:// URIs into a staging table
(a load job, hive partitioning on the pickup date); `clean_range` runs the cleaning rules as SQL
(nyc_taxi.model.transform_sql) into a clean staging table and reads back the per-date summary, a
row per date. Each staging table is created with the declared schema and an expiry first, so a
crash leaves nothing behind for long; a failed job drops the table it was filling and names the
URIs or the table. Targets are never touched here: only the exporter's MERGE writes one.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Iterable

import pandas as pd
import pyarrow as pa
from google.api_core import exceptions as google_errors
from google.cloud import bigquery

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.model.month_summary import PICKUP_DATE, summary_schema
from nyc_taxi.model.schema import schema_for
from nyc_taxi.model.transform_sql import clean_insert, summary_query
from nyc_taxi.sources.partition_files import RangeFiles
from nyc_taxi.staging.staged_month import summary_frame
from nyc_taxi.staging.staged_table import StagedTable, StagingTarget
from nyc_taxi.staging.staged_trips import PREVIEW_ROWS
from nyc_taxi.targets.bigquery import BigQueryError, BigQuerySettings, table_schema

# BigQuery takes at most 10,000 source URIs a load job; one URI a date.
URIS_PER_JOB = 10_000
CLIENT_ERRORS = (google_errors.GoogleAPIError, OSError)


def load_range(client: bigquery.Client, settings: BigQuerySettings, files: RangeFiles, target: StagingTarget,
               staged_by: str) -> StagedTable:
    """The range's objects loaded into the new staging table `target`; an empty range makes no table."""
    table_id = target.table_id
    schema = schema_for(files.taxi_type)
    what = f'{files.taxi_type} {files.first}..{files.last}'
    columns = tuple(clean_arrow_schema(schema).names)
    staged = StagedTable(files.taxi_type, what, files.root_uri, None, 0, 0, None, None, staged_by, target.readers,
                         columns, dates=(files.first, files.last), versions=tuple(sorted(files.versions().items())))
    if not files.files:
        return staged
    options = bigquery.HivePartitioningOptions()
    options.mode = 'AUTO'
    options.source_uri_prefix = files.root_uri
    job_config = bigquery.LoadJobConfig(source_format=bigquery.SourceFormat.PARQUET, hive_partitioning=options,
                                        write_disposition=bigquery.WriteDisposition.WRITE_APPEND)
    uris = files.uris()
    retry = settings.retry()
    created = False
    try:
        settings.ensure_dataset(client, retry)
        create_staging_table(client, table_id, table_schema(schema), target.lifetime, retry)
        created = True
        for start in range(0, len(uris), URIS_PER_JOB):
            client.load_table_from_uri(uris[start:start + URIS_PER_JOB], table_id, job_config=job_config,
                                       retry=retry).result(retry=retry)
        loaded = count_rows(client, table_id, retry)
    except CLIENT_ERRORS as error:
        if created:
            drop_table(client, settings, table_id)
        raise BigQueryError(f'Loading {_describe_uris(uris)} into the staging table {table_id} ({settings.describe()}) '
                            f'failed; no target table was changed ({settings.settings_hint()}): {error}') from error
    if loaded != files.rows:
        drop_table(client, settings, table_id)
        raise BigQueryError(f'BigQuery loaded {loaded:,} rows from {_describe_uris(uris)}, whose footers hold '
                            f'{files.rows:,}; no target table was changed')
    return replace(staged, table_id=table_id, trips=files.rows, bytes=files.bytes, first_date=files.days[0],
                   last_date=files.days[-1])


def clean_range(client: bigquery.Client, settings: BigQuerySettings, source: StagedTable, target: StagingTarget,
                staged_by: str, drop_missing_passengers: bool) -> tuple[pd.DataFrame, StagedTable]:
    """The cleaning rules from `source`'s table into the new clean staging table `target`: the per-date
    summary (nyc_taxi.model.month_summary's columns) and the clean table's handle."""
    table_id, readers = target.table_id, target.readers
    schema = schema_for(source.taxi_type)
    if source.table_id is None:
        return (summary_frame(summary_schema(source.taxi_type).empty_table(), schema),
                source.made_by(staged_by, None, 0, None, None, readers))
    retry = settings.retry()
    try:
        client.get_table(source.table_id, retry=retry)
    except google_errors.NotFound as error:
        raise source.gone(error) from error
    except CLIENT_ERRORS as error:
        raise BigQueryError(f'Cannot reach {settings.describe()} to clean {source.table_id} ({settings.settings_hint()}): '
                            f'{error}') from error
    try:
        create_staging_table(client, table_id, table_schema(schema), target.lifetime, retry)
        try:
            client.query(clean_insert(schema, source.table_id, table_id, drop_missing_passengers),
                         retry=retry).result(retry=retry)
            rows = client.query(summary_query(schema, source.table_id, table_id, drop_missing_passengers),
                                retry=retry).result(retry=retry)
            summary = _summary_table([dict(row.items()) for row in rows], source.taxi_type)
        except BaseException:
            drop_table(client, settings, table_id)
            raise
    except CLIENT_ERRORS as error:
        raise BigQueryError(f'Cleaning {source.table_id} into {table_id} ({settings.describe()}) failed; no target '
                            f'table was changed ({settings.settings_hint()}): {error}') from error
    days = [row[PICKUP_DATE] for row in summary.to_pylist() if row['trips']]
    trips = sum(summary.column('trips').to_pylist())
    clean = source.made_by(staged_by, table_id, trips, min(days, default=None), max(days, default=None), readers)
    return summary_frame(summary, schema), clean


def preview(client: bigquery.Client, settings: BigQuerySettings, staged: StagedTable,
            rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first `rows` trips of the table (what the editor shows first): a page of rows, not a query."""
    if staged.table_id is None:
        return clean_arrow_schema(schema_for(staged.taxi_type)).empty_table().to_pandas()
    try:
        page = client.list_rows(staged.table_id, max_results=rows, retry=settings.retry())
        return page.to_arrow(create_bqstorage_client=False).to_pandas()
    except CLIENT_ERRORS as error:
        raise BigQueryError(f'Cannot read the first rows of {staged.table_id} ({settings.describe()}): {error}'
                            ) from error


def create_staging_table(client: bigquery.Client, table_id: str, fields: list[bigquery.SchemaField],
                         lifetime: timedelta, retry) -> None:
    table = bigquery.Table(table_id, schema=fields)
    table.expires = datetime.now(timezone.utc) + lifetime
    client.create_table(table, retry=retry)


def count_rows(client: bigquery.Client, table_id: str, retry) -> int:
    return list(client.query(f'SELECT COUNT(*) FROM `{table_id}`', retry=retry).result(retry=retry))[0][0]


def drop_table(client: bigquery.Client, settings: BigQuerySettings, table_id: str) -> None:
    """Drops a staging table; one that cannot be dropped now expires by itself."""
    try:
        client.delete_table(table_id, not_found_ok=True, retry=settings.retry())
    except CLIENT_ERRORS:
        pass


def drop_tables_starting_with(client: bigquery.Client, settings: BigQuerySettings, prefix: str,
                              keep: Iterable[str | None]) -> list[str]:
    """Drops the dataset's tables whose names start with `prefix`, but those in `keep`; returns their ids."""
    kept = {table_id.rsplit('.', 1)[-1] for table_id in keep if table_id}
    dropped = []
    for table in client.list_tables(f'{settings.project}.{settings.dataset}', retry=settings.retry()):
        if table.table_id.startswith(prefix) and table.table_id not in kept:
            table_id = f'{settings.project}.{settings.dataset}.{table.table_id}'
            drop_table(client, settings, table_id)
            dropped.append(table_id)
    return dropped


def _summary_table(rows: list[dict], taxi_type: str) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=summary_schema(taxi_type))


def _describe_uris(uris: list[str]) -> str:
    if len(uris) <= 3:
        return ', '.join(uris)
    return f'{len(uris)} URIs ({uris[0]} .. {uris[-1]})'
