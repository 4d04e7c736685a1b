"""Generated months in the TLC's own parquet files: `trip-data/{taxi_type}_tripdata_{YYYY}-{MM}.parquet`.

The layout (columns, order, spelling, types) is the period's in devstack/tlc_layouts.py; the values keep
the release CSVs' quirks where they apply: zero passengers and distances, refunds, pickups outside the
month, and rows without dispatch data (null passenger_count, RatecodeID, store_and_fwd_flag, surcharges;
payment_type 0 from 2023 where it is an integer column that the TLC fills); FHV and fhvhv trips come
from their own generators, cast to the period's types. Several row groups per file, as real months have
(~1M rows each there). A month of the fhvhv size (~20M rows) is written a row group at a time, so that
memory stays flat whatever the size. Fixed writer settings: the same seed gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from devstack.partial_file import ensure_file
from devstack.sample_data import (MISSING_DISPATCH_SHARE, REFUND_SHARE, ZERO_DISTANCE_SHARE,
                                  ZERO_PASSENGER_SHARE)
from devstack.sample_fhv import generate_fhv_trips
from devstack.sample_fhvhv import generate_fhvhv_trips
from devstack.sample_month import SampleMonth, trip_times
from devstack.tlc_layouts import tlc_schema

TRIP_DATA_DIR = 'trip-data'
# Small, so that the tests' 3,000-row months come in 3 row groups; real months have ~1M rows a group.
ROW_GROUP_ROWS = 1_000
FHVHV_ROW_GROUP_ROWS = 1_000_000  # the TLC's: a generated fhvhv month reads like a real one, group by group
AIRPORT_SHARE = 0.08
CBD_SHARE = 0.6
_STREAMS = {'yellow': 10, 'green': 11}  # apart from the release CSVs' draws for the same seed and month
# Types whose trips come as a table (the layout's columns, by name) from a generator of their own.
_TRIP_GENERATORS = {'fhv': generate_fhv_trips, 'fhvhv': generate_fhvhv_trips}
# Every writer setting spelled out: a pyarrow default changing must not change the bytes silently. The
# footer names the writer (created_by, "parquet-cpp-arrow version X"): bytes repeat per version.
_WRITER_SETTINGS = dict(compression='snappy', version='2.6', data_page_version='1.0', use_dictionary=True,
                        write_statistics=True, store_schema=True)
# Columns the TLC leaves empty on trips without dispatch data.
_EMPTY_WITHOUT_DISPATCH = ('passenger_count', 'RatecodeID', 'store_and_fwd_flag', 'payment_type', 'trip_type',
                           'congestion_surcharge', 'airport_fee', 'Airport_fee')


def tlc_trip_data_url(base_url: str) -> str:
    """Where a server of `data_dir` serves the TLC-style months: the value for TLC_TRIP_DATA_URL."""
    return f'{base_url.rstrip("/")}/{TRIP_DATA_DIR}'


def tlc_parquet_path(data_dir: Path, month: SampleMonth) -> Path:
    return data_dir / TRIP_DATA_DIR / f'{month.file_stem}.parquet'


def generate_tlc_table(month: SampleMonth, rows: int, seed: int = 42, part: int = 0) -> pa.Table:
    """`rows` trips of the month with the schema the TLC's file of that month has. `part` numbers the
    pieces of a month written in chunks (write_tlc_parquet_chunks): each piece draws trips of its own."""
    schema = tlc_schema(month.taxi_type, month.year)
    if month.taxi_type in _TRIP_GENERATORS:
        trips = _TRIP_GENERATORS[month.taxi_type](month, rows, seed, part)
        return pa.table([trips[name].cast(kind) if kind != pa.null() else pa.nulls(rows)
                         for name, kind in zip(schema.names, schema.types)], schema=schema)
    stream = [seed, month.year, month.month, _STREAMS[month.taxi_type]]
    # Part 0 draws from the stream it always had, so that the months written whole keep their bytes.
    rng = np.random.default_rng(stream + [part] if part else stream)
    if month.year == 2009:
        return _yellow_2009(rng, month, rows, schema)
    values, without_dispatch = _taxi_values(rng, month, rows, schema)
    columns = []
    for name, kind in zip(schema.names, schema.types):
        if kind == pa.null() or name == 'ehail_fee':  # never charged: typed null or an empty double
            columns.append(pa.nulls(rows, kind))
            continue
        empty = without_dispatch if name in _EMPTY_WITHOUT_DISPATCH else None
        if name == 'payment_type' and pa.types.is_integer(kind) and month.year >= 2023:
            empty = None  # filled with 0 ("flex fare"/unknown) in newer months instead of left empty
        columns.append(pa.array(values[name], mask=empty).cast(kind))
    return pa.table(columns, schema=schema)


def _taxi_values(rng: np.random.Generator, month: SampleMonth, rows: int,
                 schema: pa.Schema) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every yellow/green column's values (numpy), by name, and which rows lack dispatch data."""
    prefix = 'tpep' if month.taxi_type == 'yellow' else 'lpep'
    pickup, dropoff = trip_times(rng, month, rows)
    distance = np.round(rng.exponential(3.0, rows), 2)
    distance[rng.random(rows) < ZERO_DISTANCE_SHARE] = 0.0
    passengers = rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5, 6], size=rows)
    passengers[rng.random(rows) < ZERO_PASSENGER_SHARE] = 0
    fare = np.round(2.5 + 2.5 * distance + rng.normal(0, 1.5, rows).clip(-2, None), 2)
    charges = {
        'fare_amount': fare,
        'extra': rng.choice([0.0, 0.5, 1.0, 2.5], size=rows),
        'mta_tax': np.full(rows, 0.5),
        'tip_amount': np.round(fare * rng.choice([0.0, 0.1, 0.15, 0.2, 0.25], size=rows), 2),
        'tolls_amount': np.where(rng.random(rows) < 0.05, 6.12, 0.0),
        'improvement_surcharge': np.full(rows, 1.0 if month.year >= 2023 else 0.3),
        'congestion_surcharge': rng.choice([0.0, 2.5, 2.5, 2.5], size=rows),
    }
    if month.year >= 2021:
        charges['airport_fee'] = np.where(rng.random(rows) < AIRPORT_SHARE, 1.75 if month.year >= 2023 else 1.25, 0.0)
    if month.year >= 2025:
        charges['cbd_congestion_fee'] = np.where(rng.random(rows) < CBD_SHARE, 0.75, 0.0)
    sign = np.where(rng.random(rows) < REFUND_SHARE, -1.0, 1.0)
    charges = {name: column * sign for name, column in charges.items()}
    charged = {name.lower() for name, kind in zip(schema.names, schema.types) if kind != pa.null()}
    # Summed without rounding, as the source systems do (odd decimals), over the charges the month has.
    total = sum(column for name, column in charges.items() if name in charged)
    vendors = [1] * 20 + [2] * 75 + ([6] + [7] * 4 if month.year >= 2025 and month.taxi_type == 'yellow' else [])
    values = {
        'VendorID': rng.choice(vendors, size=rows),
        f'{prefix}_pickup_datetime': pickup,
        f'{prefix}_dropoff_datetime': dropoff,
        'passenger_count': passengers,
        'trip_distance': distance,
        'RatecodeID': rng.choice([1] * 30 + [2, 5, 99], size=rows),
        'store_and_fwd_flag': rng.choice(['N'] * 50 + ['Y'], size=rows),
        'PULocationID': rng.integers(1, 266, rows),
        'DOLocationID': rng.integers(1, 266, rows),
        'payment_type': rng.choice([1, 1, 2, 3, 4], size=rows),
        'trip_type': rng.choice([1, 1, 1, 2], size=rows),
        'total_amount': total,
        **charges,
    }
    without_dispatch = rng.random(rows) < MISSING_DISPATCH_SHARE
    values['payment_type'] = np.where(without_dispatch, 0, values['payment_type'])
    values['Airport_fee'] = values.get('airport_fee')
    return values, without_dispatch


