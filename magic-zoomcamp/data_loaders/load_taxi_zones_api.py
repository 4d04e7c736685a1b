import pandas as pd

from nyc_taxi.logs import block_logger
from nyc_taxi.model.zones import LOCATION_ID, ZONES_SCHEMA
from nyc_taxi.runs.request import base_url_from_env
from nyc_taxi.sources.zone_lookup import load_zone_lookup

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def load_taxi_zones_api(*args, **kwargs) -> pd.DataFrame:
    """The taxi zone lookup from {TAXI_DATA_BASE_URL}/misc/taxi_zone_lookup.csv: location_id, borough, zone,
    service_zone, one row per zone (265 in the release). Small, so it passes to the exporters as it is."""
    logger = block_logger(kwargs, 'load_taxi_zones_api')
    return load_zone_lookup(base_url_from_env(), logger=logger).to_pandas()


@test
def test_columns(output: pd.DataFrame, *args, **kwargs) -> None:
    assert list(output.columns) == ZONES_SCHEMA.names, f'columns {list(output.columns)} != {ZONES_SCHEMA.names}'


@test
def test_location_ids_are_present_and_unique(output: pd.DataFrame, *args, **kwargs) -> None:
    ids = output[LOCATION_ID]
    assert ids.notna().all(), f'{int(ids.isna().sum())} zones without a {LOCATION_ID}'
    assert ids.is_unique, f'{LOCATION_ID} repeated: {sorted(ids[ids.duplicated()].unique().tolist())}'


@test
def test_every_zone_has_a_borough(output: pd.DataFrame, *args, **kwargs) -> None:
    # "NA" is a zone's name, not a missing value: a reader that made it null would fail here.
    missing = output.loc[output['borough'].isna(), LOCATION_ID].tolist()
    assert not missing, f'zones without a borough: {missing}'
    assert output['zone'].notna().all() and output['service_zone'].notna().all(), 'a zone or service_zone is null'
