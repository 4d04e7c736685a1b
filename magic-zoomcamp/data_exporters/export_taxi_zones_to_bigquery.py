import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.logs import block_logger
from nyc_taxi.model.zones import ZONES_TABLE
from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.targets.zones_bigquery import replace_zones_from_object
from nyc_taxi.targets.zones_gcs import ZONES_OBJECT_KEY

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_exporter
def export_taxi_zones_to_bigquery(data: pd.DataFrame, *args, **kwargs) -> pd.DataFrame:
    """Replaces {BQ_DATASET}.taxi_zones with the GCS object export_taxi_zones_to_gcs wrote, by one
    WRITE_TRUNCATE load job."""
    config = load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE)
    _, filesystem = open_bucket(config, ZONES_OBJECT_KEY)
    settings = BigQuerySettings.from_io_config(config)
    uri = data['gcs_object'].iloc[0]
    rows = replace_zones_from_object(settings.client(), settings, filesystem, uri)
    target = f'{settings.dataset}.{ZONES_TABLE}'
    block_logger(kwargs, 'export_taxi_zones_to_bigquery').info('%d zones from %s now in %s (%s)', rows, uri, target,
                                                               settings.describe())
    return pd.DataFrame({'target': [target], 'zones_in': [data['rows_written'].iloc[0]], 'rows_written': [rows]})


@test
def test_every_zone_of_the_object_loaded(output: pd.DataFrame, *args, **kwargs) -> None:
    assert output['rows_written'][0] == output['zones_in'][0], output.to_dict('records')