def _yellow_2009(rng: np.random.Generator, month: SampleMonth, rows: int, schema: pa.Schema) -> pa.Table:
    """The 2009 layout: vendor names, times as text, coordinates (some 0.0), payment types as words."""
    pickup, dropoff = trip_times(rng, month, rows)
    distance = np.round(rng.exponential(2.5, rows), 2)
    fare = np.round(2.5 + 2.0 * distance, 2)
    surcharge = rng.choice([0.0, 0.5, 1.0], size=rows)
    tip = np.round(fare * rng.choice([0.0, 0.0, 0.1, 0.2], size=rows), 2)
    tolls = np.where(rng.random(rows) < 0.03, 4.15, 0.0)
    nowhere = rng.random(rows) < 0.02  # GPS fixes of 0.0, 0.0: a known quirk of the coordinate years
    coordinates = [np.where(nowhere, 0.0, np.round(centre + rng.normal(0, 0.03, rows), 6))
                   for centre in (-73.98, 40.75, -73.98, 40.75)]
    passengers = rng.choice([1, 1, 1, 1, 2, 3, 4, 5, 6], size=rows)
    passengers[rng.random(rows) < ZERO_PASSENGER_SHARE] = 0
    text_time = '%Y-%m-%d %H:%M:%S'
    columns = [
        rng.choice(['VTS', 'CMT', 'DDS'], size=rows, p=[0.45, 0.45, 0.1]),
        pc.strftime(pa.array(pickup), format=text_time), pc.strftime(pa.array(dropoff), format=text_time),
        passengers, distance, coordinates[0], coordinates[1],
        pa.nulls(rows, pa.float64()), pa.nulls(rows, pa.float64()),  # Rate_Code, store_and_forward: empty
        coordinates[2], coordinates[3],
        rng.choice(['CASH', 'Cash', 'CREDIT', 'Credit', 'No Charge', 'Dispute'], size=rows,
                   p=[0.5, 0.2, 0.15, 0.13, 0.01, 0.01]),
        fare, surcharge, pa.nulls(rows, pa.float64()), tip, tolls, fare + surcharge + tip + tolls,
    ]
    return pa.table([pa.array(column).cast(kind) for column, kind in zip(columns, schema.types)], schema=schema)


