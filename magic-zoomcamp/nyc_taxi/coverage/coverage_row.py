"""One month of one taxi type in one target, as the coverage report shows it: its state and why."""
from __future__ import annotations
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CoverageRow:
    target: str          # e.g. 'postgres nyc_taxi.green_taxi_trips' or 'gcs gs://bucket/nyc_taxi (month objects)'
    taxi_type: str       # yellow, green, fhv, fhvhv
    month: date          # first day of the month
    state: str           # 'current' | 'stale' | 'missing' | 'unavailable'
    why: str             # a short sentence: 'unchanged since 2026-12-07 10:05 UTC (ETag "a")', 'not loaded', ...
    rows: int | None     # rows the target holds of the month (None: none)
    version: str | None  # the source file's validator as text, e.g. 'ETag "abc"' or 'Last-Modified ..., 1,234 bytes'
    loaded_at: datetime | None
    loaded_by: str | None  # e.g. 'api_to_postgres run 12'
