"""How a run was started: by hand, or on a schedule (a recurring trigger or a backfill), and its step.

Month pipelines and gcs_to_bigquery pick their data from this. Mage's kwargs alone cannot tell a
one-date backfill from a Run@once (both get an `execution_date` and no interval), and Mage computes
`interval_start_datetime_previous` with a fixed number of seconds, wrong for months. So the schedule
is read from the pipeline run's own trigger or backfill (`nyc_taxi.mage.schedule`), and steps are
calendar steps.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import dateutil.parser
from dateutil.relativedelta import relativedelta

RunKind = Literal['manual', 'trigger', 'backfill']

# Mage's Backfill.IntervalType values and the @-intervals of triggers, as calendar steps.
_BACKFILL_STEPS: dict[str, str] = {'second': 'seconds', 'custom': 'seconds', 'minute': 'minutes', 'hour': 'hours',
                                   'day': 'days', 'week': 'weeks', 'month': 'months', 'year': 'years'}
_TRIGGER_STEPS: dict[str, relativedelta] = {'@hourly': relativedelta(hours=1), '@daily': relativedelta(days=1),
                                            '@weekly': relativedelta(weeks=1), '@monthly': relativedelta(months=1),
                                            '@yearly': relativedelta(years=1)}
# Triggers that run once or continuously have no schedule to follow: their runs count as manual.
UNSCHEDULED_TRIGGER_INTERVALS = frozenset({'@once', '@always_on'})


@dataclass(frozen=True)
class RunSchedule:
    """`kind` says who started the run; scheduled runs carry their execution date and the schedule's step.

    `previous_start` is the start of the interval before this one, for cron triggers whose step varies
    (Mage's croniter value is right there); otherwise it follows from `step`.
    """

    kind: RunKind = 'manual'
    execution_date: datetime | None = None
    step: relativedelta | None = None
    previous_start: datetime | None = None

    @property
    def is_scheduled(self) -> bool:
        return self.kind != 'manual'

    def interval_before(self, end: datetime) -> datetime:
        """The start of the schedule interval that closes at `end`."""
        if self.step is not None:
            return end - self.step
        if self.previous_start is not None and self.execution_date is not None:
            return end - (self.execution_date - self.previous_start)
        return end - relativedelta(days=1)

    def describe(self) -> str:
        if not self.is_scheduled:
            return 'a manual run'
        return f'a {self.kind} run for {self.execution_date:%Y-%m-%d %H:%M}'


def backfill_step(interval_type: str, interval_units: int | None) -> relativedelta:
    """The step of a Mage Backfill (`interval_type` day, month, ...; `interval_units` of them)."""
    unit = _BACKFILL_STEPS.get(str(interval_type).rsplit('.', 1)[-1].lower())  # 'month' or 'IntervalType.MONTH'
    if unit is None:
        raise ValueError(f'Unknown backfill interval type {interval_type!r}')
    return relativedelta(**{unit: int(interval_units or 1)})


def trigger_step(schedule_interval: str | None) -> relativedelta | None:
    """The step of a recurring trigger's @-interval; None for a cron expression (see `previous_start`)."""
    return _TRIGGER_STEPS.get(str(schedule_interval))


def as_datetime(value: Any, name: str) -> datetime:
    """A datetime from Mage (datetime) or from variables (an ISO string, or a date)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return dateutil.parser.isoparse(str(value))
    except ValueError:
        raise ValueError(f'{name} {value!r} is not an ISO date or datetime (e.g. 2021-01-15)') from None
