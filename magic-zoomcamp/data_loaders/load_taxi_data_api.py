import pandas as pd

from nyc_taxi.load import load_month
from nyc_taxi.logs import block_logger
from nyc_taxi.request import base_url_from_env, month_request_from_kwargs
from nyc_taxi.schema import schema_for

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def load_taxi_data_api(*args, **kwargs) -> pd.DataFrame:
    """One month of yellow or green trips from {TAXI_DATA_BASE_URL}/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.csv.gz.

    Variables: taxi_type (yellow|green), year, month.
    """
    request = month_request_from_kwargs(kwargs)
    return load_month(request, base_url_from_env(), logger=block_logger(kwargs, 'load_taxi_data_api'))


@test
def test_output(output: pd.DataFrame, *args, **kwargs) -> None:
    request = month_request_from_kwargs(kwargs)
    expected = list(schema_for(request.taxi_type).source_columns)
    assert list(output.columns) == expected, f'columns {list(output.columns)} != {expected}'
