import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.targets.parquet_exports import daily_object_key, write_daily_object
from nyc_taxi.runs.dates import execution_day
from nyc_taxi.runs.month import taxi_type_of
from nyc_taxi.model.schema import schema_for
from nyc_taxi.staging.staged_month import STAGED_FILE, clean_batches
from nyc_taxi.staging.stage import stage_of

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def export_daily_trips_gcs(data: pd.DataFrame, *args, **kwargs) -> None:
    """Writes the trips picked up on the run's execution_date to gs://{GCS_BUCKET}/{YYYY}/{MM}/{DD}/{taxi_type}/daily-trips.parquet.

    Scheduled and backfill runs carry execution_date; a manual run passes it as a runtime variable
    (`--runtime-vars '{"execution_date": "2021-01-15"}'`) or writes nothing.
    """
    logger = block_logger(kwargs, 'export_daily_trips_gcs')
    staged_file = data[STAGED_FILE].iloc[0]
    day = execution_day(kwargs)
    if day is None:
        logger.info('no execution_date in this run, nothing to write')
    else:
        settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE), daily_object_key(day, taxi_type_of(kwargs)))
        result = write_daily_object(filesystem, settings.bucket, clean_batches(staged_file),
                                    schema_for(taxi_type_of(kwargs)), day)
        logger.info('%d trips of %s to gs://%s', result.rows, day, result.paths[0])
    stage_of(staged_file).release('export_daily_trips_gcs')
