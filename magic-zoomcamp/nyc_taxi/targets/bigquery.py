"""The BigQuery target: settings from the io_config profile, and a writer that replaces a date range.

Same code for BigQuery and a local emulator: BIGQUERY_EMULATOR_HOST set means the emulator's REST
endpoint without credentials; otherwise a service-account key file or Application Default Credentials.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from google.api_core import exceptions as google_errors
from google.api_core.retry import Retry
from google.cloud import bigquery
from pydantic import BaseModel

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.resources.identifiers import checked_identifier
from nyc_taxi.resources.io_config import is_unset
from nyc_taxi.model.schema import TripFileSchema

BIGQUERY_TYPES: dict[pa.DataType, str] = {
    pa.int16(): 'INTEGER',
    pa.float64(): 'FLOAT',
    pa.string(): 'STRING',
    # The trip files' times are New York wall-clock times without a zone: DATETIME, not TIMESTAMP.
    pa.timestamp('us'): 'DATETIME',
    pa.date32(): 'DATE',
}
STAGING_LIFETIME = timedelta(hours=6)


class BigQueryError(RuntimeError):
    """BigQuery refused or could not be reached; the message names the table and the setting."""


class BigQuerySettings(BaseModel):
    project: str
    dataset: str
    location: str | None = None
    key_file: Path | None = None
    emulator_host: str | None = None
    retry_seconds: float = 120

    @classmethod
    def from_io_config(cls, config: Mapping[str, Any], profile: str = 'default') -> 'BigQuerySettings':
        missing = [key for key in ('GCP_PROJECT_ID', 'BQ_DATASET') if is_unset(config.get(key))]
        if missing:
            raise BigQueryError(f'io_config.yaml profile {profile!r} has no value for {", ".join(missing)}: set '
                                'the environment variable(s) of the same name')
        values: dict[str, Any] = {'project': str(config['GCP_PROJECT_ID']).strip(),
                                  'dataset': checked_identifier(str(config['BQ_DATASET']).strip(), 'BQ_DATASET')}
        for key, field in (('GOOGLE_LOCATION', 'location'), ('GOOGLE_SERVICE_ACC_KEY_FILEPATH', 'key_file'),
                           ('BIGQUERY_EMULATOR_HOST', 'emulator_host'), ('BQ_RETRY_SECONDS', 'retry_seconds')):
            if not is_unset(config.get(key)):
                values[field] = config[key]
        return cls(**values)

    def describe(self) -> str:
        where = f'emulator {self.emulator_host}' if self.emulator_host else 'BigQuery'
        return f'{self.project}.{self.dataset} on {where}'

    def client(self) -> bigquery.Client:
        if self.emulator_host:
            from google.auth.credentials import AnonymousCredentials

            return bigquery.Client(project=self.project, credentials=AnonymousCredentials(), location=self.location,
                                   client_options={'api_endpoint': self.emulator_host})
        if self.key_file is not None:
            from google.oauth2 import service_account

            credentials = service_account.Credentials.from_service_account_file(str(self.key_file))
            return bigquery.Client(project=self.project, credentials=credentials, location=self.location)
        return bigquery.Client(project=self.project, location=self.location)

    def retry(self) -> Retry:
        return bigquery.DEFAULT_RETRY.with_deadline(self.retry_seconds)

    def ensure_dataset(self, client: bigquery.Client, retry: Retry) -> None:
        """Creates the dataset (in `location`, if set) unless it exists."""
        dataset = bigquery.Dataset(f'{self.project}.{self.dataset}')
        if self.location:
            dataset.location = self.location
        client.create_dataset(dataset, exists_ok=True, retry=retry)


def table_schema(schema: TripFileSchema) -> list[bigquery.SchemaField]:
    return [bigquery.SchemaField(field.name, BIGQUERY_TYPES[field.type]) for field in clean_arrow_schema(schema)]


def replace_dates(client: bigquery.Client, settings: BigQuerySettings, table_name: str, trips_file: str,
                  schema: TripFileSchema, first: date, last: date) -> int:
    """Makes `dataset.table_name` hold exactly the trips of the parquet file `trips_file` (clean columns)
    for pickup dates `first`..`last`; returns rows written.

    The table is partitioned by day on the pickup date and created when missing. The rows are
    loaded into a staging table first, then one MERGE deletes the range's old rows and inserts the
    new ones: a single statement, so readers see the old range or the new one, and a failure at
    any step leaves the table as it was. Re-running a range gives the same rows; other dates are
    never touched. The staging table is dropped afterwards and expires by itself if a crash
    prevents that. The file goes to BigQuery as it is, by a resumable upload read from disk: the
    month never passes through memory. Its trips must lie inside the range. No trips at all writes nothing: an empty
    source range is more often a missing upstream load than a real absence of trips.
    """
    table_id = f'{settings.project}.{settings.dataset}.{checked_identifier(table_name, "table name")}'
    fields = table_schema(schema)
    rows = _check_within(trips_file, schema, first, last, table_id)
    if rows == 0:
        return 0
    retry = settings.retry()
    try:
        settings.ensure_dataset(client, retry)
        target = _ensure_table(client, table_id, fields, schema.pickup_date, retry)
        _fit_schema(client, target, fields, schema, table_id, retry)
        staging_id = f'{table_id}__staging_{uuid.uuid4().hex[:12]}'
        staging = bigquery.Table(staging_id, schema=fields)
        staging.expires = datetime.now(timezone.utc) + STAGING_LIFETIME
        client.create_table(staging, retry=retry)
        try:
            _load_parquet(client, staging_id, trips_file, fields, retry)
            columns = ', '.join(f'`{field.name}`' for field in fields)
            values = ', '.join(f'S.`{field.name}`' for field in fields)
            merge = (
                f'MERGE `{table_id}` T USING `{staging_id}` S ON FALSE '
                f'WHEN NOT MATCHED BY SOURCE AND T.`{schema.pickup_date}` BETWEEN @first AND @last THEN DELETE '
                f'WHEN NOT MATCHED THEN INSERT ({columns}) VALUES ({values})'
            )
            parameters = [bigquery.ScalarQueryParameter('first', 'DATE', first),
                          bigquery.ScalarQueryParameter('last', 'DATE', last)]
            client.query(merge, job_config=bigquery.QueryJobConfig(query_parameters=parameters),
                         retry=retry).result(retry=retry)
        finally:
            client.delete_table(staging_id, not_found_ok=True, retry=retry)
    except (google_errors.GoogleAPIError, OSError) as error:
        raise BigQueryError(f'Replacing {first}..{last} in {table_id} ({settings.describe()}) failed, the table '
                            f'is unchanged: {error}') from error
    return rows


def _check_within(trips_file: str, schema: TripFileSchema, first: date, last: date, table_id: str) -> int:
    """The file's rows, after checking (a batch of its date column at a time) that all lie in first..last."""
    rows = outside = 0
    for batch in pq.ParquetFile(trips_file).iter_batches(columns=[schema.pickup_date]):
        days = batch.column(0)
        outside += pc.sum(pc.invert(pc.and_(pc.greater_equal(days, pa.scalar(first, pa.date32())),
                                            pc.less_equal(days, pa.scalar(last, pa.date32()))))).as_py() or 0
        rows += batch.num_rows
    if outside:
        raise BigQueryError(f'{outside} trips to load into {table_id} are dated outside '
                            f'{first}..{last}, the range this run replaces')
    return rows


