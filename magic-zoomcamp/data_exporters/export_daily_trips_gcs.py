import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.arrow import clean_table
from nyc_taxi.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.parquet_exports import daily_object_key, write_daily_object
from nyc_taxi.run_dates import execution_day
from nyc_taxi.schema import schema_of

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def export_daily_trips_gcs(data: pd.DataFrame, *args, **kwargs) -> None:
    """Writes the trips picked up on the run's execution_date to gs://{GCS_BUCKET}/{YYYY}/{MM}/{DD}/daily-trips.parquet.

    Scheduled and backfill runs carry execution_date; a manual run passes it as a runtime variable
    (`--runtime-vars '{"execution_date": "2021-01-15"}'`) or writes nothing.
    """
    logger = block_logger(kwargs, 'export_daily_trips_gcs')
    day = execution_day(kwargs)
    if day is None:
        logger.info('no execution_date in this run, nothing to write')
        return
    settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE), daily_object_key(day))
    result = write_daily_object(filesystem, settings.bucket, clean_table(data, schema_of(data.columns)),
                                schema_of(data.columns), day)
    logger.info('%d trips of %s to gs://%s', result.rows, day, result.paths[0])
