"""The columns of the TLC's own parquet months, by taxi type and period: names, order, spelling, types.

What a reader of `https://d37ci6vzurychx.cloudfront.net/trip-data/{taxi_type}_tripdata_{YYYY}-{MM}.parquet`
meets. Each table below has one row per column and one type per period (the year each period starts
heads its column); None means the column is absent in that period. A column that holds no value in a
period is typed `null` there, as the TLC wrote such months (charges before they existed, green's
ehail_fee in 2022; nyc-taxi-data's fix_*_parquet_schemas.R casts exactly these): BigQuery sees them as
INT32 where other months have DOUBLE.

Checked against: the team's notes on the NYC data (NYC_DATA_NOTES.md), printed schemas of real months
(yellow 2009, 2023-01), long-running loaders (toddwschneider/nyc-taxi-data). Periods between the years
named there are extrapolated; yellow 2010 is not modelled (its files use yet other column names).
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

I32, I64, F64, STR, NULL = pa.int32(), pa.int64(), pa.float64(), pa.string(), pa.null()
NS, US = pa.timestamp('ns'), pa.timestamp('us')  # written by older pyarrow (2022 and before) / newer


@dataclass(frozen=True)
class Layout:
    periods: tuple[int, ...]  # the first year of each period, in the order of the types below
    columns: tuple[tuple, ...]  # (name, its type in each period...); None: absent in that period


YELLOW = Layout(
    periods=(2011, 2015, 2019, 2021, 2023, 2024, 2025),
    columns=(
        # column                   2011  2015  2019  2021  2023  2024  2025
        ('VendorID',               I64,  I64,  I64,  I64,  I64,  I32,  I32),
        ('tpep_pickup_datetime',   NS,   NS,   NS,   NS,   US,   US,   US),
        ('tpep_dropoff_datetime',  NS,   NS,   NS,   NS,   US,   US,   US),
        ('passenger_count',        F64,  F64,  F64,  F64,  F64,  I64,  I64),
        ('trip_distance',          F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('RatecodeID',             F64,  F64,  F64,  F64,  F64,  I64,  I64),
        ('store_and_fwd_flag',     STR,  STR,  STR,  STR,  STR,  STR,  STR),
        ('PULocationID',           I64,  I64,  I64,  I64,  I64,  I32,  I32),
        ('DOLocationID',           I64,  I64,  I64,  I64,  I64,  I32,  I32),
        ('payment_type',           I64,  I64,  I64,  I64,  I64,  I64,  I64),
        ('fare_amount',            F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('extra',                  F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('mta_tax',                F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('tip_amount',             F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('tolls_amount',           F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('improvement_surcharge',  NULL, F64,  F64,  F64,  F64,  F64,  F64),  # levied from 2015
        ('total_amount',           F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('congestion_surcharge',   NULL, NULL, F64,  F64,  F64,  F64,  F64),  # levied from 2019
        ('airport_fee',            NULL, NULL, NULL, F64,  None, None, F64),  # spelled Airport_fee in 2023-2024
        ('Airport_fee',            None, None, None, None, F64,  F64,  None),
        ('cbd_congestion_fee',     None, None, None, None, None, None, F64),  # Manhattan's congestion pricing, 2025
    ),
)

GREEN = Layout(
    periods=(2013, 2015, 2019, 2022, 2023, 2024, 2025),
    columns=(
        # column                   2013  2015  2019  2022  2023  2024  2025
        ('VendorID',               I64,  I64,  I64,  I64,  I64,  I32,  I32),
        ('lpep_pickup_datetime',   NS,   NS,   NS,   NS,   US,   US,   US),
        ('lpep_dropoff_datetime',  NS,   NS,   NS,   NS,   US,   US,   US),
        ('store_and_fwd_flag',     STR,  STR,  STR,  STR,  STR,  STR,  STR),
        ('RatecodeID',             F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('PULocationID',           I64,  I64,  I64,  I64,  I64,  I64,  I64),
        ('DOLocationID',           I64,  I64,  I64,  I64,  I64,  I64,  I64),
        ('passenger_count',        F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('trip_distance',          F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('fare_amount',            F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('extra',                  F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('mta_tax',                F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('tip_amount',             F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('tolls_amount',           F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('ehail_fee',              F64,  F64,  F64,  NULL, F64,  F64,  F64),  # never charged: always empty
        ('improvement_surcharge',  NULL, F64,  F64,  F64,  F64,  F64,  F64),
        ('total_amount',           F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('payment_type',           F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('trip_type',              F64,  F64,  F64,  F64,  F64,  F64,  F64),
        ('congestion_surcharge',   NULL, NULL, F64,  F64,  F64,  F64,  F64),
        ('cbd_congestion_fee',     None, None, None, None, None, None, F64),
    ),
)

FHV = Layout(
    periods=(2015, 2020, 2021, 2023),
    columns=(
        # column                   2015  2020  2021  2023
        ('dispatching_base_num',   STR,  STR,  STR,  STR),
        ('pickup_datetime',        NS,   NS,   NS,   US),
        ('dropOff_datetime',       NS,   NS,   NS,   US),
        ('PUlocationID',           F64,  I64,  I64,  I64),  # float ids (many null) through 2019
        ('DOlocationID',           F64,  I64,  I64,  I64),
        ('SR_Flag',                I32,  I32,  NULL, NULL),  # shared rides stopped in 2020: no value since
        ('Affiliated_base_number', STR,  STR,  STR,  STR),
    ),
)

# High Volume For-Hire trips, published from 2019-02 (~20M rows a month). Times are microseconds in every
# period, unlike yellow's and green's before 2023; zone ids int64, then int32 from 2023; airport_fee holds
# no value (typed null) before 2022.
FHVHV = Layout(
    periods=(2019, 2022, 2023, 2025),
    columns=(
        # column                   2019  2022  2023  2025
        ('hvfhs_license_num',      STR,  STR,  STR,  STR),
        ('dispatching_base_num',   STR,  STR,  STR,  STR),
        ('originating_base_num',   STR,  STR,  STR,  STR),  # null for Lyft and a few others
        ('request_datetime',       US,   US,   US,   US),
        ('on_scene_datetime',      US,   US,   US,   US),   # null for Lyft
        ('pickup_datetime',        US,   US,   US,   US),
        ('dropoff_datetime',       US,   US,   US,   US),
        ('PULocationID',           I64,  I64,  I32,  I32),
        ('DOLocationID',           I64,  I64,  I32,  I32),
        ('trip_miles',             F64,  F64,  F64,  F64),
        ('trip_time',              I64,  I64,  I64,  I64),  # seconds
        ('base_passenger_fare',    F64,  F64,  F64,  F64),
        ('tolls',                  F64,  F64,  F64,  F64),
        ('bcf',                    F64,  F64,  F64,  F64),  # Black Car Fund
        ('sales_tax',              F64,  F64,  F64,  F64),
        ('congestion_surcharge',   F64,  F64,  F64,  F64),
        ('airport_fee',            NULL, F64,  F64,  F64),  # levied from 2022
        ('tips',                   F64,  F64,  F64,  F64),
        ('driver_pay',             F64,  F64,  F64,  F64),
        ('shared_request_flag',    STR,  STR,  STR,  STR),
        ('shared_match_flag',      STR,  STR,  STR,  STR),
        ('access_a_ride_flag',     STR,  STR,  STR,  STR),  # ' ' (a space) on Lyft's trips
        ('wav_request_flag',       STR,  STR,  STR,  STR),
        ('wav_match_flag',         STR,  STR,  STR,  STR),
        ('cbd_congestion_fee',     None, None, None, F64),
    ),
)

# Yellow 2009: another schema altogether (coordinates instead of zones, times as text, payment as words).
# Readers of the zone-based layouts must refuse it rather than load it half-empty.
YELLOW_2009: tuple[tuple[str, pa.DataType], ...] = (
    ('vendor_name', STR), ('Trip_Pickup_DateTime', STR), ('Trip_Dropoff_DateTime', STR),
    ('Passenger_Count', I64), ('Trip_Distance', F64), ('Start_Lon', F64), ('Start_Lat', F64),
    ('Rate_Code', F64), ('store_and_forward', F64), ('End_Lon', F64), ('End_Lat', F64),
    ('Payment_Type', STR), ('Fare_Amt', F64), ('surcharge', F64), ('mta_tax', F64), ('Tip_Amt', F64),
    ('Tolls_Amt', F64), ('Total_Amt', F64),
)

_LAYOUTS = {'yellow': YELLOW, 'green': GREEN, 'fhv': FHV, 'fhvhv': FHVHV}


def tlc_schema(taxi_type: str, year: int) -> pa.Schema:
    """The arrow schema of the TLC's `{taxi_type}` parquet months of `year`."""
    if taxi_type == 'yellow' and year == 2009:
        return pa.schema(YELLOW_2009)
    layout = _LAYOUTS.get(taxi_type)
    if layout is None:
        raise ValueError(f'No TLC parquet layout for taxi type {taxi_type!r} (yellow, green, fhv, fhvhv)')
    if year < layout.periods[0]:
        raise ValueError(f'No TLC parquet layout for {taxi_type} {year}: modelled from {layout.periods[0]}'
                         + (' (and 2009)' if taxi_type == 'yellow' else ''))
    period = max(index for index, first in enumerate(layout.periods) if first <= year)
    return pa.schema([(name, types[period]) for name, *types in layout.columns if types[period] is not None])