def write_tlc_parquet(table: pa.Table, path: Path, row_group_rows: int = ROW_GROUP_ROWS) -> Path:
    pq.write_table(table, path, row_group_size=row_group_rows, **_WRITER_SETTINGS)
    return path


def write_tlc_parquet_chunks(path: Path, month: SampleMonth, rows: int, seed: int = 42,
                             row_group_rows: int = FHVHV_ROW_GROUP_ROWS) -> Path:
    """Writes `rows` trips of the month to `path`, generating and writing `row_group_rows` of them at a
    time, each chunk one row group (drawn as part 0, 1, ...): memory holds one chunk, not the month.
    Same arguments, same bytes; another `row_group_rows` draws other trips."""
    with pq.ParquetWriter(path, tlc_schema(month.taxi_type, month.year), **_WRITER_SETTINGS) as writer:
        for part, start in enumerate(range(0, rows, row_group_rows)):
            chunk = generate_tlc_table(month, min(row_group_rows, rows - start), seed, part)
            writer.write_table(chunk, row_group_size=row_group_rows)
    return path


def ensure_tlc_parquet_file(data_dir: Path, month: SampleMonth, rows: int, seed: int = 42,
                            row_group_rows: int = ROW_GROUP_ROWS) -> Path:
    """Writes `data_dir/trip-data/{taxi_type}_tripdata_{YYYY}-{MM}.parquet` unless it already exists."""
    return ensure_file(tlc_parquet_path(data_dir, month),
                       lambda path: write_tlc_parquet(generate_tlc_table(month, rows, seed), path, row_group_rows))


def ensure_fhvhv_parquet_file(data_dir: Path, month: SampleMonth, rows: int, seed: int = 42,
                              row_group_rows: int = FHVHV_ROW_GROUP_ROWS) -> Path:
    """Writes `data_dir/trip-data/fhvhv_tripdata_{YYYY}-{MM}.parquet` unless it already exists, a row
    group at a time (write_tlc_parquet_chunks): a real-sized month (~20M rows) never sits in memory."""
    if month.taxi_type != 'fhvhv':
        raise ValueError(f'Not an fhvhv month: {month}')
    return ensure_file(tlc_parquet_path(data_dir, month),
                       lambda path: write_tlc_parquet_chunks(path, month, rows, seed, row_group_rows))
