"""The cleaning rules shared by every pipeline: drop impossible trips, snake_case names, pickup date."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from nyc_taxi.schema import SNAKE_CASE_NAMES, TripFileSchema


@dataclass(frozen=True)
class TransformReport:
    rows_in: int
    dropped_zero_passengers: int
    dropped_zero_distance: int
    rows_out: int

    def __str__(self) -> str:
        return (f'{self.rows_in} rows in, dropped {self.dropped_zero_passengers} with passenger_count == 0 '
                f'and {self.dropped_zero_distance} more with trip_distance == 0, {self.rows_out} rows out')


def clean_trips(trips: pd.DataFrame, schema: TripFileSchema) -> tuple[pd.DataFrame, TransformReport]:
    """Returns the trips worth keeping, renamed to snake_case, with `<prefix>_pickup_date` added.

    A trip is dropped when it carried no passengers or covered no distance. A missing
    passenger_count is kept: those rows are the ~5% without dispatch data (VendorID, RatecodeID,
    payment_type are missing too), and their fares and distances are real. Idempotent: cleaning an
    already clean frame changes nothing, so every pipeline can apply it to what it reads.
    """
    # Whole-frame copies cost ~0.4 s each on a 1.4M-row month: rename without copying, filter once,
    # renumber the index in place instead of reset_index.
    trips = trips.rename(columns=SNAKE_CASE_NAMES, copy=False)
    zero_passengers = (trips['passenger_count'] == 0).fillna(False).to_numpy(dtype=bool)
    zero_distance = (trips['trip_distance'] == 0).fillna(False).to_numpy(dtype=bool)
    keep = ~(zero_passengers | zero_distance)
    clean = trips.take(np.flatnonzero(keep))
    clean.index = pd.RangeIndex(len(clean))
    clean[schema.pickup_date] = _dates(clean[schema.pickup_datetime])
    report = TransformReport(
        rows_in=len(trips),
        dropped_zero_passengers=int(zero_passengers.sum()),
        dropped_zero_distance=int((zero_distance & ~zero_passengers).sum()),
        rows_out=len(clean),
    )
    return clean, report


def _dates(timestamps: pd.Series) -> pd.Series:
    """datetime.date objects, as `.dt.date` gives, but converted by Arrow (10x faster)."""
    return pd.Series(pa.array(timestamps).cast(pa.date32()).to_pandas(), index=timestamps.index,
                     name=timestamps.name)


def camel_case_columns(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if any(char.isupper() for char in name)]
