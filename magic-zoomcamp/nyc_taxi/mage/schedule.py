"""Reads from Mage which schedule started a pipeline run: the one place that looks into Mage's database.

Mage passes `pipeline_run_id` to the blocks of scheduled, backfill and UI runs (not to `mage run` or an
editor block run). The run's Backfill, or its trigger's interval, tells a backfill or a recurring
trigger from a Run@once, which kwargs cannot: a one-date backfill and a Run@once get the same ones.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from nyc_taxi.runs.dates import run_dates
from nyc_taxi.runs.month import MonthChoice, choose_month
from nyc_taxi.runs.schedule import (UNSCHEDULED_TRIGGER_INTERVALS, RunSchedule, as_datetime, backfill_step,
                                   trigger_step)


def month_of_run(kwargs: Mapping[str, Any]) -> MonthChoice:
    """The month a block of api_to_postgres or api_to_gcs works on (see nyc_taxi.runs.month)."""
    return choose_month(kwargs, run_schedule_from_kwargs(kwargs))


def dates_of_run(kwargs: Mapping[str, Any]) -> tuple[date, date]:
    """The pickup dates a block of gcs_to_bigquery works on (see nyc_taxi.runs.dates)."""
    return run_dates(kwargs, run_schedule_from_kwargs(kwargs))


def run_schedule_from_kwargs(kwargs: Mapping[str, Any]) -> RunSchedule:
    """The schedule of the run whose block got these kwargs; `manual` when no pipeline run stands behind it."""
    execution_date = kwargs.get('execution_date')
    execution = as_datetime(execution_date, 'execution_date') if execution_date not in (None, '') else None
    run_id = kwargs.get('pipeline_run_id')
    if run_id in (None, '') or execution is None:
        return RunSchedule('manual', execution)

    from mage_ai.orchestration.db.models.schedules import PipelineRun

    pipeline_run = PipelineRun.query.get(int(run_id))
    if pipeline_run is None:
        raise ValueError(f'Mage has no pipeline run {run_id} (kwargs pipeline_run_id): cannot tell how this run '
                         'was scheduled')
    backfill = pipeline_run.backfill
    if backfill is not None:
        step = backfill_step(enum_value(backfill.interval_type), backfill.interval_units)
        return RunSchedule('backfill', execution, step)
    schedule = pipeline_run.pipeline_schedule
    interval = enum_value(schedule.schedule_interval) if schedule is not None else None
    if not interval or interval in UNSCHEDULED_TRIGGER_INTERVALS or enum_value(schedule.schedule_type) != 'time':
        return RunSchedule('manual', execution)
    previous = kwargs.get('interval_start_datetime_previous')
    return RunSchedule('trigger', execution, trigger_step(interval),
                       as_datetime(previous, 'interval_start_datetime_previous') if previous else None)


def enum_value(enum_or_text: Any) -> str | None:
    """Mage's StrEnum members print as `ScheduleInterval.DAILY`; their value is the text."""
    return None if enum_or_text is None else str(getattr(enum_or_text, 'value', enum_or_text))
