import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.connection_checks import check_bigquery

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def test_bigquery_connection(*args, **kwargs) -> pd.DataFrame:
    """Checks that the `default` io_config profile reaches BigQuery: `SELECT 1` in GCP_PROJECT_ID, with the
    official client the project's BigQuery blocks use (Mage's BigQuery class cannot reach the local emulator)."""
    output = check_bigquery(get_repo_path())
    block_logger(kwargs, 'test_bigquery_connection').info('SELECT 1 answered %d on %s', output['one'][0],
                                                          output['reached'][0])
    return output


@test
def test_select_1_answered_1(output: pd.DataFrame, *args) -> None:
    assert output['one'][0] == 1
