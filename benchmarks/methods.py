"""Each benchmarked way of loading a month, runnable alone: `python -m benchmarks.methods METHOD FILE ...`.

Every method prints one JSON line with the timing of its load step alone (`step_s`, `step_cpu_s`),
so the harness can report the exporter apart from parsing.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from pathlib import Path

import pandas as pd

# The dtype map and transform of the course's week-2 Mage blocks (yellow files).
COURSE_DTYPES = {
    'VendorID': pd.Int64Dtype(), 'passenger_count': pd.Int64Dtype(), 'trip_distance': float,
    'RatecodeID': pd.Int64Dtype(), 'store_and_fwd_flag': str, 'PULocationID': pd.Int64Dtype(),
    'DOLocationID': pd.Int64Dtype(), 'payment_type': pd.Int64Dtype(), 'fare_amount': float, 'extra': float,
    'mta_tax': float, 'tip_amount': float, 'tolls_amount': float, 'improvement_surcharge': float,
    'total_amount': float, 'congestion_surcharge': float,
}


def course_read(path: Path, prefix: str) -> pd.DataFrame:
    dtypes = dict(COURSE_DTYPES)
    if prefix == 'lpep':
        dtypes.update({'ehail_fee': float, 'trip_type': pd.Int64Dtype()})
    return pd.read_csv(path, sep=',', compression='gzip', dtype=dtypes,
                       parse_dates=[f'{prefix}_pickup_datetime', f'{prefix}_dropoff_datetime'])


def course_transform(data: pd.DataFrame, prefix: str) -> pd.DataFrame:
    data = data[(data['passenger_count'] > 0) & (data['trip_distance'] > 0)].copy()
    data[f'{prefix}_pickup_date'] = data[f'{prefix}_pickup_datetime'].dt.date
    return data.rename(columns={'VendorID': 'vendor_id', 'RatecodeID': 'ratecode_id',
                                'PULocationID': 'pu_location_id', 'DOLocationID': 'do_location_id'})


def timed(step):
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    print(json.dumps({'step_s': time.perf_counter() - wall, 'step_cpu_s': time.process_time() - cpu}))
    return result


def stock_mage(path: Path, prefix: str, table: str) -> None:
    from mage_ai.io.config import ConfigFileLoader
    from mage_ai.io.postgres import Postgres

    from devstack.paths import PROJECT_DIR

    data = course_transform(course_read(path, prefix), prefix)
    config = ConfigFileLoader(str(PROJECT_DIR / 'io_config.yaml'), 'dev')

    def export() -> None:
        with Postgres.with_config(config) as loader:
            loader.export(data, os.environ['POSTGRES_SCHEMA'], table, index=False, if_exists='replace')

    timed(export)


def pandas_to_sql(path: Path, prefix: str, table: str) -> None:
    import sqlalchemy

    data = course_transform(course_read(path, prefix), prefix)
    env = os.environ
    engine = sqlalchemy.create_engine(
        f'postgresql+psycopg2://{env["POSTGRES_USER"]}:{env["POSTGRES_PASSWORD"]}@{env["POSTGRES_HOST"]}:'
        f'{env["POSTGRES_PORT"]}/{env["POSTGRES_DBNAME"]}')
    timed(lambda: data.to_sql(table, engine, schema=env['POSTGRES_SCHEMA'], if_exists='replace', index=False,
                              chunksize=100_000))


def ours_export(path: Path, taxi_type: str, month: str) -> None:
    from nyc_taxi.sources.release_csv import read_trip_file
    from nyc_taxi.resources.identifiers import trips_table_name
    from nyc_taxi.targets.postgres import PostgresSettings, replace_month
    from nyc_taxi.model.schema import schema_for
    from nyc_taxi.model.transform import clean_trips

    schema = schema_for(taxi_type)
    clean, _ = clean_trips(read_trip_file(path, schema), schema)
    settings = PostgresSettings.from_io_config(os.environ)
    timed(lambda: replace_month(settings, clean, schema, settings.db_schema, trips_table_name(taxi_type),
                                date.fromisoformat(month)))


def _clean_month(path: Path, taxi_type: str):
    from nyc_taxi.sources.release_csv import read_trip_file
    from nyc_taxi.model.schema import schema_for
    from nyc_taxi.model.transform import clean_trips

    schema = schema_for(taxi_type)
    return clean_trips(read_trip_file(path, schema), schema)[0], schema


def gcs_partitioned(path: Path, taxi_type: str, month: str) -> None:
    from nyc_taxi.model.arrow import clean_table
    from nyc_taxi.resources.gcs import GcsSettings
    from nyc_taxi.targets.parquet_exports import replace_month_partitions
    from nyc_taxi.runs.request import MonthRequest

    clean, schema = _clean_month(path, taxi_type)
    settings = GcsSettings.from_io_config(os.environ)
    filesystem = settings.filesystem()
    start = date.fromisoformat(month)
    request = MonthRequest(taxi_type=taxi_type, year=start.year, month=start.month)
    timed(lambda: replace_month_partitions(filesystem, settings.bucket, clean_table(clean, schema).to_batches(),
                                           schema, request))


def gcs_per_day_loop(path: Path, taxi_type: str, month: str) -> None:
    """The tutorial way: one DataFrame.to_parquet per pickup date."""
    from nyc_taxi.resources.gcs import GcsSettings

    clean, schema = _clean_month(path, taxi_type)
    settings = GcsSettings.from_io_config(os.environ)
    filesystem = settings.filesystem()

    def loop() -> None:
        for day, trips in clean.groupby(schema.pickup_date):
            trips.to_parquet(f'{settings.bucket}/bench_per_day/{taxi_type}/{schema.pickup_date}={day}/data.parquet',
                             filesystem=filesystem, index=False)

    timed(loop)


def _month_in_gcs(path: Path, taxi_type: str, month: str):
    """The month's clean date partitions in the bucket, as api_to_gcs writes them (not timed); its first and last day."""
    import calendar

    from nyc_taxi.model.arrow import clean_table
    from nyc_taxi.resources.gcs import GcsSettings
    from nyc_taxi.runs.request import MonthRequest
    from nyc_taxi.targets.parquet_exports import replace_month_partitions

    clean, schema = _clean_month(path, taxi_type)
    settings = GcsSettings.from_io_config(os.environ)
    start = date.fromisoformat(month)
    request = MonthRequest(taxi_type=taxi_type, year=start.year, month=start.month)
    replace_month_partitions(settings.filesystem(), settings.bucket, clean_table(clean, schema).to_batches(), schema,
                             request)
    return settings, start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def bigquery_ours(path: Path, taxi_type: str, month: str) -> None:
    """gcs_to_bigquery's three steps, in BigQuery: a load job from the month's gs:// partitions, the rules as SQL,
    the MERGE."""
    from nyc_taxi.model.schema import schema_for
    from nyc_taxi.sources.partition_files import range_files
    from nyc_taxi.staging.bigquery_staging import clean_range, drop_table, load_range
    from nyc_taxi.staging.staged_table import STAGING_LIFETIME, StagingTarget
    from nyc_taxi.targets.bigquery import BigQuerySettings, replace_dates

    gcs, first, last = _month_in_gcs(path, taxi_type, month)
    settings = BigQuerySettings.from_io_config(os.environ)
    client = settings.client()
    # A first load of the month (the table starts empty): the emulator runs a re-load's
    # MERGE ... ON FALSE as a nested loop, 1.3M x 1.3M rows, which says nothing about BigQuery.
    client.delete_table(f'{settings.project}.{settings.dataset}.bench_ours', not_found_ok=True)
    staged_id, clean_id = (f'{settings.project}.{settings.dataset}.bench_ours__{name}' for name in ('staged', 'clean'))

    def steps() -> None:
        files = range_files(gcs.filesystem(), gcs.bucket, taxi_type, first, last)
        staged = load_range(client, settings, files, StagingTarget(staged_id, (), STAGING_LIFETIME), 'bench')
        _, clean = clean_range(client, settings, staged, StagingTarget(clean_id, (), STAGING_LIFETIME), 'bench', False)
        replace_dates(client, settings, 'bench_ours', clean, schema_for(taxi_type), first, last)
        for table_id in (staged_id, clean_id):
            drop_table(client, settings, table_id)

    timed(steps)


