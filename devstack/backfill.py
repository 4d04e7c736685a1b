"""Backfills through Mage's own machinery, without a server: what the Backfill tab does, in one process.

Creates a `Backfill` in Mage's database, lets `start_backfill` create one PipelineRun per date, and
executes each run with Mage's PipelineScheduler, so blocks get the same kwargs (execution_date,
interval_*) as under `mage start`. MAGE_DATA_DIR and MAGE_REPO_PATH must be set before this module
is imported: Mage binds its database to them at import. Not for a database that a running
`mage start` scheduler also uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from dateutil.relativedelta import relativedelta

from nyc_taxi.mage_schedule import enum_value
from nyc_taxi.run_schedule import backfill_step


INTERVALS = ('hour', 'day', 'week', 'month', 'year')


@dataclass(frozen=True)
class BackfillRun:
    execution_date: datetime
    status: str
    variables: dict[str, Any]
    step: relativedelta


def run_backfill(pipeline_uuid: str, start: datetime, end: datetime, variables: Mapping[str, Any] | None = None,
                 name: str | None = None, interval: str = 'day', units: int = 1) -> list[BackfillRun]:
    """Runs `pipeline_uuid` once per `units` `interval`s from `start` to `end` (inclusive), as the Backfill tab
    does; returns each run's outcome."""
    from mage_ai.orchestration.backfills.service import start_backfill
    from mage_ai.orchestration.db import db_connection
    from mage_ai.orchestration.db.database_manager import database_manager
    from mage_ai.orchestration.db.models.schedules import Backfill, PipelineRun
    from mage_ai.orchestration.pipeline_scheduler_original import PipelineScheduler, run_pipeline

    db_connection.start_session()
    database_manager.run_migrations()
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
    outcomes = []
    for pipeline_run in start_backfill(backfill):
        scheduler = PipelineScheduler(pipeline_run)
        scheduler.start(should_schedule=False)
        run_pipeline(pipeline_run.id, pipeline_run.get_variables(), scheduler.build_tags())
        pipeline_run.refresh()
        # The scheduler's own bookkeeping marks the run completed or failed from its block runs.
        scheduler.schedule()
        pipeline_run.refresh()
        outcomes.append(BackfillRun(pipeline_run.execution_date, enum_value(pipeline_run.status),
                                    pipeline_run.get_variables(), backfill_step(interval, units)))
    succeeded = all(outcome.status == PipelineRun.PipelineRunStatus.COMPLETED for outcome in outcomes)
    backfill.update(status=Backfill.Status.COMPLETED if succeeded else Backfill.Status.FAILED,
                    completed_at=datetime.utcnow() if succeeded else None,
                    failed_at=None if succeeded else datetime.utcnow())
    return outcomes
