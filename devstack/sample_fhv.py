"""Generated for-hire-vehicle (FHV) trips, with the quirks of the published FHV months.

No passengers, distances or fares: a base number, two times, two zones and two flags. Most 2019 rows
have no pickup zone, some no dropoff zone, a share neither (a course question counts those); SR_Flag
(shared ride) is mostly empty, else 1; the affiliated base is sometimes missing. Deterministic per seed.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from devstack.sample_month import SampleMonth, trip_times

# Shares of rows (no pickup zone only, no dropoff zone only, neither), by period: from 2020 on, far
# fewer trips lack zones than in 2019, when most bases reported no pickup zone.
MISSING_ZONES_2019 = (0.70, 0.04, 0.02)
MISSING_ZONES_LATER = (0.10, 0.03, 0.01)
SHARED_RIDE_SHARE = 0.04
NO_AFFILIATED_BASE_SHARE = 0.08
OTHER_AFFILIATED_BASE_SHARE = 0.25
# ~300 base licence numbers ('B00254'); a few bases dispatch most trips, as in the real files.
BASES = pa.array([f'B{number:05d}' for number in np.random.default_rng(2019).choice(
    np.arange(1, 3600), size=300, replace=False)])
BASE_WEIGHTS = 1 / np.arange(1, len(BASES) + 1) ** 1.1
BASE_WEIGHTS /= BASE_WEIGHTS.sum()
_STREAM = 2  # keeps FHV draws apart from yellow's (0) and green's (1) for the same seed and month


def generate_fhv_trips(month: SampleMonth, rows: int, seed: int = 42, part: int = 0) -> pa.Table:
    """`rows` FHV trips of the month: base numbers as strings, times as timestamp[s], zones as int64
    and SR_Flag as int32 (both with nulls). `part` numbers the pieces of a month written in chunks."""
    rng = np.random.default_rng([seed, month.year, month.month, _STREAM, part])
    base = rng.choice(len(BASES), size=rows, p=BASE_WEIGHTS)
    pickup, dropoff = trip_times(rng, month, rows, mean_seconds=1_200)
    pu_only, do_only, neither = MISSING_ZONES_2019 if month.year <= 2019 else MISSING_ZONES_LATER
    draw = rng.random(rows)
    no_pickup_zone = draw < pu_only + neither
    no_dropoff_zone = (draw >= pu_only) & (draw < pu_only + neither + do_only)
    affiliation = rng.random(rows)
    affiliated = np.where(affiliation < OTHER_AFFILIATED_BASE_SHARE,
                          rng.choice(len(BASES), size=rows, p=BASE_WEIGHTS), base)
    return pa.table({
        'dispatching_base_num': BASES.take(pa.array(base)),
        'pickup_datetime': pa.array(pickup),
        'dropOff_datetime': pa.array(dropoff),
        'PUlocationID': pa.array(rng.integers(1, 266, rows), mask=no_pickup_zone),
        'DOlocationID': pa.array(rng.integers(1, 266, rows), mask=no_dropoff_zone),
        'SR_Flag': pa.array(np.ones(rows, dtype=np.int32), mask=rng.random(rows) >= SHARED_RIDE_SHARE),
        'Affiliated_base_number': BASES.take(pa.array(affiliated, mask=affiliation > 1 - NO_AFFILIATED_BASE_SHARE)),
    })
