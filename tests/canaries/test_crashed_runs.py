"""Canary of nyc_taxi/mage/fixes/crashed_runs.py: Mage resumes a one-process run whose process died after its
first block completed from the block that was running, skipping the completed one, whose output (a month staged
by the dead process) is gone."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.canaries.scenario import fix_can_go, mages_state, project_copy, run_scenario


def blocks_run_again_after_a_crash() -> dict:
    """For api_to_postgres (one process) and a learner's pipeline (block by block, Mage's default), each with its
    first block completed and its second running with no process behind it: the blocks Mage then runs again."""
    project = project_copy()
    from mage_ai.data_preparation.models.block import Block
    from mage_ai.data_preparation.models.pipeline import Pipeline
    from mage_ai.orchestration.db.models.schedules import BlockRun, PipelineRun, PipelineSchedule
    from mage_ai.orchestration.pipeline_scheduler_original import PipelineScheduler

    mages_state()
    learners = Pipeline.create('my first pipeline', repo_path=str(project))
    upstream = []
    for kind in ('data_loader', 'transformer', 'data_exporter'):
        block = Block.create(f'my {kind}', kind, str(project), language='python', pipeline=learners,
                             upstream_block_uuids=upstream)
        upstream = [block.uuid]
    run_again = {}
    for pipeline in ('api_to_postgres', learners.uuid):
        schedule = PipelineSchedule.create(name=f'{pipeline} once', pipeline_uuid=pipeline)
        run = PipelineRun.create(pipeline_schedule_id=schedule.id, pipeline_uuid=pipeline,
                                 execution_date=datetime.now(tz=timezone.utc), variables={})
        first, second, _ = sorted(run.block_runs, key=lambda block_run: block_run.id)
        first.update(status=BlockRun.BlockRunStatus.COMPLETED)
        second.update(status=BlockRun.BlockRunStatus.RUNNING)
        run.update(status=PipelineRun.PipelineRunStatus.RUNNING)
        PipelineScheduler(run)._PipelineScheduler__fetch_crashed_block_runs()  # as Mage calls it then
        run.refresh()
        run_again['ours' if pipeline == 'api_to_postgres' else "learner's"] = sorted(
            block_run.block_uuid for block_run in run.block_runs if block_run.status == BlockRun.BlockRunStatus.INITIAL)
    return run_again


EXPORT = 'taxi_data_to_postgres'


def test_stock_mage_resumes_the_projects_run_after_its_completed_first_block():
    assert run_scenario('crashed_runs', 'blocks_run_again_after_a_crash')['ours'] == \
        [EXPORT, 'transform_taxi_data'], fix_can_go('crashed_runs')


def test_fixed_the_projects_run_runs_every_block_again_and_a_learners_resumes_as_in_mage():
    assert run_scenario('crashed_runs', 'blocks_run_again_after_a_crash', fixed=True) == {
        'ours': ['load_taxi_data_api', EXPORT, 'transform_taxi_data'],
        "learner's": ['my_data_exporter', 'my_transformer']}
