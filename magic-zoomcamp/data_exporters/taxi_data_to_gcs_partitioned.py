from typing import Any

from mage_ai.settings.repo import get_repo_path

from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.targets.parquet_exports import PARTITIONED_PREFIX, partitioned_root, replace_month_partitions
from nyc_taxi.model.schema import schema_for
from nyc_taxi.mage.current_months import skipped_above
from nyc_taxi.mage.load_records import load_record
from nyc_taxi.mage.trips import trips_to_export

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def taxi_data_to_gcs_partitioned(data: list[Any], *args, **kwargs) -> None:
    """Replaces the month's files in gs://{GCS_BUCKET}/nyc_taxi_data/{taxi_type}/, partitioned by pickup date. Each
    file's metadata keeps the month's load record (nyc_taxi.targets.gcs_ledger). A month the loader skipped,
    current here, is left as it is."""
    if skipped_above(data, 'taxi_data_to_gcs_partitioned', kwargs) is not None:
        return
    trips = trips_to_export(data, 'taxi_data_to_gcs_partitioned', kwargs)
    request = trips.request
    settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE),
                                       f'{PARTITIONED_PREFIX}/{request.taxi_type}/')
    result = replace_month_partitions(filesystem, settings.bucket, trips.batches(),
                                      schema_for(request.taxi_type), request, load_record(trips, kwargs))
    trips.read(kwargs, 'taxi_data_to_gcs_partitioned')
    block_logger(kwargs, 'taxi_data_to_gcs_partitioned').info(
        '%d rows in %d partition files under gs://%s (%d stale files removed)',
        result.rows, len(result.paths), partitioned_root(settings.bucket, request.taxi_type), len(result.deleted))
