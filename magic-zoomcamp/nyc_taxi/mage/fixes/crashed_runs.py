"""A run of one of the project's pipelines that a dead process left half done starts again from its first block.

Mage's bug (0.9.80, mage_ai/orchestration/pipeline_scheduler_original.py, PipelineScheduler.__schedule_pipeline
and __fetch_crashed_block_runs): when a server restarts after a crash (SIGKILL, an OOM kill, a reboot), the
scheduler finds each run it had executing in one process with no process behind it, sets the block runs that
were running back to initial and starts the run in a new process, which runs those blocks and the ones below
them, not the blocks that had completed. The outputs of the project's blocks are the months they staged on
local disk (nyc_taxi.staging.stage), which belong to the process that staged them: once it is gone, the next
run that stages anything removes them, so the resumed block found its input gone and the run failed (1 of 12
months in a killed backfill).

The fix: a run of a project pipeline (nyc_taxi.mage.fixes.scope) that Mage hands to a new process
(`run_pipeline_in_one_process`, the only place Mage then calls __fetch_crashed_block_runs) runs all its
blocks again. Every target replaces the month it writes, so a run done again yields the same rows.

Applies to: the project's pipelines only. Mage also calls __fetch_crashed_block_runs on every scheduler
tick of a pipeline whose blocks run one by one (Mage's default for a pipeline made in the UI, from
__schedule_blocks): there it must find only the block runs whose process is gone, as stock Mage does,
or every block would run again at every tick.

Canary: tests/canaries/test_crashed_runs.py (stock Mage resumes a half-done run of api_to_postgres after its
completed loader, whose staged month is gone).
"""
from __future__ import annotations

from typing import Any

from nyc_taxi.mage.fixes.guard import MageFix, Target
from nyc_taxi.mage.fixes.scope import is_project_pipeline

_MANGLED = '_PipelineScheduler__fetch_crashed_block_runs'


def runs_whole_when_resumed(scheduler: Any) -> bool:
    """Whether this scheduler's run is one of ours, run in one process, so that Mage calls the fetch only when
    it hands the run to a new process."""
    pipeline = scheduler.pipeline
    return is_project_pipeline(pipeline.uuid) and bool(pipeline.run_pipeline_in_one_process)


def install() -> None:
    from mage_ai.orchestration.db.models.schedules import BlockRun
    from mage_ai.orchestration.pipeline_scheduler_original import PipelineScheduler

    mages_fetch = getattr(PipelineScheduler, _MANGLED)

    def fetch_crashed_block_runs(self: Any) -> list:
        crashed = mages_fetch(self)
        if not runs_whole_when_resumed(self):
            return crashed
        started = [run for run in self.pipeline_run.block_runs if run.status != BlockRun.BlockRunStatus.INITIAL]
        if not started:
            return crashed
        self.logger.warning(f'Pipeline run {self.pipeline_run.id} of {self.pipeline.uuid} is started again in a new '
                            f'process: running all its blocks again ({", ".join(run.block_uuid for run in started)} '
                            'had started), since what its blocks staged lives only as long as the process that ran '
                            'them (a crashed server, or a retry of the run from a block)', **self.build_tags())
        for run in started:
            run.update(status=BlockRun.BlockRunStatus.INITIAL, started_at=None, completed_at=None)
        return crashed + [run for run in started if run not in crashed]

    setattr(PipelineScheduler, _MANGLED, fetch_crashed_block_runs)


FIX = MageFix(
    name='crashed_runs',
    bug='a one-process run resumed after a crash skips its completed blocks, whose staged months went with the '
        'dead process',
    applies_to="the project's pipelines, when Mage hands a run to a new process",
    targets=(Target('mage_ai.orchestration.pipeline_scheduler_original', f'PipelineScheduler.{_MANGLED}',
                    ('self',)),
             # Where Mage hands a one-process run to a new process, the one call the fix acts on.
             Target('mage_ai.orchestration.pipeline_scheduler_original',
                    'PipelineScheduler._PipelineScheduler__schedule_pipeline', ('self',),
                    uses='self.__fetch_crashed_block_runs()')),
    install=install,
)
