from contextlib import closing

import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.logs import block_logger
from nyc_taxi.model.zones import ZONES_TABLE, zones_from_frame
from nyc_taxi.resources.io_config import DEFAULT_POSTGRES_PROFILE, load_profile
from nyc_taxi.targets.postgres import PostgresSettings
from nyc_taxi.targets.zones_postgres import replace_zones

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_exporter
def export_taxi_zones_to_postgres(data: pd.DataFrame, *args, **kwargs) -> pd.DataFrame:
    """Replaces every row of {POSTGRES_SCHEMA}.taxi_zones with the zones, in one transaction."""
    profile = kwargs.get('config_profile') or DEFAULT_POSTGRES_PROFILE
    settings = PostgresSettings.from_io_config(load_profile(get_repo_path(), profile), profile)
    zones = zones_from_frame(data, 'the output of load_taxi_zones_api')
    with closing(settings.connect()) as connection:
        rows = replace_zones(connection, zones, settings.db_schema)
    target = f'{settings.db_schema}.{ZONES_TABLE}'
    block_logger(kwargs, 'export_taxi_zones_to_postgres').info('%d zones now in %s on %s', rows, target,
                                                               settings.describe())
    return pd.DataFrame({'target': [target], 'zones_in': [len(data)], 'rows_written': [rows]})


@test
def test_every_zone_written(output: pd.DataFrame, *args, **kwargs) -> None:
    assert output['rows_written'][0] == output['zones_in'][0], output.to_dict('records')
