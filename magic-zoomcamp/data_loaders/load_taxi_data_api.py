import pandas as pd
import pyarrow.parquet as pq

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.run_context import stage_for_run
from nyc_taxi.mage.schedule import month_of_run
from nyc_taxi.runs.month import taxi_type_of
from nyc_taxi.model.schema import schema_for
from nyc_taxi.sources.month_source import month_source
from nyc_taxi.staging.staged_month import stage_source_month

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def load_taxi_data_api(*args, **kwargs) -> pd.DataFrame:
    """One month of yellow, green or FHV trips, from the source the variable `source` names:
    release (default): {TAXI_DATA_BASE_URL}/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.csv.gz;
    tlc: {TLC_TRIP_DATA_URL}/{taxi_type}_tripdata_{YYYY}-{MM}.parquet (see nyc_taxi/sources/month_source.py).

    Variables: taxi_type (yellow|green|fhv); year and month, or none of them in a backfill or recurring trigger,
    which load the month of their execution_date minus months_back (see nyc_taxi/runs/month.py).
    The month is streamed into a staged file, never held in memory; the output is one row saying what
    was staged: source URL, rows, bytes, first and last pickup, staged_file.
    """
    choice = month_of_run(kwargs)
    logger = block_logger(kwargs, 'load_taxi_data_api')
    logger.info('loading %s', choice)
    return stage_source_month(choice.request, month_source(kwargs), stage_for_run(kwargs), logger=logger).as_frame()


@test
def test_output(output: pd.DataFrame, *args, **kwargs) -> None:
    staged = pq.read_schema(output['staged_file'][0]).names
    expected = list(schema_for(taxi_type_of(kwargs)).staged_columns)
    assert staged == expected, f'columns {staged} != {expected}'
