"""What a run did, checked against its source: rows downloaded, dropped by each rule, and in the target."""
from __future__ import annotations

import tempfile
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Mapping

import pyarrow.fs as pafs
import pyarrow.parquet as pq
from google.cloud import bigquery

from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.resources.gcs import GcsSettings
from nyc_taxi.sources.gcs_partitions import read_date_range
from nyc_taxi.model.month_summary import combine, totals
from nyc_taxi.model.rules import rules_for
from nyc_taxi.model.transform import clean_batch
from nyc_taxi.sources.download import download
from nyc_taxi.sources.month_source import MonthSource
from nyc_taxi.staging.stream_sizes import StreamSizes
from nyc_taxi.targets.parquet_exports import daily_object_key, month_object_key, partitioned_root
from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.targets.postgres import SOURCE_MONTH, PostgresSettings
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for


def source_report(request: MonthRequest, source: MonthSource) -> dict[str, float]:
    """Re-reads the month's source file and applies the transform, a batch at a time: the totals of its
    month summary (rows_in, each drop, trips), which any target should match."""
    schema = schema_for(request.taxi_type)
    url = source.url(request)
    with tempfile.TemporaryDirectory(prefix='nyc_taxi_summary_') as scratch:
        path = Path(scratch) / source.file_name(request)
        download(url, path, missing_hint=source.missing_file_hint())
        summaries = [clean_batch(batch, schema)[1]
                     for batch in source.batches(path, schema, url, StreamSizes.from_env().csv_block_bytes)]
    return totals(combine(summaries, request.taxi_type))


def postgres_month_rows(request: MonthRequest, settings: Mapping[str, str]) -> int:
    """The rows of the month's partition in {POSTGRES_SCHEMA}.{taxi_type}_taxi_trips."""
    postgres = PostgresSettings.from_io_config(settings)
    table = trips_table_name(request.taxi_type)
    with closing(postgres.connect()) as connection, connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{postgres.db_schema}"."{table}" WHERE {SOURCE_MONTH} = %s',
                       (request.month_start,))
        (in_table,) = cursor.fetchone()
    return in_table


def gcs_month_object_rows(request: MonthRequest, settings: Mapping[str, str]) -> int:
    gcs = GcsSettings.from_io_config(settings)
    return pq.read_metadata(f'{gcs.bucket}/{month_object_key(request)}', filesystem=gcs.filesystem()).num_rows


def bigquery_range_rows(taxi_type: str, first: date, last: date, settings: Mapping[str, str]) -> tuple[int, int]:
    """Rows and distinct pickup dates of {BQ_DATASET}.{taxi_type}_taxi_trips within first..last."""
    schema = schema_for(taxi_type)
    bigquery_settings = BigQuerySettings.from_io_config(settings)
    query = (f'SELECT count(*), count(DISTINCT {schema.pickup_date}) FROM `{bigquery_table_id(taxi_type, settings)}` '
             f'WHERE {schema.pickup_date} BETWEEN @first AND @last')
    job_config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter('first', 'DATE', first),
                                                           bigquery.ScalarQueryParameter('last', 'DATE', last)])
    rows, dates = list(bigquery_settings.client().query(query, job_config=job_config).result())[0]
    return rows, dates


def bigquery_table_id(taxi_type: str, settings: Mapping[str, str]) -> str:
    bigquery_settings = BigQuerySettings.from_io_config(settings)
    return f'{bigquery_settings.project}.{bigquery_settings.dataset}.{trips_table_name(taxi_type)}'


def summarize_postgres_month(request: MonthRequest, source: MonthSource, settings: Mapping[str, str],
                             report: Mapping[str, float]) -> tuple[bool, str]:
    """Counts the table's rows for the month; ok when they are the rows the transform keeps."""
    url = source.url(request)
    postgres = PostgresSettings.from_io_config(settings)
    table = trips_table_name(request.taxi_type)
    in_table = postgres_month_rows(request, settings)
    ok = in_table == report['trips']
    lines = [
        f'api_to_postgres, {request}:',
        f'  downloaded     {report["rows_in"]:>10,} rows  from {url}',
        *(f'  dropped        {report[rule.name]:>10,} rows  {rule.description}'
          for rule in rules_for(request.taxi_type).drops),
        f'  in the table   {in_table:>10,} rows  {postgres.db_schema}.{table} ({SOURCE_MONTH} = {request.month_start}) '
        f'on {postgres.describe()}',
        '  OK: the table holds exactly the rows the transform keeps' if ok else
        f'  MISMATCH: expected {report["trips"]:,} rows in the table',
    ]
    return ok, '\n'.join(lines)


def summarize_gcs_month(request: MonthRequest, settings: Mapping[str, str], report: Mapping[str, float],
                        day: date | None) -> tuple[bool, str]:
    """Lists what api_to_gcs wrote for the month and checks its row counts against the source."""
    gcs = GcsSettings.from_io_config(settings)
    filesystem = gcs.filesystem()
    month_rows = gcs_month_object_rows(request, settings)
    schema = schema_for(request.taxi_type)
    month_files = [info for info in filesystem.get_file_info(
        pafs.FileSelector(partitioned_root(gcs.bucket, request.taxi_type), recursive=True))
        if info.type == pafs.FileType.File and f'{request.file_stem}-' in info.path]
    partition_rows = sum(pq.ParquetFile(filesystem.open_input_file(info.path)).metadata.num_rows
                         for info in month_files)
    lines = [
        f'api_to_gcs, {request}, on {gcs.describe()}:',
        f'  object         {month_rows:>10,} rows  gs://{gcs.bucket}/{month_object_key(request)}',
        f'  partitioned    {partition_rows:>10,} rows  in {len(month_files)} {schema.pickup_date} partitions under '
        f'gs://{partitioned_root(gcs.bucket, request.taxi_type)}/',
    ]
    if day is not None:
        daily_key = daily_object_key(day, request.taxi_type)
        daily = pq.read_metadata(f'{gcs.bucket}/{daily_key}', filesystem=filesystem).num_rows
        lines.append(f'  daily          {daily:>10,} rows  gs://{gcs.bucket}/{daily_key} ({day})')
    ok = month_rows == partition_rows == report['trips']
    lines.append('  OK: object and partitions hold exactly the rows the transform keeps' if ok else
                 f'  MISMATCH: expected {report["trips"]:,} rows in each')
    return ok, '\n'.join(lines)


def summarize_bigquery_range(taxi_type: str, first: date, last: date, settings: Mapping[str, str]) -> tuple[bool, str]:
    """Compares the table's rows per pickup date with the GCS partitions of the same dates."""
    gcs = GcsSettings.from_io_config(settings)
    in_gcs = read_date_range(gcs.filesystem(), gcs.bucket, taxi_type, first, last).num_rows
    bigquery_settings = BigQuerySettings.from_io_config(settings)
    table_id = bigquery_table_id(taxi_type, settings)
    rows, dates = bigquery_range_rows(taxi_type, first, last, settings)
    ok = rows == in_gcs
    lines = [
        f'gcs_to_bigquery, {taxi_type} {first}..{last}:',
        f'  in GCS         {in_gcs:>10,} rows  gs://{partitioned_root(gcs.bucket, taxi_type)}/',
        f'  in the table   {rows:>10,} rows  {table_id}, {dates} daily partitions ({bigquery_settings.describe()})',
        '  OK: every date holds exactly its GCS rows, once' if ok else '  MISMATCH between GCS and BigQuery',
    ]
    return ok, '\n'.join(lines)