def bigquery_load_dataframe(path: Path, taxi_type: str, month: str) -> None:
    """What Mage's stock BigQuery exporter does inside: client.load_table_from_dataframe, replacing the table."""
    from google.cloud import bigquery

    from nyc_taxi.targets.bigquery import BigQuerySettings

    clean, _ = _clean_month(path, taxi_type)
    settings = BigQuerySettings.from_io_config(os.environ)
    client = settings.client()
    client.create_dataset(settings.dataset, exists_ok=True)
    job_config = bigquery.LoadJobConfig(write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE)
    timed(lambda: client.load_table_from_dataframe(
        clean, f'{settings.project}.{settings.dataset}.bench_load_dataframe', job_config=job_config).result())


METHODS = {
    'stock_mage': stock_mage, 'pandas_to_sql': pandas_to_sql, 'ours_export': ours_export,
    'gcs_partitioned': gcs_partitioned, 'gcs_per_day_loop': gcs_per_day_loop,
    'bigquery_ours': bigquery_ours, 'bigquery_load_dataframe': bigquery_load_dataframe,
}

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('method', choices=METHODS)
    parser.add_argument('file', type=Path)
    parser.add_argument('args', nargs='*')
    arguments = parser.parse_args()
    METHODS[arguments.method](arguments.file, *arguments.args)
