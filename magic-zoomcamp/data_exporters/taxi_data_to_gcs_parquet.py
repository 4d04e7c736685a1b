from typing import Any

from mage_ai.settings.repo import get_repo_path

from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.targets.parquet_exports import month_object_key, write_month_object
from nyc_taxi.model.schema import schema_for
from nyc_taxi.mage.current_months import skipped_above
from nyc_taxi.mage.load_records import load_record
from nyc_taxi.mage.trips import trips_to_export

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def taxi_data_to_gcs_parquet(data: list[Any], *args, **kwargs) -> None:
    """Writes the month as one object: gs://{GCS_BUCKET}/nyc_taxi/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.parquet,
    whose metadata keeps what was loaded, from which version of the source file, under which transform and by which
    run (nyc_taxi.targets.gcs_ledger). A month the loader skipped, current here, is left as it is."""
    if skipped_above(data, 'taxi_data_to_gcs_parquet', kwargs) is not None:
        return
    trips = trips_to_export(data, 'taxi_data_to_gcs_parquet', kwargs)
    request = trips.request
    settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE), month_object_key(request))
    result = write_month_object(filesystem, settings.bucket, trips.batches(), schema_for(request.taxi_type),
                                request, load_record(trips, kwargs))
    trips.read(kwargs, 'taxi_data_to_gcs_parquet')
    block_logger(kwargs, 'taxi_data_to_gcs_parquet').info('%d rows to gs://%s', result.rows, result.paths[0])
