"""What a target holds of a month, against what a load would write now: current, stale, missing or unavailable.

A run skips a month that every target of its pipeline holds current (nyc_taxi.mage.current_months), and the
coverage report shows each month's state per target (nyc_taxi.coverage).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from nyc_taxi.sources.source_version import SourceVersion
from nyc_taxi.targets.load_record import LoadRecord


class State(str, Enum):
    CURRENT = 'current'  # the rows of the source's file as it is now, under today's transform
    STALE = 'stale'  # loaded, but the source file or the transform changed since (or the rows did)
    MISSING = 'missing'  # the source has the month, the target does not
    UNAVAILABLE = 'unavailable'  # the source has no such month


@dataclass(frozen=True)
class MonthState:
    state: State
    # Why, in words a log line can carry: 'the source changed: ETag "b" now, ETag "a" loaded'.
    why: str
    record: LoadRecord | None = None
    # The rows the target holds now, counted (None: it holds none).
    rows: int | None = None


def month_state(record: LoadRecord | None, rows: int | None, source: SourceVersion | None, fingerprint: str
                ) -> MonthState:
    """The state of a month a target holds as `record` with `rows` rows (None, None: not at all), when the
    source holds `source` (None: no such file) and the transform's fingerprint is now `fingerprint`."""
    if source is None:
        return MonthState(State.UNAVAILABLE, 'the source has no such file', record, rows)
    if rows is None:
        return MonthState(State.MISSING, 'not loaded', None, None)
    if record is None:
        return MonthState(State.STALE, 'loaded without a record of what from', None, rows)
    if not source.known or record.version is None or not record.version.known:
        return MonthState(State.STALE, 'the source does not say which version of the file it holds (no ETag, '
                                       'no Last-Modified): loaded again every time', record, rows)
    if record.version.url != source.url:
        return MonthState(State.STALE, f'loaded from {record.version.url}, the source is {source.url} now',
                          record, rows)
    if not record.version.same_file(source):
        return MonthState(State.STALE, f'the source changed: {source.describe()} now, '
                                       f'{record.version.describe()} loaded', record, rows)
    if record.transform_fingerprint != fingerprint:
        return MonthState(State.STALE, f'the transform changed: fingerprint {fingerprint} now, '
                                       f'{record.transform_fingerprint} loaded', record, rows)
    if record.rows is not None and record.rows != rows:
        return MonthState(State.STALE, f'{rows:,} rows held, {record.rows:,} loaded', record, rows)
    return MonthState(State.CURRENT, f'unchanged since {_when(record)} ({source.describe()})', record, rows)


def _when(record: LoadRecord) -> str:
    return f'{record.loaded_at:%Y-%m-%d %H:%M} UTC' if record.loaded_at is not None else 'it was loaded'
