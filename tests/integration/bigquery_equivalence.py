"""What gcs_to_bigquery wrote, against what the old path (the partitions read and cleaned in this process by
the Arrow rules) wrote for the same dates: rows, sums and a digest of every row."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
from google.cloud import bigquery

from devstack.emulators import LOCAL_PROJECT
from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.model.schema import schema_for
from nyc_taxi.model.transform import clean_batch
from nyc_taxi.sources.gcs_partitions import read_date_range


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    sums: dict[str, float]
    digest: str


def arrow_path_trips(filesystem: pafs.FileSystem, bucket: str, taxi_type: str, first: date, last: date,
                     drop_missing_passengers: bool = False) -> pa.Table:
    """The old path: the dates' partitions read here and cleaned a batch at a time by `clean_batch`."""
    schema = schema_for(taxi_type)
    table = read_date_range(filesystem, bucket, taxi_type, first, last)
    batches = [clean_batch(batch, schema, drop_missing_passengers)[0] for batch in table.to_batches()]
    return pa.Table.from_batches(batches, clean_arrow_schema(schema))


def bigquery_trips(client: bigquery.Client, dataset: str, taxi_type: str, first: date, last: date) -> pa.Table:
    schema = schema_for(taxi_type)
    parameters = [bigquery.ScalarQueryParameter('first', 'DATE', first),
                  bigquery.ScalarQueryParameter('last', 'DATE', last)]
    query = (f'SELECT * FROM `{LOCAL_PROJECT}.{dataset}.{taxi_type}_taxi_trips` '
             f'WHERE {schema.pickup_date} BETWEEN @first AND @last')
    return client.query(query, job_config=bigquery.QueryJobConfig(query_parameters=parameters)).result().to_arrow(
        create_bqstorage_client=False)


def fingerprint(trips: pa.Table, taxi_type: str) -> Fingerprint:
    """The trips in the clean columns' order, integers widened: their count, the sums of the number columns,
    and a SHA-256 of every row, sorted."""
    names = clean_arrow_schema(schema_for(taxi_type)).names
    columns = []
    for name in names:
        column = trips.column(name)
        if pa.types.is_integer(column.type):
            column = column.cast(pa.int64())
        elif pa.types.is_timestamp(column.type):
            column = column.cast(pa.timestamp('us'))
        columns.append(column)
    table = pa.table(columns, names=names)
    sums = {name: round(pc.sum(table.column(name)).as_py() or 0, 4) for name in names
            if pa.types.is_floating(table.schema.field(name).type) or pa.types.is_integer(table.schema.field(name).type)}
    ordered = table.sort_by([(name, 'ascending') for name in names])
    digest = hashlib.sha256(repr(ordered.to_pylist()).encode()).hexdigest()
    return Fingerprint(table.num_rows, sums, digest)
