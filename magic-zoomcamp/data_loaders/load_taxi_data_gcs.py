from typing import Any

import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.current_dates import skip_if_current_dates
from nyc_taxi.mage.schedule import dates_of_run
from nyc_taxi.mage.staging_tables import staging_target, table_made
from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.runs.month import taxi_type_of
from nyc_taxi.sources.partition_files import range_files
from nyc_taxi.staging.bigquery_staging import load_range, preview
from nyc_taxi.staging.skipped import Skipped
from nyc_taxi.staging.staged_table import StagedTable
from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.targets.parquet_exports import PARTITIONED_PREFIX

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def load_taxi_data_gcs(*args, **kwargs) -> list[Any]:
    """The run's pickup dates from gs://{GCS_BUCKET}/nyc_taxi_data/{taxi_type}/, loaded by BigQuery itself.

    Dates: start_date/end_date variables, else the interval a trigger or backfill run closes (see docs/running.md).
    Lists the dates' partitions, checks each object's footer, then one BigQuery load job reads them from
    their gs:// URIs into a staging table: no trip passes through Mage. Outputs: the first trips, the
    objects, rows and bytes per pickup date, and the staging table's handle.

    Scheduled and backfill runs skip dates BigQuery holds as loaded from these very objects (generations), under
    today's transform (variable force: true loads them anyway; nyc_taxi/mage/current_dates.py).
    """
    taxi_type = taxi_type_of(kwargs)
    first, last = dates_of_run(kwargs)
    config = load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE)
    gcs, filesystem = open_bucket(config, f'{PARTITIONED_PREFIX}/{taxi_type}/')
    files = range_files(filesystem, gcs.bucket, taxi_type, first, last)
    settings = BigQuerySettings.from_io_config(config)
    client = settings.client()
    skipped = skip_if_current_dates(kwargs, files, client, settings, 'load_taxi_data_gcs',
                                    block_logger(kwargs, 'load_taxi_data_gcs'))
    if skipped is not None:
        return [skipped.as_frame(), files.per_date(), skipped]
    target = staging_target(kwargs, 'load_taxi_data_gcs', trips_table_name(taxi_type), settings)
    staged = load_range(client, settings, files, target, 'load_taxi_data_gcs')
    table_made(kwargs, client, settings, staged, trips_table_name(taxi_type))
    block_logger(kwargs, 'load_taxi_data_gcs').info('%d %s trips picked up %s..%s, %d objects loaded by BigQuery into %s',
                                                    staged.trips, taxi_type, first, last, len(files.files),
                                                    staged.table_id or '(no table: no trips)')
    return [preview(client, settings, staged), files.per_date(), staged]


@test
def test_dates_within_the_run(preview, per_date: pd.DataFrame, staged: StagedTable, *args, **kwargs) -> None:
    if isinstance(staged, Skipped):
        return
    first, last = dates_of_run(kwargs)
    assert staged.trips == 0 or (staged.first_date >= first and staged.last_date <= last), 'rows outside the run dates'
    assert int(per_date['rows'].sum()) == staged.trips, 'the staging table holds other rows than the objects'