def _ensure_table(client: bigquery.Client, table_id: str, fields: list[bigquery.SchemaField], partition_field: str,
                  retry: Retry) -> bigquery.Table:
    try:
        return client.get_table(table_id, retry=retry)
    except google_errors.NotFound:
        table = bigquery.Table(table_id, schema=fields)
        table.time_partitioning = bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY,
                                                            field=partition_field)
        return client.create_table(table, exists_ok=True, retry=retry)


def _fit_schema(client: bigquery.Client, table: bigquery.Table, fields: list[bigquery.SchemaField],
                schema: TripFileSchema, table_id: str, retry: Retry) -> None:
    """Adds the schema's later columns that the table lacks (made by an earlier version, or by older
    months) as NULLABLE columns, which leaves every row as it was; refuses any other difference, naming
    the column, before anything is written."""
    expected = {field.name: field.field_type for field in fields}
    actual = {field.name: field.field_type for field in table.schema}
    later = {schema.clean_name(name) for name in schema.later_columns}
    problems = [f'{name} is {kind}, not {expected[name]}' for name, kind in actual.items()
                if name in expected and kind != expected[name]]
    problems += [f'has {name} {kind}, which {schema.taxi_type} trips do not have' for name, kind in actual.items()
                 if name not in expected]
    problems += [f'lacks {name}' for name in expected if name not in actual and name not in later]
    if problems:
        raise BigQueryError(f'{table_id} exists but is not the table this pipeline writes: {"; ".join(problems)}. '
                            'The table is unchanged. Drop it or set BQ_DATASET to another dataset.')
    for field in (field for field in fields if field.name not in actual):
        # DDL rather than a schema patch (tables.patch): both add a NULLABLE column in place on BigQuery,
        # and the DDL is what the local emulator applies to its storage too (one column a statement,
        # which it requires). IF NOT EXISTS makes a repeat a no-op.
        client.query(f'ALTER TABLE `{table_id}` ADD COLUMN IF NOT EXISTS `{field.name}` '
                     f'{_DDL_TYPES.get(field.field_type, field.field_type)}', retry=retry).result(retry=retry)


_DDL_TYPES = {'FLOAT': 'FLOAT64', 'INTEGER': 'INT64'}


def _load_parquet(client: bigquery.Client, table_id: str, trips_file: str, fields: list[bigquery.SchemaField],
                  retry: Retry) -> None:
    # No size passed: the client then uses a resumable upload, which every endpoint accepts.
    job_config = bigquery.LoadJobConfig(source_format=bigquery.SourceFormat.PARQUET, schema=fields,
                                        write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE)
    with open(trips_file, 'rb') as trips:
        client.load_table_from_file(trips, table_id, job_config=job_config).result(retry=retry)
