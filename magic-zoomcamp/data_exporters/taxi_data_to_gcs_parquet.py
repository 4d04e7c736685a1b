import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.arrow import clean_table
from nyc_taxi.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.mage_schedule import month_of_run
from nyc_taxi.parquet_exports import month_object_key, write_month_object
from nyc_taxi.schema import schema_of

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def taxi_data_to_gcs_parquet(data: pd.DataFrame, *args, **kwargs) -> None:
    """Writes the month as one object: gs://{GCS_BUCKET}/nyc_taxi/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.parquet."""
    request = month_of_run(kwargs).request
    settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE), month_object_key(request))
    result = write_month_object(filesystem, settings.bucket, clean_table(data, schema_of(data.columns)), request)
    block_logger(kwargs, 'taxi_data_to_gcs_parquet').info('%d rows to gs://%s', result.rows, result.paths[0])
