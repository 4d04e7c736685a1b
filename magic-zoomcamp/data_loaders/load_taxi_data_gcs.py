from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.logs import block_logger
from nyc_taxi.mage.run_context import output_made, stage_for_output
from nyc_taxi.mage.schedule import dates_of_run
from nyc_taxi.mage.trips import block_output
from nyc_taxi.targets.parquet_exports import PARTITIONED_PREFIX
from nyc_taxi.runs.month import taxi_type_of
from nyc_taxi.model.schema import schema_for
from nyc_taxi.staging.staged_month import stage_date_range

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def load_taxi_data_gcs(*args, **kwargs) -> list[Any]:
    """The run's pickup dates from gs://{GCS_BUCKET}/nyc_taxi_data/{taxi_type}/ (only those partitions are read).

    Dates: start_date/end_date variables, else the interval a trigger or backfill run closes (see README).
    The trips are streamed into a staged file. Outputs: their first rows, then the staged trips.
    """
    taxi_type = taxi_type_of(kwargs)
    first, last = dates_of_run(kwargs)
    settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE),
                                       f'{PARTITIONED_PREFIX}/{taxi_type}/')
    stage = stage_for_output(kwargs, 'load_taxi_data_gcs')
    trips = stage_date_range(filesystem, settings.bucket, taxi_type, first, last, stage, 'load_taxi_data_gcs')
    output_made(kwargs, stage)
    block_logger(kwargs, 'load_taxi_data_gcs').info('%d %s trips picked up %s..%s', trips.trips, taxi_type,
                                                    first, last)
    return block_output(trips)


@test
def test_dates_within_the_run(preview, trips, *args, **kwargs) -> None:
    first, last = dates_of_run(kwargs)
    pickup_date = schema_for(taxi_type_of(kwargs)).pickup_date
    days = pc.min_max(pq.read_table(trips.path, columns=[pickup_date]).column(0))
    assert days['min'].as_py() is None or (days['min'].as_py() >= first and days['max'].as_py() <= last), \
        'rows outside the run dates'
