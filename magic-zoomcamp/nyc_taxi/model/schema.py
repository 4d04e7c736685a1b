"""The columns of the NYC TLC trip files, as published, and what they become after the transform.

The release files are CSV with a header. Integer codes that can be missing (VendorID, passenger_count,
RatecodeID, payment_type, trip_type) are written as floats ("1.0") in many months, so they are read
as float and then narrowed to nullable integers, refusing any value with a fraction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal, get_args

import pyarrow as pa

TaxiType = Literal['yellow', 'green']
TAXI_TYPES: tuple[str, ...] = get_args(TaxiType)

# Every integer in the files is a small code (vendor, zone, rate, payment, passengers): 16 bits hold
# them all, and a month's frame is ~60 MB smaller than with int64 at every copy the pipeline makes.
CODE = pa.int16()
NUMBER = pa.float64()
TEXT = pa.string()
TIMESTAMP = pa.timestamp('s')

_YELLOW_COLUMNS: dict[str, pa.DataType] = {
    'VendorID': CODE,
    'tpep_pickup_datetime': TIMESTAMP,
    'tpep_dropoff_datetime': TIMESTAMP,
    'passenger_count': CODE,
    'trip_distance': NUMBER,
    'RatecodeID': CODE,
    'store_and_fwd_flag': TEXT,
    'PULocationID': CODE,
    'DOLocationID': CODE,
    'payment_type': CODE,
    'fare_amount': NUMBER,
    'extra': NUMBER,
    'mta_tax': NUMBER,
    'tip_amount': NUMBER,
    'tolls_amount': NUMBER,
    'improvement_surcharge': NUMBER,
    'total_amount': NUMBER,
    'congestion_surcharge': NUMBER,
}

_GREEN_COLUMNS: dict[str, pa.DataType] = {
    'VendorID': CODE,
    'lpep_pickup_datetime': TIMESTAMP,
    'lpep_dropoff_datetime': TIMESTAMP,
    'store_and_fwd_flag': TEXT,
    'RatecodeID': CODE,
    'PULocationID': CODE,
    'DOLocationID': CODE,
    'passenger_count': CODE,
    'trip_distance': NUMBER,
    'fare_amount': NUMBER,
    'extra': NUMBER,
    'mta_tax': NUMBER,
    'tip_amount': NUMBER,
    'tolls_amount': NUMBER,
    'ehail_fee': NUMBER,
    'improvement_surcharge': NUMBER,
    'total_amount': NUMBER,
    'payment_type': CODE,
    'trip_type': CODE,
    'congestion_surcharge': NUMBER,
}

# CamelCase names in the release files; every other column is already snake_case.
SNAKE_CASE_NAMES: dict[str, str] = {
    'VendorID': 'vendor_id',
    'RatecodeID': 'ratecode_id',
    'PULocationID': 'pu_location_id',
    'DOLocationID': 'do_location_id',
}

# 1 Creative Mobile Technologies, 2 VeriFone (Curb), 4 in the release's 2019-2020 files (the course's dbt
# models call it 'Unknown/Other'), 5, 6 Myle and 7 Helix in the TLC's newer months.
KNOWN_VENDOR_IDS: frozenset[int] = frozenset({1, 2, 4, 5, 6, 7})


@dataclass(frozen=True)
class TripFileSchema:
    taxi_type: str
    source_columns: dict[str, pa.DataType]
    datetime_prefix: str

    @property
    def pickup_datetime(self) -> str:
        return f'{self.datetime_prefix}_pickup_datetime'

    @property
    def dropoff_datetime(self) -> str:
        return f'{self.datetime_prefix}_dropoff_datetime'

    @property
    def pickup_date(self) -> str:
        return f'{self.datetime_prefix}_pickup_date'

    @property
    def code_columns(self) -> list[str]:
        return [name for name, kind in self.source_columns.items() if kind == CODE]

    @property
    def clean_columns(self) -> dict[str, pa.DataType]:
        """Columns after the transform, in order: snake_case names plus the pickup date."""
        columns = {SNAKE_CASE_NAMES.get(name, name): kind for name, kind in self.source_columns.items()}
        columns[self.pickup_date] = pa.date32()
        return columns


SCHEMAS: dict[str, TripFileSchema] = {
    'yellow': TripFileSchema('yellow', _YELLOW_COLUMNS, 'tpep'),
    'green': TripFileSchema('green', _GREEN_COLUMNS, 'lpep'),
}


def schema_for(taxi_type: str) -> TripFileSchema:
    try:
        return SCHEMAS[taxi_type]
    except KeyError:
        raise ValueError(
            f'taxi_type must be one of {", ".join(TAXI_TYPES)}, got {taxi_type!r} '
            '(set the pipeline variable taxi_type)'
        ) from None


def schema_of(frame_columns: Iterable[str]) -> TripFileSchema:
    """The schema whose pickup column the frame has: yellow (tpep_*) or green (lpep_*)."""
    columns = set(frame_columns)
    for schema in SCHEMAS.values():
        if schema.pickup_datetime in columns:
            return schema
    raise ValueError(f'Neither tpep_pickup_datetime nor lpep_pickup_datetime in the columns {sorted(columns)}: '
                     'not a yellow or green trip frame')
