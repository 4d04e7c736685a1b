"""A pipeline run that a dead process left half done starts again from its first block (Mage 0.9.80).

When a server restarts after a crash (SIGKILL, an OOM kill, a reboot), Mage's scheduler finds each run it
had executing with no process behind it, sets the block runs that were running back to initial and starts
the run in a new process, which runs those blocks and the ones below them, not the blocks that had
completed. Those blocks' outputs here are the months they staged on local disk (nyc_taxi.staging.stage),
which belong to the process that staged them: once it is gone, the next run that stages anything removes
them, so the resumed block found its input gone and the run failed (1 of 12 months in a killed backfill).

So a run resumed after a crash runs all its blocks again. Every target replaces the month it writes, so a
run done again yields the same rows.
"""
from __future__ import annotations

from typing import Any

_MANGLED = '_PipelineScheduler__fetch_crashed_block_runs'


def restart_crashed_runs_whole() -> None:
    """Installs the fix into Mage's scheduler; processes forked later inherit it."""
    from mage_ai.orchestration.db.models.schedules import BlockRun
    from mage_ai.orchestration.pipeline_scheduler_original import PipelineScheduler

    if getattr(PipelineScheduler, '_restarts_crashed_runs_whole', False):
        return
    mages_fetch = getattr(PipelineScheduler, _MANGLED)

    def fetch_crashed_block_runs(self: Any) -> list:
        # Called just before the run is handed to a new process, when no process holds it.
        crashed = mages_fetch(self)
        started = [run for run in self.pipeline_run.block_runs if run.status != BlockRun.BlockRunStatus.INITIAL]
        if not started:
            return crashed
        self.logger.warning(f'Pipeline run {self.pipeline_run.id} was left half done by a process that is gone: '
                            f'running all its blocks again ({", ".join(run.block_uuid for run in started)} had '
                            'started), since what its blocks staged went with that process',
                            **self.build_tags())
        for run in started:
            run.update(status=BlockRun.BlockRunStatus.INITIAL, started_at=None, completed_at=None)
        return crashed + [run for run in started if run not in crashed]

    setattr(PipelineScheduler, _MANGLED, fetch_crashed_block_runs)
    PipelineScheduler._restarts_crashed_runs_whole = True
