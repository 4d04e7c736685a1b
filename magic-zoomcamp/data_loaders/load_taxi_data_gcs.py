import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.gcs_reader import read_date_range, to_frame
from nyc_taxi.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.mage_schedule import dates_of_run
from nyc_taxi.parquet_exports import PARTITIONED_PREFIX
from nyc_taxi.run_month import taxi_type_of
from nyc_taxi.schema import schema_of

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def load_taxi_data_gcs(*args, **kwargs) -> pd.DataFrame:
    """The run's pickup dates from gs://{GCS_BUCKET}/nyc_taxi_data/{taxi_type}/ (only those partitions are read).

    Dates: start_date/end_date variables, else the interval a trigger or backfill run closes (see README).
    """
    taxi_type = taxi_type_of(kwargs)
    first, last = dates_of_run(kwargs)
    settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE),
                                       f'{PARTITIONED_PREFIX}/{taxi_type}/')
    trips = read_date_range(filesystem, settings.bucket, taxi_type, first, last)
    block_logger(kwargs, 'load_taxi_data_gcs').info('%d %s trips picked up %s..%s', trips.num_rows, taxi_type,
                                                    first, last)
    return to_frame(trips)


@test
def test_dates_within_the_run(output: pd.DataFrame, *args, **kwargs) -> None:
    first, last = dates_of_run(kwargs)
    days = output[schema_of(output.columns).pickup_date]
    assert days.empty or (days.min() >= first and days.max() <= last), 'rows outside the run dates'
