import pandas as pd

from nyc_taxi.logs import block_logger
from nyc_taxi.schema import KNOWN_VENDOR_IDS, schema_of
from nyc_taxi.transform import camel_case_columns, clean_trips, drop_missing_passenger_count

if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@transformer
def transform_taxi_data(data: pd.DataFrame, *args, **kwargs) -> pd.DataFrame:
    """Drops zero-passenger and zero-distance trips, snake_cases the columns, adds the pickup date.

    Variable drop_missing_passenger_count (default false): also drop trips without a passenger count.
    """
    clean, report = clean_trips(data, schema_of(data.columns), drop_missing_passenger_count(kwargs))
    block_logger(kwargs, 'transform_taxi_data').info('%s', report)
    return clean


@test
def test_vendor_id_is_known(output: pd.DataFrame, *args) -> None:
    unknown = set(output['vendor_id'].dropna().unique()) - KNOWN_VENDOR_IDS
    assert not unknown, f'unknown vendor_id values {sorted(unknown)}'


@test
def test_passenger_count_is_positive(output: pd.DataFrame, *args) -> None:
    assert (output['passenger_count'].dropna() > 0).all(), 'passenger_count == 0 left in the output'


@test
def test_trip_distance_is_positive(output: pd.DataFrame, *args) -> None:
    assert (output['trip_distance'] > 0).all(), 'trip_distance <= 0 left in the output'


@test
def test_no_camel_case_columns(output: pd.DataFrame, *args) -> None:
    assert not camel_case_columns(output), f'CamelCase columns left: {camel_case_columns(output)}'
