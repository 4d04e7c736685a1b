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


def test_the_projects_start_reads_the_setting_though_its_fixes_import_mages_scheduler_early(tmp_path):
    """The fixes import Mage's scheduler, which makes the process queue at import: from the working directory's
    settings (20 at once) unless the project is set first, as `start` does (it ran 20 at once)."""
    import subprocess
    import sys

    script = ('import sys; from nyc_taxi.mage import cli; cli.use_started_project(sys.argv); cli.install_fixes(); '
              'from mage_ai.orchestration.job_manager import get_job_manager; '
              'print(get_job_manager().queue.queue_config.concurrency)')
    result = subprocess.run([sys.executable, '-c', script, 'start', str(PROJECT_DIR)], cwd=tmp_path, text=True,
                            capture_output=True, timeout=120,
                            env={**__import__('os').environ, SETTING: '3', 'MAGE_DATA_DIR': str(tmp_path)})
    assert result.stdout.strip().splitlines()[-1] == '3', result.stderr[-2000:]
