"""Canary of nyc_taxi/mage/fixes/run_errors.py: Mage runs a pipeline in one process inside the handler of the
RuntimeError asyncio raises when there is no running loop, so a block's error carries it as its context, and a
failed block's traceback opens with "RuntimeError: no running event loop"."""
from __future__ import annotations

from types import SimpleNamespace

from tests.canaries.scenario import fix_can_go, run_scenario


def context_of_a_blocks_error() -> dict:
    """The context of the error a block raises in a pipeline run in one process, for a pipeline of the project's
    and one of a learner's."""
    from mage_ai.data_preparation.executors.pipeline_executor import PipelineExecutor

    async def pipeline_with_a_failing_block(**kwargs) -> None:
        raise ValueError("the block's own message")

    contexts = {}
    for uuid in ('api_to_postgres', 'my_own_pipeline'):
        executor = PipelineExecutor.__new__(PipelineExecutor)  # Mage's executor, on a pipeline that only fails
        executor.pipeline = SimpleNamespace(uuid=uuid, execute=pipeline_with_a_failing_block)
        executor.logger_manager = SimpleNamespace(output_logs_to_destination=lambda: None)
        try:
            executor.execute()
        except ValueError as error:
            contexts[uuid] = repr(error.__context__)
    return contexts


def test_stock_mage_gives_a_blocks_error_the_runtime_error_of_no_running_loop():
    context = "RuntimeError('no running event loop')"
    assert run_scenario('run_errors', 'context_of_a_blocks_error') == \
        {'api_to_postgres': context, 'my_own_pipeline': context}, fix_can_go('run_errors')


def test_fixed_the_projects_errors_stand_alone_and_a_learners_keep_mages_context():
    assert run_scenario('run_errors', 'context_of_a_blocks_error', fixed=True) == \
        {'api_to_postgres': 'None', 'my_own_pipeline': "RuntimeError('no running event loop')"}
