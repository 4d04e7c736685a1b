"""The columns of the NYC TLC trip files, as published, and what they become after the transform.

One schema per taxi type (yellow, green, FHV); every source (the release's CSV, the TLC's parquet)
is read into it. The release files are CSV with a header. Integer codes that can be missing (VendorID, passenger_count,
RatecodeID, payment_type, trip_type) are written as floats ("1.0") in many months, so they are read
as float and then narrowed to nullable integers, refusing any value with a fraction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal, get_args

import pyarrow as pa

TaxiType = Literal['yellow', 'green', 'fhv']
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

_FHV_COLUMNS: dict[str, pa.DataType] = {
    'dispatching_base_num': TEXT,
    'pickup_datetime': TIMESTAMP,
    'dropOff_datetime': TIMESTAMP,
    # Written "264.0" in some months and float in the TLC's 2019 parquet files: read like the other codes.
    'PUlocationID': CODE,
    'DOlocationID': CODE,
    'SR_Flag': CODE,
    'Affiliated_base_number': TEXT,
}

# Nullable columns that newer months add (the TLC's parquet files): a table holds the union, and
# rows of months without them hold NULL. Named in their newest spelling; `Airport_fee` in some months.
_YELLOW_LATER_COLUMNS: dict[str, pa.DataType] = {'airport_fee': NUMBER, 'cbd_congestion_fee': NUMBER}
_GREEN_LATER_COLUMNS: dict[str, pa.DataType] = {'cbd_congestion_fee': NUMBER}

# Names in the files that are not snake_case; every other column keeps its name.
SNAKE_CASE_NAMES: dict[str, str] = {
    'VendorID': 'vendor_id',
    'RatecodeID': 'ratecode_id',
    'PULocationID': 'pu_location_id',
    'DOLocationID': 'do_location_id',
}
_FHV_SNAKE_CASE_NAMES: dict[str, str] = {
    'dropOff_datetime': 'dropoff_datetime',
    'PUlocationID': 'pu_location_id',
    'DOlocationID': 'do_location_id',
    'SR_Flag': 'sr_flag',
    'Affiliated_base_number': 'affiliated_base_number',
}

# 1 Creative Mobile Technologies, 2 VeriFone (Curb), 4 in the release's 2019-2020 files (the course's dbt
# models call it 'Unknown/Other'), 5, 6 Myle and 7 Helix in the TLC's newer months.
KNOWN_VENDOR_IDS: frozenset[int] = frozenset({1, 2, 4, 5, 6, 7})
# The taxi zones of the zone lookup: 1..263 in the city, 264 and 265 unknown/outside.
LOCATION_IDS = range(1, 266)


@dataclass(frozen=True)
class TripFileSchema:
    """One taxi type's trips: the columns of its files, and what they are called once clean.

    `source_columns` are the release CSV's header, in order, each required in every source;
    `later_columns` are nullable columns newer months add. The staged source file holds both (a
    month without a later column holds NULL there); the clean columns are both, renamed, plus the
    pickup date.
    """

    taxi_type: str
    source_columns: dict[str, pa.DataType]
    pickup_datetime: str
    pickup_date: str
    renamed: dict[str, str]
    later_columns: dict[str, pa.DataType] = field(default_factory=dict)

    @property
    def datetime_prefix(self) -> str:
        """tpep / lpep for yellow / green (the generator's column names); '' for FHV."""
        return self.pickup_datetime.removesuffix('pickup_datetime').rstrip('_')

    @property
    def staged_columns(self) -> dict[str, pa.DataType]:
        """What a loader stages from any source: the source columns, then the later ones."""
        return {**self.source_columns, **self.later_columns}

    @property
    def staged_arrow_schema(self) -> pa.Schema:
        """The Arrow schema every source stages a month in: the staged columns with their declared types."""
        return pa.schema(list(self.staged_columns.items()))

    def unknown_columns_message(self, source: str, unknown: list[str]) -> str:
        return (f'{source}: the column(s) {", ".join(unknown)} are not in the {self.taxi_type} schema. A new column '
                'is refused rather than dropped or guessed: declare it (name and type) in later_columns in '
                'nyc_taxi/model/schema.py, and the tables gain it on the next load.')

    @property
    def code_columns(self) -> list[str]:
        return [name for name, kind in self.staged_columns.items() if kind == CODE]

    def clean_name(self, source_name: str) -> str:
        return self.renamed.get(source_name, source_name)

    @property
    def clean_columns(self) -> dict[str, pa.DataType]:
        """Columns after the transform, in order: snake_case names, the later columns, the pickup date."""
        columns = {self.clean_name(name): kind for name, kind in self.staged_columns.items()}
        columns[self.pickup_date] = pa.date32()
        return columns


SCHEMAS: dict[str, TripFileSchema] = {
    'yellow': TripFileSchema('yellow', _YELLOW_COLUMNS, 'tpep_pickup_datetime', 'tpep_pickup_date',
                             SNAKE_CASE_NAMES, _YELLOW_LATER_COLUMNS),
    'green': TripFileSchema('green', _GREEN_COLUMNS, 'lpep_pickup_datetime', 'lpep_pickup_date',
                            SNAKE_CASE_NAMES, _GREEN_LATER_COLUMNS),
    'fhv': TripFileSchema('fhv', _FHV_COLUMNS, 'pickup_datetime', 'pickup_date', _FHV_SNAKE_CASE_NAMES),
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
    """The schema whose pickup column the frame has: tpep_* yellow, lpep_* green, pickup_datetime FHV."""
    columns = set(frame_columns)
    for schema in SCHEMAS.values():
        if schema.pickup_datetime in columns:
            return schema
    raise ValueError(f'None of {", ".join(s.pickup_datetime for s in SCHEMAS.values())} in the columns '
                     f'{sorted(columns)}: not a trip frame of a known taxi type')
