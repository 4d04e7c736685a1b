"""Trips per pickup date, in BigQuery and in the GCS partitions: what a gcs_to_bigquery run should make equal."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pyarrow.fs as pafs
from google.cloud import bigquery

from devstack.emulators import LOCAL_BUCKET, LOCAL_PROJECT
from nyc_taxi.sources.gcs_partitions import read_date_range
from nyc_taxi.model.schema import schema_for


def bigquery_rows_per_date(client: bigquery.Client, dataset: str, taxi_type: str = 'yellow') -> Counter:
    pickup_date = schema_for(taxi_type).pickup_date
    query = f'SELECT {pickup_date}, count(*) FROM `{LOCAL_PROJECT}.{dataset}.{taxi_type}_taxi_trips` GROUP BY 1'
    return Counter({day: count for day, count in client.query(query).result()})


def gcs_rows_per_date(filesystem: pafs.FileSystem, first: date, last: date, taxi_type: str = 'yellow') -> Counter:
    table = read_date_range(filesystem, LOCAL_BUCKET, taxi_type, first, last)
    return Counter(table.column(schema_for(taxi_type).pickup_date).to_pylist())
