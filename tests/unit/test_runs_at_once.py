"""PIPELINE_RUNS_AT_ONCE reaches Mage's process queue through the project's metadata.yaml, as Mage renders it."""
import pytest

from devstack.paths import PROJECT_DIR
from nyc_taxi.mage.runs_at_once import SETTING, pipeline_runs_at_once


def queue_concurrency() -> int:
    from mage_ai.data_preparation.repo_manager import RepoConfig
    from mage_ai.orchestration.queue.config import QueueConfig

    return QueueConfig.load(config=RepoConfig(repo_path=str(PROJECT_DIR)).queue_config).concurrency


@pytest.mark.parametrize(('value', 'expected'), [('3', 3), ('1', 1), ('', 2), (None, 2)])
def test_mages_queue_runs_as_many_pipeline_runs_at_once_as_the_setting_says(monkeypatch, tmp_path, value, expected):
    monkeypatch.setenv('MAGE_DATA_DIR', str(tmp_path))
    if value is None:
        monkeypatch.delenv(SETTING, raising=False)
    else:
        monkeypatch.setenv(SETTING, value)
    assert queue_concurrency() == expected


@pytest.mark.parametrize('value', ['two', '0', '-1', '1.5'])
def test_a_setting_that_is_no_count_of_runs_is_refused_by_name(value):
    with pytest.raises(ValueError, match=rf"{SETTING}='{value}'.*whole number of at least 1"):
        pipeline_runs_at_once({SETTING: value})


def test_an_unset_setting_leaves_the_default_to_metadata_yaml():
    assert pipeline_runs_at_once({}) is None
    assert pipeline_runs_at_once({SETTING: ' 4 '}) == 4


def test_the_projects_mage_start_stops_on_a_bad_setting_before_mage_starts(monkeypatch):
    from nyc_taxi.mage import cli

    monkeypatch.setenv(SETTING, 'many')
    monkeypatch.setattr(cli, 'install_fixes', lambda: pytest.fail('Mage was started'))
    with pytest.raises(SystemExit, match=f"{SETTING}='many'"):
        cli.main()
