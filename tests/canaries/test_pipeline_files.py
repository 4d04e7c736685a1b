"""Canary of nyc_taxi/mage/fixes/pipeline_files.py: Mage's save of a pipeline (the editor saves after every block
run) writes this machine's variables_dir into its metadata.yaml, so a session in the editor dirties the repository."""
from __future__ import annotations

from pathlib import Path

from tests.canaries.scenario import fix_can_go, project_copy, run_scenario


def what_a_save_writes() -> dict:
    """Whether a save of api_to_postgres changes its file, and whether a learner's new pipeline's file names
    the machine's variables_dir (Mage's own form)."""
    project = project_copy()
    from mage_ai.data_preparation.models.pipeline import Pipeline

    ours = project / 'pipelines' / 'api_to_postgres' / 'metadata.yaml'
    before = ours.read_text()
    Pipeline.get('api_to_postgres', repo_path=str(project)).save()
    learners = Pipeline.create('my first pipeline', repo_path=str(project))
    learners.save()
    return {'ours changed': ours.read_text() != before,
            "learner's names variables_dir": 'variables_dir:' in Path(learners.config_path).read_text()}


def test_stock_mage_writes_machine_state_into_the_projects_pipeline_file():
    assert run_scenario('pipeline_files', 'what_a_save_writes') == \
        {'ours changed': True, "learner's names variables_dir": True}, fix_can_go('pipeline_files')


def test_fixed_the_projects_file_is_left_as_it_is_and_a_learners_saved_as_mage_saves_it():
    assert run_scenario('pipeline_files', 'what_a_save_writes', fixed=True) == \
        {'ours changed': False, "learner's names variables_dir": True}
