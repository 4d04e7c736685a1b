"""Which pickup dates a run of gcs_to_bigquery covers: from explicit variables, or from its schedule."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

from dateutil.relativedelta import relativedelta

from nyc_taxi.runs.month import is_given, lag
from nyc_taxi.runs.schedule import RunSchedule, as_datetime


def execution_day(kwargs: Mapping[str, Any]) -> date | None:
    """The run's `execution_date` as a date: a datetime from Mage's scheduler, an ISO string from --runtime-vars."""
    if not is_given(kwargs, 'execution_date'):
        return None
    return as_datetime(kwargs['execution_date'], 'execution_date').date()


def run_dates(kwargs: Mapping[str, Any], schedule: RunSchedule | None = None) -> tuple[date, date]:
    """The first and last pickup date (inclusive) this run replaces.

    - `start_date` and `end_date` variables, when given, win (a manual run of any range).
    - A trigger or backfill run at D covers the schedule interval that closed at D: [D - step, D), so
      a daily run at 00:00 on D loads D - 1 and a monthly run on the 1st loads the month before,
      every date of it (calendar steps, not Mage's fixed-seconds `interval_start_datetime_previous`).
    - A manual run with an `execution_date` variable loads the day before it.
    - `months_back` and `days_back` move D back first: the data of a date reaches GCS only when its
      month is loaded, weeks later, so a live trigger looks back that far.
    """
    schedule = schedule or RunSchedule()
    if is_given(kwargs, 'start_date') or is_given(kwargs, 'end_date'):
        if not (is_given(kwargs, 'start_date') and is_given(kwargs, 'end_date')):
            raise ValueError('Pass both start_date and end_date (inclusive), or neither')
        first = as_datetime(kwargs['start_date'], 'start_date').date()
        last = as_datetime(kwargs['end_date'], 'end_date').date()
        if last < first:
            raise ValueError(f'end_date {last} is before start_date {first}')
        return first, last
    execution = schedule.execution_date
    if execution is None and is_given(kwargs, 'execution_date'):
        execution = as_datetime(kwargs['execution_date'], 'execution_date')
    if execution is None:
        raise ValueError('No dates for this run: pass start_date and end_date (e.g. --runtime-vars '
                         '\'{"start_date": "2021-01-01", "end_date": "2021-01-31"}\'), or run it from a '
                         'trigger or backfill, which set execution_date')
    end = execution - relativedelta(months=lag(kwargs, 'months_back'), days=lag(kwargs, 'days_back'))
    start = schedule.interval_before(end) if schedule.is_scheduled else end - relativedelta(days=1)
    return start.date(), (end - timedelta(microseconds=1)).date()
