import pandas as pd

from nyc_taxi.load import load_month
from nyc_taxi.logs import block_logger
from nyc_taxi.mage_schedule import month_of_run
from nyc_taxi.request import base_url_from_env
from nyc_taxi.run_month import taxi_type_of
from nyc_taxi.schema import schema_for

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def load_taxi_data_api(*args, **kwargs) -> pd.DataFrame:
    """One month of yellow or green trips from {TAXI_DATA_BASE_URL}/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.csv.gz.

    Variables: taxi_type (yellow|green); year and month, or none of them in a backfill or recurring trigger,
    which load the month of their execution_date minus months_back (see nyc_taxi/run_month.py).
    """
    choice = month_of_run(kwargs)
    logger = block_logger(kwargs, 'load_taxi_data_api')
    logger.info('loading %s', choice)
    return load_month(choice.request, base_url_from_env(), logger=logger)


@test
def test_output(output: pd.DataFrame, *args, **kwargs) -> None:
    expected = list(schema_for(taxi_type_of(kwargs)).source_columns)
    assert list(output.columns) == expected, f'columns {list(output.columns)} != {expected}'
