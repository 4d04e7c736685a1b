"""Which pickup dates a run covers: from explicit variables, or from the schedule that started it."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Mapping

import dateutil.parser


def _as_datetime(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return dateutil.parser.isoparse(str(value))
    except ValueError:
        raise ValueError(f'{name} {value!r} is not an ISO date or datetime (e.g. 2021-01-15)') from None


def _present(kwargs: Mapping[str, Any], name: str) -> bool:
    return kwargs.get(name) not in (None, '')


def execution_day(kwargs: Mapping[str, Any]) -> date | None:
    """The run's `execution_date` as a date: a datetime from Mage's scheduler, an ISO string from --runtime-vars."""
    if not _present(kwargs, 'execution_date'):
        return None
    return _as_datetime(kwargs['execution_date'], 'execution_date').date()


def run_dates(kwargs: Mapping[str, Any]) -> tuple[date, date]:
    """The first and last pickup date (inclusive) this run replaces.

    - `start_date` and `end_date` variables, when given, win (a manual run of any range).
    - A scheduled or backfill run processes the interval that closed when it started: Mage gives a
      run with execution_date D the interval [D, D + step) and `interval_start_datetime_previous`
      D - step; the data of [D - step, D) is complete at D, so a daily run at 00:00 on D loads D - 1.
    - Without a previous interval (a backfill of a single date), the day before execution_date.
    """
    if _present(kwargs, 'start_date') or _present(kwargs, 'end_date'):
        if not (_present(kwargs, 'start_date') and _present(kwargs, 'end_date')):
            raise ValueError('Pass both start_date and end_date (inclusive), or neither')
        first = _as_datetime(kwargs['start_date'], 'start_date').date()
        last = _as_datetime(kwargs['end_date'], 'end_date').date()
    elif _present(kwargs, 'interval_start_datetime_previous') and _present(kwargs, 'interval_start_datetime'):
        first = _as_datetime(kwargs['interval_start_datetime_previous'], 'interval_start_datetime_previous').date()
        end = _as_datetime(kwargs['interval_start_datetime'], 'interval_start_datetime')
        last = (end - timedelta(microseconds=1)).date()
    elif _present(kwargs, 'execution_date'):
        last = first = execution_day(kwargs) - timedelta(days=1)
    else:
        raise ValueError('No dates for this run: pass start_date and end_date (e.g. --runtime-vars '
                         '\'{"start_date": "2021-01-01", "end_date": "2021-01-31"}\'), or run it from a '
                         'trigger or backfill, which set execution_date')
    if last < first:
        raise ValueError(f'end_date {last} is before start_date {first}')
    return first, last
