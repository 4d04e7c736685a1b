import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.connection_checks import check_gcs

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def test_gcs_connection(*args, **kwargs) -> pd.DataFrame:
    """Checks that the `default` io_config profile reaches the bucket GCS_BUCKET, through Mage's own
    GoogleCloudStorage class (the one Mage's "Google Cloud Storage" data loader template uses)."""
    output = check_gcs(get_repo_path())
    block_logger(kwargs, 'test_gcs_connection').info('%s answered (%d objects seen)', output['reached'][0],
                                                      output['objects_seen'][0])
    return output


@test
def test_the_bucket_answered(output: pd.DataFrame, *args) -> None:
    assert len(output) == 1 and output['bucket'][0].startswith('gs://')
