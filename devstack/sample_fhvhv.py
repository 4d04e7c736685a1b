"""Generated High Volume For-Hire Vehicle (fhvhv) trips, with the quirks of the TLC's published months.

The TLC's 24 parquet columns (cbd_congestion_fee added from 2025): licence and base numbers, the request,
on-scene, pickup and dropoff times, zones, miles and seconds, fares and what the driver got, and five
one-letter flags. The real files' quirks are kept: Lyft (HV0005) reports no on-scene time, no
originating base and a single space (' ') as its Access-A-Ride flag; Via (HV0004) and Juno (HV0002)
dispatch only in the years they ran; a few refunds have negative fares, taxes and Black Car Fund
charges; a few pickups fall outside the month. Deterministic per seed and `part`.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from devstack.sample_month import SampleMonth, trip_times

LICENSES = pa.array(['HV0003', 'HV0005', 'HV0004', 'HV0002'])  # Uber, Lyft, Via, Juno
UBER, LYFT, VIA, JUNO = range(len(LICENSES))
LICENSE_SHARES = (0.72, 0.26, 0.015, 0.005)
LAST_YEARS = {VIA: 2021, JUNO: 2019}  # licences that stopped dispatching: none of their trips after these
# The bases each licence dispatches from, and their shares of its trips (a few bases for Uber, one else).
LICENSE_BASES = {
    UBER: (('B02764', 0.3), ('B02765', 0.2), ('B02872', 0.2), ('B02875', 0.2), ('B02682', 0.1)),
    LYFT: (('B02510', 1.0),),
    VIA: (('B02800', 1.0),),
    JUNO: (('B02907', 1.0),),
}
BASES = pa.array([base for bases in LICENSE_BASES.values() for base, _ in bases])
OTHER_ORIGINATING_BASE_SHARE = 0.1  # came in at another base of the licence than the dispatching one
NO_ORIGINATING_BASE_SHARE = 0.02  # of the non-Lyft trips; Lyft never reports one
REFUND_SHARE = 0.005
# Shared rides (Uber Pool, Lyft Line) were paused in March 2020 and came back only in a small way.
SHARED_REQUEST_SHARE = {2019: 0.05, 2020: 0.05}
SHARED_REQUEST_SHARE_LATER = 0.005
SHARED_MATCH_SHARE = 0.6  # of the shared requests
WAV_REQUEST_SHARE = 0.003
WAV_MATCH_SHARE = 0.07  # wheelchair-accessible vehicles sent without a request
TOLL_SHARE = 0.06
TIP_SHARE = 0.15
CONGESTION_SHARE = 0.4  # trips through Manhattan below 96th Street: $2.75 for HV trips
AIRPORT_SHARE = 0.05
AIRPORT_FEE_FROM = 2022  # $2.50; before, the TLC's files leave the column empty (typed null)
CBD_SHARE = 0.3  # Manhattan's congestion pricing from 2025: $1.50 for HV trips
BCF_RATE, SALES_TAX_RATE = 0.0275, 0.08875
FLAGS = pa.array(['N', 'Y', ' '])  # taken by a boolean as 0/1: 'N' or 'Y'
NO, BLANK = 0, 2
_STREAM = 3  # keeps fhvhv draws apart from yellow's (0), green's (1) and FHV's (2) for the same seed and month


def generate_fhvhv_trips(month: SampleMonth, rows: int, seed: int = 42, part: int = 0) -> pa.Table:
    """`rows` fhvhv trips of the month, in the TLC's column order: strings, times as timestamp[s] (whole
    seconds: the layouts cast them), zones and trip_time as int64, money as doubles rounded to cents
    (airport_fee all null before 2022). `part` numbers the pieces of a month written in chunks."""
    rng = np.random.default_rng([seed, month.year, month.month, _STREAM, part])
    shares = np.array([0.0 if month.year > LAST_YEARS.get(index, month.year) else share
                       for index, share in enumerate(LICENSE_SHARES)])
    licence = rng.choice(len(LICENSES), size=rows, p=shares / shares.sum())
    lyft = licence == LYFT
    dispatching = _base_of(licence, rng.random(rows))
    other_origin = rng.random(rows) < OTHER_ORIGINATING_BASE_SHARE
    originating = np.where(other_origin, _base_of(licence, rng.random(rows)), dispatching)
    no_origin = lyft | (rng.random(rows) < NO_ORIGINATING_BASE_SHARE)

    pickup, dropoff = trip_times(rng, month, rows, mean_seconds=1_100)
    wait = np.round(rng.exponential(240, rows)).astype(np.int64) + 30  # requested a few minutes before
    to_scene = (wait * rng.uniform(0.3, 1.0, rows)).astype(np.int64)  # on scene before the pickup
    request = pickup - wait.astype('timedelta64[s]')
    on_scene = request + to_scene.astype('timedelta64[s]')
    trip_time = (dropoff - pickup).astype(np.int64)
    miles = np.round(trip_time / 3_600 * rng.gamma(4.0, 3.0, rows), 3)  # ~12 mph through traffic

    fare = np.round(np.maximum(2.5 + 1.75 * miles + 0.35 * trip_time / 60 + rng.normal(0, 3, rows), 7.5), 2)
    sign = np.where(rng.random(rows) < REFUND_SHARE, -1.0, 1.0)
    tolls = np.where(rng.random(rows) < TOLL_SHARE, rng.choice([6.12, 6.55, 6.94, 10.17], size=rows), 0.0)
    tips = np.where(rng.random(rows) < TIP_SHARE,
                    np.round(fare * rng.choice([0.1, 0.15, 0.2, 0.25], size=rows), 2), 0.0)
    airport_fee = np.where(rng.random(rows) < AIRPORT_SHARE, 2.5, 0.0)
    shared_share = SHARED_REQUEST_SHARE.get(month.year, SHARED_REQUEST_SHARE_LATER)
    shared_request = rng.random(rows) < shared_share
    shared_match = shared_request & (rng.random(rows) < SHARED_MATCH_SHARE)
    wav_request = rng.random(rows) < WAV_REQUEST_SHARE
    wav_match = wav_request | (rng.random(rows) < WAV_MATCH_SHARE)
    columns = {
        'hvfhs_license_num': LICENSES.take(pa.array(licence)),
        'dispatching_base_num': BASES.take(pa.array(dispatching)),
        'originating_base_num': BASES.take(pa.array(originating, mask=no_origin)),
        'request_datetime': pa.array(request),
        'on_scene_datetime': pa.array(on_scene, mask=lyft),
        'pickup_datetime': pa.array(pickup),
        'dropoff_datetime': pa.array(dropoff),
        'PULocationID': pa.array(rng.integers(1, 266, rows)),
        'DOLocationID': pa.array(rng.integers(1, 266, rows)),
        'trip_miles': pa.array(miles),
        'trip_time': pa.array(trip_time),
        'base_passenger_fare': pa.array(fare * sign),
        'tolls': pa.array(tolls),
        'bcf': pa.array(np.round(fare * BCF_RATE, 2) * sign),
        'sales_tax': pa.array(np.round(fare * SALES_TAX_RATE, 2) * sign),
        'congestion_surcharge': pa.array(np.where(rng.random(rows) < CONGESTION_SHARE, 2.75, 0.0)),
        'airport_fee': pa.array(airport_fee, mask=np.full(rows, month.year < AIRPORT_FEE_FROM)),
        'tips': pa.array(tips),
        'driver_pay': pa.array(np.round(fare * rng.uniform(0.6, 0.85, rows) + tips, 2)),
        'shared_request_flag': FLAGS.take(pa.array(shared_request.astype(np.int8))),
        'shared_match_flag': FLAGS.take(pa.array(shared_match.astype(np.int8))),
        'access_a_ride_flag': FLAGS.take(pa.array(np.where(lyft, BLANK, NO).astype(np.int8))),
        'wav_request_flag': FLAGS.take(pa.array(wav_request.astype(np.int8))),
        'wav_match_flag': FLAGS.take(pa.array(wav_match.astype(np.int8))),
    }
    if month.year >= 2025:  # drawn last: the columns above draw the same values in 2025 as before
        columns['cbd_congestion_fee'] = pa.array(np.where(rng.random(rows) < CBD_SHARE, 1.5, 0.0))
    return pa.table(columns)


def _base_of(licence: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """The index in BASES of a base of each row's licence, picked by its share of that licence's trips."""
    first = np.cumsum([0] + [len(bases) for bases in LICENSE_BASES.values()])[:-1]
    within = np.zeros(len(licence), dtype=np.int64)
    for index, bases in LICENSE_BASES.items():
        rows = licence == index
        within[rows] = np.searchsorted(np.cumsum([share for _, share in bases])[:-1], draw[rows], side='right')
    return first[licence] + within
