import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.targets.bigquery import BigQuerySettings, replace_dates
from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE
from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.mage.schedule import dates_of_run
from nyc_taxi.runs.month import taxi_type_of
from nyc_taxi.model.schema import schema_for
from nyc_taxi.staging.staged_month import STAGED_FILE
from nyc_taxi.staging.stage import stage_of

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def taxi_data_to_bigquery(data: pd.DataFrame, *args, **kwargs) -> None:
    """Replaces the run's pickup dates in {BQ_DATASET}.{taxi_type}_taxi_trips (day-partitioned), in one MERGE."""
    taxi_type = taxi_type_of(kwargs)
    first, last = dates_of_run(kwargs)
    settings = BigQuerySettings.from_io_config(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE))
    table = trips_table_name(taxi_type)
    staged_file = data[STAGED_FILE].iloc[0]
    rows = replace_dates(settings.client(), settings, table, staged_file, schema_for(taxi_type), first, last)
    stage_of(staged_file).release('taxi_data_to_bigquery')
    logger = block_logger(kwargs, 'taxi_data_to_bigquery')
    if rows:
        logger.info('%d rows for %s..%s now in %s.%s (%s)', rows, first, last,
                    settings.dataset, table, settings.describe())
    else:
        logger.warning('no trips for %s..%s in GCS; %s.%s (%s) left as it was', first,
                       last, settings.dataset, table, settings.describe())
