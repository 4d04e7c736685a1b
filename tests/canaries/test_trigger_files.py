"""Canary of nyc_taxi/mage/fixes/trigger_files.py: Mage's scheduler, at its first sync of triggers.yaml into its
database, writes the whole file back (last_enabled_at added, keys sorted, comments gone)."""
from __future__ import annotations

from pathlib import Path

from tests.canaries.scenario import fix_can_go, mages_state, project_copy, run_scenario

LEARNERS_TRIGGERS = """triggers:
- name: my_daily_run
  schedule_type: time
  schedule_interval: '@daily'
  start_time: 2026-01-01 00:00:00
  status: active
"""


def what_a_sync_writes() -> dict:
    """Whether the scheduler's sync rewrote gcs_to_bigquery's triggers.yaml (an active daily trigger) and a
    learner's pipeline's."""
    project = project_copy()
    from mage_ai.data_preparation.models.pipeline import Pipeline
    from mage_ai.orchestration.pipeline_scheduler_original import sync_schedules

    learners = Pipeline.create('my first pipeline', repo_path=str(project))
    files = {'ours': project / 'pipelines' / 'gcs_to_bigquery' / 'triggers.yaml',
             "learner's": Path(learners.dir_path) / 'triggers.yaml'}
    files["learner's"].write_text(LEARNERS_TRIGGERS)
    before = {name: path.read_text() for name, path in files.items()}
    mages_state()
    sync_schedules(['gcs_to_bigquery', learners.uuid])
    return {f'{name} rewritten': path.read_text() != before[name] for name, path in files.items()}


def test_stock_mage_rewrites_the_projects_triggers_file():
    assert run_scenario('trigger_files', 'what_a_sync_writes') == \
        {'ours rewritten': True, "learner's rewritten": True}, fix_can_go('trigger_files')


def test_fixed_the_projects_file_stays_and_a_learners_is_synced_as_mage_syncs_it():
    assert run_scenario('trigger_files', 'what_a_sync_writes', fixed=True) == \
        {'ours rewritten': False, "learner's rewritten": True}
