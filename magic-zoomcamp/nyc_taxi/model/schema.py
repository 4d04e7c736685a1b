"""The columns of the NYC TLC trip files, as published, and what they become after the transform.

One schema per taxi type (yellow, green, FHV, high-volume FHV); every source (the release's CSV, the
TLC's parquet) is read into it. The release files are CSV with a header. Integer codes that can be missing (VendorID, passenger_count,
RatecodeID, payment_type, trip_type) are written as floats ("1.0") in many months, so they are read
as float and then narrowed to nullable integers, refusing any value with a fraction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal, get_args

import pyarrow as pa

TaxiType = Literal['yellow', 'green', 'fhv', 'fhvhv']
TAXI_TYPES: tuple[str, ...] = get_args(TaxiType)

# Every integer in the files is a small code (vendor, zone, rate, payment, passengers): 16 bits hold
# them all, and a month's frame is ~60 MB smaller than with int64 at every copy the pipeline makes.
CODE = pa.int16()
NUMBER = pa.float64()
TEXT = pa.string()
TIMESTAMP = pa.timestamp('s')
# Durations in whole seconds: a trip can outlast int16's 9 hours.
SECONDS = pa.int32()

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

# High-volume FHV (Uber, Lyft, Via, Juno): the TLC's parquet layout (2019-02 on), then SR_Flag, which only the
# release's CSV layout (the TLC's before 2022: 7 columns) has. Each layout fills the columns it has; the rest
# are NULL. SR_Flag ('1' on a shared-ride request, else empty) keeps a column of its own, as for FHV: the
# parquet layout's shared_request_flag ('Y'/'N') says whether a shared ride was asked for; SR_Flag marks
# trips of a shared-ride chain, and mapping one onto the other would guess.
_FHVHV_TLC_COLUMNS: dict[str, pa.DataType] = {
    'hvfhs_license_num': TEXT,
    'dispatching_base_num': TEXT,
    'originating_base_num': TEXT,
    'request_datetime': TIMESTAMP,
    'on_scene_datetime': TIMESTAMP,
    'pickup_datetime': TIMESTAMP,
    'dropoff_datetime': TIMESTAMP,
    'PULocationID': CODE,
    'DOLocationID': CODE,
    'trip_miles': NUMBER,
    'trip_time': SECONDS,
    'base_passenger_fare': NUMBER,
    'tolls': NUMBER,
    'bcf': NUMBER,
    'sales_tax': NUMBER,
    'congestion_surcharge': NUMBER,
    'airport_fee': NUMBER,
    'tips': NUMBER,
    'driver_pay': NUMBER,
    'shared_request_flag': TEXT,
    'shared_match_flag': TEXT,
    'access_a_ride_flag': TEXT,
    'wav_request_flag': TEXT,
    'wav_match_flag': TEXT,
}
_FHVHV_COLUMNS: dict[str, pa.DataType] = {**_FHVHV_TLC_COLUMNS, 'SR_Flag': CODE}
_FHVHV_RELEASE_COLUMNS = ('hvfhs_license_num', 'dispatching_base_num', 'pickup_datetime', 'dropoff_datetime',
                          'PULocationID', 'DOLocationID', 'SR_Flag')

# Nullable columns that newer months add (the TLC's parquet files): a table holds the union, and
# rows of months without them hold NULL. Named in their newest spelling; `Airport_fee` in some months.
_YELLOW_LATER_COLUMNS: dict[str, pa.DataType] = {'airport_fee': NUMBER, 'cbd_congestion_fee': NUMBER}
_GREEN_LATER_COLUMNS: dict[str, pa.DataType] = {'cbd_congestion_fee': NUMBER}
_FHVHV_LATER_COLUMNS: dict[str, pa.DataType] = {'cbd_congestion_fee': NUMBER}

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
_FHVHV_SNAKE_CASE_NAMES: dict[str, str] = {
    'PULocationID': 'pu_location_id',
    'DOLocationID': 'do_location_id',
    'SR_Flag': 'sr_flag',
}

# 1 Creative Mobile Technologies, 2 VeriFone (Curb), 4 in the release's 2019-2020 files (the course's dbt
# models call it 'Unknown/Other'), 5, 6 Myle and 7 Helix in the TLC's newer months.
KNOWN_VENDOR_IDS: frozenset[int] = frozenset({1, 2, 4, 5, 6, 7})
# The taxi zones of the zone lookup: 1..263 in the city, 264 and 265 unknown/outside.
LOCATION_IDS = range(1, 266)
# The high-volume FHV licensees, by the TLC's license numbers (hvfhs_license_num).
HVFHS_LICENSES: dict[str, str] = {'HV0002': 'Juno', 'HV0003': 'Uber', 'HV0004': 'Via', 'HV0005': 'Lyft'}


@dataclass(frozen=True)
class TripFileSchema:
    """One taxi type's trips: the columns of its files, and what they are called once clean.

    `source_columns` are the columns of the files, in order, each required in every source unless
    `release_columns` / `tlc_columns` name the ones a layout has (fhvhv's two layouts differ);
    `later_columns` are nullable columns newer months add. The staged source file holds both (a
    month without a later column, or a layout without a column, holds NULL there); the clean columns
    are both, renamed, plus the pickup date.
    """

    taxi_type: str
    source_columns: dict[str, pa.DataType]
    pickup_datetime: str
    pickup_date: str
    renamed: dict[str, str]
    later_columns: dict[str, pa.DataType] = field(default_factory=dict)
    release_columns: tuple[str, ...] | None = None
    tlc_columns: tuple[str, ...] | None = None

    @property
    def required_in_release(self) -> tuple[str, ...]:
        """The columns every release CSV of this taxi type has."""
        return self.release_columns or tuple(self.source_columns)

    @property
    def required_in_tlc(self) -> tuple[str, ...]:
        """The columns every TLC parquet month of this taxi type has."""
        return self.tlc_columns or tuple(self.source_columns)

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

    @property
    def integer_columns(self) -> dict[str, pa.DataType]:
        """The codes and the whole seconds: read as they come (float, any int) and narrowed, refusing fractions."""
        return {name: kind for name, kind in self.staged_columns.items() if pa.types.is_integer(kind)}

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
    'fhvhv': TripFileSchema('fhvhv', _FHVHV_COLUMNS, 'pickup_datetime', 'pickup_date', _FHVHV_SNAKE_CASE_NAMES,
                            _FHVHV_LATER_COLUMNS, release_columns=_FHVHV_RELEASE_COLUMNS,
                            tlc_columns=tuple(_FHVHV_TLC_COLUMNS)),
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
    """The schema of a frame of staged or clean trips: tpep_* yellow, lpep_* green, hvfhs_license_num
    high-volume FHV, pickup_datetime FHV."""
    columns = set(frame_columns)
    if 'hvfhs_license_num' in columns:
        return SCHEMAS['fhvhv']
    for schema in SCHEMAS.values():
        if schema.pickup_datetime in columns:
            return schema
    raise ValueError(f'None of {", ".join(s.pickup_datetime for s in SCHEMAS.values())} in the columns '
                     f'{sorted(columns)}: not a trip frame of a known taxi type')
