import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.logs import block_logger
from nyc_taxi.model.zones import zones_from_frame
from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.targets.zones_gcs import ZONES_OBJECT_KEY, write_zones_object

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_exporter
def export_taxi_zones_to_gcs(data: pd.DataFrame, *args, **kwargs) -> pd.DataFrame:
    """Writes the zones as gs://{GCS_BUCKET}/nyc_taxi/misc/taxi_zone_lookup.parquet, replacing it; the output
    names the object for export_taxi_zones_to_bigquery."""
    zones = zones_from_frame(data, 'the output of load_taxi_zones_api')
    settings, filesystem = open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE), ZONES_OBJECT_KEY)
    uri = write_zones_object(filesystem, settings.bucket, zones)
    block_logger(kwargs, 'export_taxi_zones_to_gcs').info('%d zones to %s (%s)', zones.num_rows, uri,
                                                          settings.describe())
    return pd.DataFrame({'gcs_object': [uri], 'rows_written': [zones.num_rows]})


@test
def test_one_object_with_every_zone(output: pd.DataFrame, *args, **kwargs) -> None:
    assert len(output) == 1 and output['gcs_object'][0].endswith('/nyc_taxi/misc/taxi_zone_lookup.parquet')
    assert output['rows_written'][0] > 0
