from typing import Any

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.current_months import skip_if_current
from nyc_taxi.mage.run_context import output_made, stage_for_output
from nyc_taxi.mage.schedule import month_of_run
from nyc_taxi.mage.trips import block_output
from nyc_taxi.runs.month import taxi_type_of
from nyc_taxi.model.schema import schema_for
from nyc_taxi.sources.month_source import month_source
from nyc_taxi.staging.skipped import Skipped
from nyc_taxi.staging.staged_month import stage_source_month

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def load_taxi_data_api(*args, **kwargs) -> list[Any]:
    """One month of yellow, green, FHV or high-volume FHV trips, from the source the variable `source` names:
    release (default): {TAXI_DATA_BASE_URL}/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.csv.gz;
    tlc: {TLC_TRIP_DATA_URL}/{taxi_type}_tripdata_{YYYY}-{MM}.parquet (see nyc_taxi/sources/month_source.py).

    Variables: taxi_type (yellow|green|fhv|fhvhv); year and month, or none of them in a backfill or recurring trigger,
    which load the month of their execution_date minus months_back (see nyc_taxi/runs/month.py).
    The month is streamed into a staged file, never held in memory. Outputs: its first trips, then the
    staged trips (how many, from where, the file) that the blocks below read.

    Scheduled and backfill runs skip a month every target below holds from the source's file as it is now,
    under today's transform: they download and write nothing (variable force: true loads it anyway; see
    nyc_taxi/mage/current_months.py). Outputs then: what was skipped and why, and the Skipped handle.
    """
    choice = month_of_run(kwargs)
    logger = block_logger(kwargs, 'load_taxi_data_api')
    logger.info('loading %s', choice)
    source = month_source(kwargs)
    skipped = skip_if_current(kwargs, choice.request, source, 'load_taxi_data_api', logger)
    if skipped is not None:
        return [skipped.as_frame(), skipped]
    stage = stage_for_output(kwargs, 'load_taxi_data_api')
    trips = stage_source_month(choice.request, source, stage, 'load_taxi_data_api', logger=logger)
    output_made(kwargs, stage)
    return block_output(trips)


@test
def test_output(preview, trips, *args, **kwargs) -> None:
    if isinstance(trips, Skipped):
        return
    expected = list(schema_for(taxi_type_of(kwargs)).staged_columns)
    assert trips.schema().names == expected, f'columns {trips.schema().names} != {expected}'
    assert list(preview.columns) == expected
