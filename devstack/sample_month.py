"""The month a generated source file covers, and when its trips happen.

Not `nyc_taxi.runs.request.MonthRequest`, which validates what a run may ask for: the generator also writes
files the pipelines must refuse (yellow months of the 2009 layout), and takes no part in validation.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

import numpy as np

# Pickups outside their month: the day before or after, a month later, twelve years earlier.
OUTSIDE_MONTH_SHARE = 0.001


@dataclass(frozen=True)
class SampleMonth:
    taxi_type: str  # 'yellow', 'green', 'fhv' or 'fhvhv'
    year: int
    month: int

    @property
    def file_stem(self) -> str:
        """`{taxi_type}_tripdata_{YYYY}-{MM}`: the name both the release and the TLC give the month."""
        return f'{self.taxi_type}_tripdata_{self.year:04d}-{self.month:02d}'

    def __str__(self) -> str:
        return f'{self.taxi_type} {self.year:04d}-{self.month:02d}'


def trip_times(rng: np.random.Generator, month: SampleMonth, rows: int,
               mean_seconds: float = 720) -> tuple[np.ndarray, np.ndarray]:
    """Pickups and dropoffs (datetime64[s]): pickups spread over the month, a few outside it as the real
    files have (the day before or after, a month later, twelve years earlier); dropoffs after pickups."""
    start = np.datetime64(datetime(month.year, month.month, 1), 's')
    seconds = calendar.monthrange(month.year, month.month)[1] * 86_400
    pickup = start + rng.integers(0, seconds, rows).astype('timedelta64[s]')
    outside = rng.random(rows) < OUTSIDE_MONTH_SHARE
    shift = rng.choice([-1, 1, -365 * 12, 31], size=rows).astype('timedelta64[D]')
    pickup = np.where(outside, pickup + shift, pickup)
    dropoff = pickup + (rng.exponential(mean_seconds, rows) + 60).astype('timedelta64[s]')
    return pickup, dropoff
