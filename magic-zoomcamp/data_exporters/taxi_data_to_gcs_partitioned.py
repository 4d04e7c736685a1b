import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.mage.schedule import month_of_run
from nyc_taxi.targets.parquet_exports import PARTITIONED_PREFIX, partitioned_root, replace_month_partitions
from nyc_taxi.model.schema import schema_for
from nyc_taxi.staging.staged_month import STAGED_FILE, clean_batches
from nyc_taxi.staging.stage import stage_of

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def taxi_data_to_gcs_partitioned(data: pd.DataFrame, *args, **kwargs) -> None:
    """Replaces the month's files in gs://{GCS_BUCKET}/nyc_taxi_data/{taxi_type}/, partitioned by pickup date."""
    request = month_of_run(kwargs).request
    staged_file = data[STAGED_FILE].iloc[0]
    settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE),
                                       f'{PARTITIONED_PREFIX}/{request.taxi_type}/')
    result = replace_month_partitions(filesystem, settings.bucket, clean_batches(staged_file),
                                      schema_for(request.taxi_type), request)
    stage_of(staged_file).release('taxi_data_to_gcs_partitioned')
    block_logger(kwargs, 'taxi_data_to_gcs_partitioned').info(
        '%d rows in %d partition files under gs://%s (%d stale files removed)',
        result.rows, len(result.paths), partitioned_root(settings.bucket, request.taxi_type), len(result.deleted))
