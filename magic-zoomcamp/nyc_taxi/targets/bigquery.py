"""The BigQuery target: settings from the io_config profile, and a writer that replaces a date range.

The writer runs inside BigQuery: it MERGEs a clean staging table (nyc_taxi.staging.bigquery_staging)
into the target, so the trips never leave Google's side.

Same code for BigQuery and a local emulator: BIGQUERY_EMULATOR_HOST set means the emulator's REST
endpoint without credentials; otherwise a service-account key file or Application Default Credentials.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import pyarrow as pa
from google.api_core import exceptions as google_errors
from google.api_core.retry import Retry
from google.cloud import bigquery
from pydantic import BaseModel

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.resources.identifiers import checked_identifier
from nyc_taxi.resources.io_config import is_unset
from nyc_taxi.model.schema import TripFileSchema

if TYPE_CHECKING:
    from nyc_taxi.staging.staged_table import StagedTable

BIGQUERY_TYPES: dict[pa.DataType, str] = {
    pa.int16(): 'INTEGER',
    pa.int32(): 'INTEGER',
    pa.float64(): 'FLOAT',
    pa.string(): 'STRING',
    # The trip files' times are New York wall-clock times without a zone: DATETIME, not TIMESTAMP.
    pa.timestamp('us'): 'DATETIME',
    pa.date32(): 'DATE',
}


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

    def settings_hint(self) -> str:
        """The settings that decide where BigQuery is and who calls it: what to check when it fails."""
        if self.emulator_host:
            return 'check BIGQUERY_EMULATOR_HOST (the local emulator: `make up`)'
        return 'check GCP_PROJECT_ID, GOOGLE_LOCATION and the credentials (GOOGLE_SERVICE_ACC_KEY_FILEPATH)'

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


def replace_dates(client: bigquery.Client, settings: BigQuerySettings, table_name: str, trips: StagedTable,
                  schema: TripFileSchema, first: date, last: date) -> int:
    """Makes `dataset.table_name` hold exactly the trips of the clean staging table `trips` for pickup dates
    `first`..`last`; returns rows written.

    The table is partitioned by day on the pickup date and created when missing; later columns it
    lacks are added in place, any other difference is refused before anything is written. One
    MERGE deletes the range's old rows and inserts the new ones: a single statement, so readers see
    the old range or the new one, and a failure leaves the table as it was. Re-running a range gives
    the same rows; other dates are never touched. The trips must lie inside the range. No trips at
    all writes nothing: an empty source range is more often a missing upstream load than a real
    absence of trips.
    """
    table_id = f'{settings.project}.{settings.dataset}.{checked_identifier(table_name, "table name")}'
    if trips.trips == 0 or trips.table_id is None:
        return 0
    if trips.first_date is None or trips.last_date is None or trips.first_date < first or trips.last_date > last:
        raise BigQueryError(f'The trips of {trips.table_id} are picked up {trips.first_date}..{trips.last_date}, '
                            f'outside {first}..{last}, the range this run replaces in {table_id}')
    fields = table_schema(schema)
    retry = settings.retry()
    try:
        settings.ensure_dataset(client, retry)
        target = _ensure_table(client, table_id, fields, schema.pickup_date, retry)
        _fit_schema(client, target, fields, schema, table_id, retry)
        columns = ', '.join(f'`{field.name}`' for field in fields)
        values = ', '.join(f'S.`{field.name}`' for field in fields)
        merge = (
            f'MERGE `{table_id}` T USING `{trips.table_id}` S ON FALSE '
            f'WHEN NOT MATCHED BY SOURCE AND T.`{schema.pickup_date}` BETWEEN @first AND @last THEN DELETE '
            f'WHEN NOT MATCHED THEN INSERT ({columns}) VALUES ({values})'
        )
        parameters = [bigquery.ScalarQueryParameter('first', 'DATE', first),
                      bigquery.ScalarQueryParameter('last', 'DATE', last)]
        client.query(merge, job_config=bigquery.QueryJobConfig(query_parameters=parameters),
                     retry=retry).result(retry=retry)
    except google_errors.NotFound as error:
        if trips.table_id in str(error):
            raise trips.gone(error) from error
        raise BigQueryError(f'Replacing {first}..{last} in {table_id} ({settings.describe()}) failed, the table '
                            f'is unchanged: {error}') from error
    except (google_errors.GoogleAPIError, OSError) as error:
        raise BigQueryError(f'Replacing {first}..{last} in {table_id} ({settings.describe()}) failed, the table '
                            f'is unchanged ({settings.settings_hint()}): {error}') from error
    return trips.trips


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
