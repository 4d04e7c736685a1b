"""A failed block's traceback starts with its own error, not with "RuntimeError: no running event loop".

Mage's bug (0.9.80, mage_ai/data_preparation/executors/pipeline_executor.py, PipelineExecutor.execute): to run a
pipeline in one process (a scheduled or backfill run of a pipeline set to run in one process, and `mage run`),
Mage asks asyncio for a running loop and, when there is none (always, in the process Mage starts for the run),
runs the whole pipeline inside the `except RuntimeError:` of that question. Every exception a block raises then
carries "RuntimeError: no running event loop" as its context, and Python prints the context first: the error
entry of a failed block in the run's Logs view opened on Mage's own lines and an unrelated RuntimeError, with the
project's message ("... answered 404 Not Found: ...", what to do) at the very bottom.

The fix runs the pipeline after the question, not inside its handler, as Mage does when there is no loop; with a
running loop, Mage's own path. Nothing else changes: the same coroutine, the same logs.

Applies to: the project's pipelines (nyc_taxi.mage.fixes.scope); another pipeline's errors keep Mage's context.

Canary: tests/canaries/test_run_errors.py (on stock Mage a block's error carries the RuntimeError as context).
"""
from __future__ import annotations

import asyncio
from typing import Any

from nyc_taxi.mage.fixes.guard import MageFix, Target
from nyc_taxi.mage.fixes.scope import is_project_pipeline

MAGES_PARAMETERS = ('self', 'allow_blocks_to_fail', 'analyze_outputs', 'global_vars', 'pipeline_run_id',
                    'run_sensors', 'run_tests', 'update_status', 'kwargs')


def _loop_is_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def install() -> None:
    from mage_ai.data_preparation.executors.pipeline_executor import PipelineExecutor
    from mage_ai.orchestration.db.models.schedules import PipelineRun

    mages_execute = PipelineExecutor.execute

    def execute(self: Any, allow_blocks_to_fail: bool = False, analyze_outputs: bool = False,
                global_vars: dict | None = None, pipeline_run_id: int | None = None, run_sensors: bool = True,
                run_tests: bool = True, update_status: bool = False, **kwargs: Any) -> None:
        if not is_project_pipeline(self.pipeline.uuid) or _loop_is_running():
            return mages_execute(self, allow_blocks_to_fail=allow_blocks_to_fail, analyze_outputs=analyze_outputs,
                                 global_vars=global_vars, pipeline_run_id=pipeline_run_id, run_sensors=run_sensors,
                                 run_tests=run_tests, update_status=update_status, **kwargs)

        async def execute_task() -> None:  # Mage's _execute_task
            if pipeline_run_id is None:
                await self.pipeline.execute(analyze_outputs=analyze_outputs, global_vars=global_vars,
                                            run_sensors=run_sensors, run_tests=run_tests, update_status=update_status)
                return
            pipeline_run = PipelineRun.query.get(pipeline_run_id)
            if pipeline_run.status != PipelineRun.PipelineRunStatus.RUNNING:
                return
            await self._PipelineExecutor__run_blocks(pipeline_run, allow_blocks_to_fail=allow_blocks_to_fail,
                                                     global_vars=global_vars)

        asyncio.run(execute_task())
        self.logger_manager.output_logs_to_destination()

    PipelineExecutor.execute = execute


FIX = MageFix(
    name='run_errors',
    bug='every error of a block run in one process carries "RuntimeError: no running event loop", printed first',
    applies_to="the project's pipelines, when they run in one process (their runs, `mage run`)",
    targets=(Target('mage_ai.data_preparation.executors.pipeline_executor', 'PipelineExecutor.execute',
                    MAGES_PARAMETERS, uses='asyncio.run(_execute_task())'),
             Target('mage_ai.data_preparation.executors.pipeline_executor',
                    'PipelineExecutor._PipelineExecutor__run_blocks',
                    ('self', 'pipeline_run', 'allow_blocks_to_fail', 'global_vars'))),
    install=install,
)
