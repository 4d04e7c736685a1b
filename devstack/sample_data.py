"""Generated NYC-taxi-shaped trip files, with the quirks of the real release files.

Same column sets and order as the published CSVs; ~5% of rows without dispatch data (empty VendorID,
passenger_count, RatecodeID, store_and_fwd_flag, payment_type, and trip_type for green); integer
codes written as floats ("1.0"); zero-passenger and zero-distance trips; pickups outside the month
(neighbouring days and a few from years before); refunds with negative amounts; totals with float
noise ("13.799999999999999"); VendorID 4 in 2019-2020 months, as the release's files have it. Deterministic for a seed, byte for byte.
"""
from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

from devstack.sample_month import SampleMonth, trip_times
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for

MISSING_DISPATCH_SHARE = 0.05
ZERO_PASSENGER_SHARE = 0.02
ZERO_DISTANCE_SHARE = 0.015
REFUND_SHARE = 0.003


def generate_trips(request: MonthRequest, rows: int, seed: int = 42) -> pd.DataFrame:
    """Returns `rows` trips for the request's month, as the release file would hold them."""
    rng = np.random.default_rng([seed, request.year, request.month, 0 if request.taxi_type == 'yellow' else 1])
    schema = schema_for(request.taxi_type)
    pickup, dropoff = trip_times(rng, SampleMonth(request.taxi_type, request.year, request.month), rows)

    distance = np.round(rng.exponential(3.0, rows), 2)
    distance[rng.random(rows) < ZERO_DISTANCE_SHARE] = 0.0
    passengers = rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5, 6], size=rows).astype(float)
    passengers[rng.random(rows) < ZERO_PASSENGER_SHARE] = 0.0
    fare = np.round(2.5 + 2.5 * distance + rng.normal(0, 1.5, rows).clip(-2, None), 2)
    extra = rng.choice([0.0, 0.5, 1.0, 2.5], size=rows)
    mta_tax = np.full(rows, 0.5)
    tip = np.round(fare * rng.choice([0.0, 0.1, 0.15, 0.2, 0.25], size=rows), 2)
    tolls = np.where(rng.random(rows) < 0.05, 6.12, 0.0)
    improvement = np.full(rows, 0.3)
    congestion = rng.choice([0.0, 2.5, 2.5, 2.5], size=rows)
    refund = rng.random(rows) < REFUND_SHARE
    sign = np.where(refund, -1.0, 1.0)
    fare, extra, mta_tax, tip, tolls, improvement, congestion = (
        column * sign for column in (fare, extra, mta_tax, tip, tolls, improvement, congestion))
    # Summed without rounding, as the source systems do: this is where the odd decimals come from.
    total = fare + extra + mta_tax + tip + tolls + improvement + congestion

    values = {
        'VendorID': rng.choice(_vendor_ids(request), size=rows),
        f'{schema.datetime_prefix}_pickup_datetime': pickup,
        f'{schema.datetime_prefix}_dropoff_datetime': dropoff,
        'passenger_count': passengers,
        'trip_distance': distance,
        'RatecodeID': rng.choice([1.0] * 30 + [2.0, 5.0, 99.0], size=rows),
        'store_and_fwd_flag': rng.choice(['N'] * 50 + ['Y'], size=rows).astype(object),
        'PULocationID': rng.integers(1, 266, rows),
        'DOLocationID': rng.integers(1, 266, rows),
        'payment_type': rng.choice([1.0, 1.0, 2.0, 3.0, 4.0], size=rows),
        'fare_amount': fare,
        'extra': extra,
        'mta_tax': mta_tax,
        'tip_amount': tip,
        'tolls_amount': tolls,
        'ehail_fee': np.full(rows, np.nan),
        'improvement_surcharge': improvement,
        'total_amount': total,
        'trip_type': rng.choice([1.0, 1.0, 1.0, 2.0], size=rows),
        'congestion_surcharge': congestion,
    }
    trips = pd.DataFrame({name: values[name] for name in schema.source_columns})
    missing_dispatch = rng.random(rows) < MISSING_DISPATCH_SHARE
    for name in ('VendorID', 'passenger_count', 'RatecodeID', 'store_and_fwd_flag', 'payment_type', 'trip_type'):
        if name in trips:
            trips.loc[missing_dispatch, name] = np.nan if trips[name].dtype == float else None
    # VendorID and the location codes are written as plain integers in the release; VendorID is
    # float above only so that it can hold the empty fields.
    trips['VendorID'] = trips['VendorID'].astype('Int64')
    return trips


def _vendor_ids(request: MonthRequest) -> list[float]:
    """The vendor codes of the month, weighted: 4 appears in the release's 2019-2020 files only."""
    return [1.0, 2.0, 2.0] + ([2.0] * 36 + [1.0] * 18 + [4.0] if request.year in (2019, 2020) else [])


def write_trip_file(trips: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + '.partial')
    # No file name and no time in the gzip header: the same trips give the same bytes.
    with open(partial, 'wb') as raw, gzip.GzipFile(filename='', mode='wb', fileobj=raw, mtime=0,
                                                   compresslevel=6) as compressed, \
            io.TextIOWrapper(compressed, encoding='utf-8', newline='') as text:
        trips.to_csv(text, index=False, date_format='%Y-%m-%d %H:%M:%S')
    partial.replace(path)
    return path


def ensure_trip_file(data_dir: Path, request: MonthRequest, rows: int, seed: int = 42) -> Path:
    """Writes `data_dir/<taxi_type>/<file name>` (the release's URL layout) unless it already exists."""
    path = data_dir / request.taxi_type / request.file_name
    if not path.exists():
        write_trip_file(generate_trips(request, rows, seed), path)
    return path
