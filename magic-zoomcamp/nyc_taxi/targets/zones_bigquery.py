"""The zone lookup in BigQuery: {BQ_DATASET}.taxi_zones, replaced whole from the GCS object by one load job."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.fs as pafs
from google.api_core import exceptions as google_errors
from google.api_core.retry import Retry
from google.cloud import bigquery

from nyc_taxi.model.zones import ZONES_SCHEMA, ZONES_TABLE
from nyc_taxi.resources.identifiers import checked_identifier
from nyc_taxi.sources.parquet_footer import read_footer
from nyc_taxi.targets.bigquery import BIGQUERY_TYPES, BigQueryError, BigQuerySettings


def zones_table_schema() -> list[bigquery.SchemaField]:
    return [bigquery.SchemaField(field.name, BIGQUERY_TYPES[field.type]) for field in ZONES_SCHEMA]


def replace_zones_from_object(client: bigquery.Client, settings: BigQuerySettings, filesystem: pafs.FileSystem,
                              object_uri: str, table_name: str = ZONES_TABLE) -> int:
    """Makes `dataset.table_name` hold exactly the zones of the parquet object `object_uri` (gs://bucket/key,
    written by zones_gcs.write_zones_object); returns the rows loaded.

    One load job from the object's gs:// URI with WRITE_TRUNCATE: BigQuery reads the object itself and
    swaps the table's content when the job succeeds, leaving it as it was when the job fails, so
    readers see the old zones or the new ones. Only the object's parquet footer is read here, to
    refuse a file of other columns before the job (the job's own error says less). The dataset and
    table are created when missing; a table of that name with another schema is refused
    (WRITE_TRUNCATE would replace its schema too).
    """
    table_id = f'{settings.project}.{settings.dataset}.{checked_identifier(table_name, "table name")}'
    rows = _check_object(filesystem, object_uri, table_id)
    fields = zones_table_schema()
    retry = settings.retry()
    try:
        settings.ensure_dataset(client, retry)
        _check_existing_schema(client, table_id, fields, retry)
        job_config = bigquery.LoadJobConfig(source_format=bigquery.SourceFormat.PARQUET, schema=fields,
                                            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
                                            create_disposition=bigquery.CreateDisposition.CREATE_IF_NEEDED)
        client.load_table_from_uri(object_uri, table_id, job_config=job_config, retry=retry).result(retry=retry)
    except (google_errors.GoogleAPIError, OSError) as error:
        raise BigQueryError(f'Replacing {table_id} ({settings.describe()}) from {object_uri} failed, the table is '
                            f'unchanged: {error}') from error
    return rows


def _check_object(filesystem: pafs.FileSystem, object_uri: str, table_id: str) -> int:
    """The object's rows, from its footer, after checking it is parquet with the zone lookup's columns."""
    if not object_uri.startswith('gs://'):
        raise BigQueryError(f'{object_uri} is not a gs:// URI; {table_id} loads from the GCS object of the zones')
    try:
        footer = read_footer(filesystem, object_uri.removeprefix('gs://'))
    except FileNotFoundError as error:
        raise BigQueryError(f'Cannot read {object_uri} to load {table_id}: {error}. It is written by '
                            'export_taxi_zones_to_gcs; check GCS_BUCKET and STORAGE_EMULATOR_HOST.') from error
    except (pa.ArrowInvalid, OSError) as error:
        raise BigQueryError(f'{object_uri} is not a parquet file ({error}); {table_id} is unchanged') from error
    if not footer.schema.remove_metadata().equals(ZONES_SCHEMA.remove_metadata()):
        raise BigQueryError(f'{object_uri} has the columns\n{footer.schema}\nnot the zone lookup\'s\n{ZONES_SCHEMA}\n'
                            f'{table_id} is unchanged')
    return footer.rows


def _check_existing_schema(client: bigquery.Client, table_id: str, fields: list[bigquery.SchemaField],
                           retry: Retry) -> None:
    try:
        table = client.get_table(table_id, retry=retry)
    except google_errors.NotFound:
        return
    expected = [(field.name, field.field_type) for field in fields]
    actual = [(field.name, field.field_type) for field in table.schema]
    if actual != expected:
        raise BigQueryError(f'{table_id} exists with another schema than the zone lookup (it has {actual}; needs '
                            f'{expected}); the table is unchanged. Drop it or set BQ_DATASET to another dataset.')
