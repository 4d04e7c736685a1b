"""Scheduled runs through Mage's own machinery, without a server: what the Backfill tab and the scheduler do.

`run_backfill` creates a `Backfill` in Mage's database and lets `start_backfill` create one PipelineRun
per date; `run_as_trigger` creates a trigger (PipelineSchedule) and the run it would start at a given
execution date. Each run is executed by Mage's PipelineScheduler, so blocks get the same kwargs
(execution_date, interval_*, pipeline_run_id) as under `mage start`. The process must be started with
MAGE_DATA_DIR and MAGE_REPO_PATH set: Mage binds its database to them at import. Not for a database
that a running `mage start` scheduler also uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping


from nyc_taxi.mage.schedule import enum_value
from nyc_taxi.runs.schedule import RunSchedule, backfill_step, trigger_step

INTERVALS = ('hour', 'day', 'week', 'month', 'year')


@dataclass(frozen=True)
class ScheduledRun:
    execution_date: datetime
    status: str
    variables: dict[str, Any]
    schedule: RunSchedule

    @property
    def completed(self) -> bool:
        return self.status == 'completed'


def _start_session() -> None:
    from mage_ai.orchestration.db import db_connection
    from mage_ai.orchestration.db.database_manager import database_manager

    db_connection.start_session()
    database_manager.run_migrations()


def _execute(pipeline_run: Any, schedule: RunSchedule) -> ScheduledRun:
    from mage_ai.orchestration.pipeline_scheduler_original import PipelineScheduler, run_pipeline

    scheduler = PipelineScheduler(pipeline_run)
    scheduler.start(should_schedule=False)
    try:
        run_pipeline(pipeline_run.id, pipeline_run.get_variables(), scheduler.build_tags())
    except Exception:  # a failed block (or its @test) raises here; the block run says so, and the logs say why
        pass
    pipeline_run.refresh()
    # The scheduler's own bookkeeping marks the run completed or failed from its block runs.
    scheduler.schedule()
    pipeline_run.refresh()
    return ScheduledRun(pipeline_run.execution_date, enum_value(pipeline_run.status), pipeline_run.get_variables(),
                        schedule)


def run_backfill(pipeline_uuid: str, start: datetime, end: datetime, variables: Mapping[str, Any] | None = None,
                 name: str | None = None, interval: str = 'day', units: int = 1) -> list[ScheduledRun]:
    """Runs `pipeline_uuid` once per `units` `interval`s from `start` to `end` (inclusive), as the Backfill tab
    does; returns each run's outcome."""
    from mage_ai.orchestration.backfills.service import start_backfill
    from mage_ai.orchestration.db.models.schedules import Backfill

    _start_session()
    backfill = Backfill.create(
        name=name or f'{pipeline_uuid} {start:%Y-%m-%d}..{end:%Y-%m-%d}',
        pipeline_uuid=pipeline_uuid,
        interval_type=Backfill.IntervalType(interval),
        interval_units=units,
        start_datetime=start,
        end_datetime=end,
        variables=dict(variables or {}),
    )
    backfill.update(status=Backfill.Status.RUNNING, started_at=datetime.utcnow())
    step = backfill_step(interval, units)
    outcomes = [_execute(run, RunSchedule('backfill', run.execution_date, step)) for run in start_backfill(backfill)]
    succeeded = all(outcome.completed for outcome in outcomes)
    backfill.update(status=Backfill.Status.COMPLETED if succeeded else Backfill.Status.FAILED,
                    completed_at=datetime.utcnow() if succeeded else None,
                    failed_at=None if succeeded else datetime.utcnow())
    return outcomes


def run_as_trigger(pipeline_uuid: str, schedule_interval: str, execution_date: datetime,
                   variables: Mapping[str, Any] | None = None) -> ScheduledRun:
    """The run a time trigger with `schedule_interval` (@monthly, @daily, @once, ...) and these variables
    starts at `execution_date`, executed now."""
    from mage_ai.orchestration.db.models.schedules import PipelineRun, PipelineSchedule

    _start_session()
    trigger = PipelineSchedule.create(name=f'{pipeline_uuid} {schedule_interval} {execution_date:%Y%m%dT%H%M%S}',
                                      pipeline_uuid=pipeline_uuid, schedule_type='time',
                                      schedule_interval=schedule_interval, start_time=execution_date,
                                      variables=dict(variables or {}), status='inactive')
    pipeline_run = PipelineRun.create(pipeline_schedule_id=trigger.id, pipeline_uuid=pipeline_uuid,
                                      execution_date=execution_date, variables={})
    step = trigger_step(schedule_interval)
    kind = 'manual' if step is None else 'trigger'
    return _execute(pipeline_run, RunSchedule(kind, execution_date, step))
