"""What a month holds, per pickup date: the small table a block hands on and the UI shows under it.

Built a batch at a time while the month streams through the transform, so it covers every row,
never a sample: trips kept, their distance and fares, rows dropped by each rule, and how many kept
rows break a rule the `@test`s check (which must be none).
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nyc_taxi.model.schema import KNOWN_VENDOR_IDS, TripFileSchema

PICKUP_DATE = 'pickup_date'
DROP_RULES = ('dropped_zero_passengers', 'dropped_zero_distance', 'dropped_missing_passengers')
VIOLATIONS = ('unknown_vendor_ids', 'passenger_count_not_positive', 'trip_distance_not_positive')
SUMS = ('trip_distance', 'fare_amount', 'total_amount')
COUNTS = ('rows_in', *DROP_RULES, 'trips', *VIOLATIONS)
SUMMARY_SCHEMA = pa.schema([(PICKUP_DATE, pa.date32()), *((name, pa.int64()) for name in COUNTS),
                            *((name, pa.float64()) for name in SUMS)])


def summarize_batch(source_dates: pa.Array, drops: Mapping[str, pa.Array], clean: pa.RecordBatch,
                    schema: TripFileSchema) -> pa.Table:
    """Per pickup date: the batch's rows, its drops by rule (boolean masks over the source rows), and
    its kept trips with their sums and rule violations."""
    source = pa.table({PICKUP_DATE: source_dates, 'rows_in': pa.array([1] * len(source_dates), pa.int64()),
                       **{rule: pc.cast(drops[rule], pa.int64()) for rule in DROP_RULES}})
    vendor = clean.column('vendor_id')
    kept = pa.table({
        PICKUP_DATE: clean.column(schema.pickup_date),
        'trips': pa.array([1] * clean.num_rows, pa.int64()),
        'unknown_vendor_ids': _flags(pc.and_(pc.is_valid(vendor), pc.invert(
            pc.is_in(vendor, pa.array(sorted(KNOWN_VENDOR_IDS), vendor.type))))),
        'passenger_count_not_positive': _flags(pc.less_equal(clean.column('passenger_count'), 0)),
        'trip_distance_not_positive': _flags(pc.less_equal(clean.column('trip_distance'), 0)),
        **{name: clean.column(name) for name in SUMS},
    })
    return combine([_sum_by_date(source), _sum_by_date(kept)])


def combine(summaries: list[pa.Table]) -> pa.Table:
    """One row per pickup date, in date order, summed over the given summaries (of any columns)."""
    padded = [_with_all_columns(summary) for summary in summaries]
    table = pa.concat_tables(padded) if padded else SUMMARY_SCHEMA.empty_table()
    return _sum_by_date(table).select(SUMMARY_SCHEMA.names).cast(SUMMARY_SCHEMA).sort_by(PICKUP_DATE)


def totals(summary: pa.Table | pd.DataFrame) -> dict[str, float]:
    """The month's totals: each column of the summary (an Arrow table, or a block's output) summed over its dates."""
    if isinstance(summary, pd.DataFrame):
        return {name: summary[name].sum().item() for name in SUMMARY_SCHEMA.names[1:]}
    return {name: pc.sum(summary.column(name)).as_py() or 0 for name in SUMMARY_SCHEMA.names[1:]}


def _flags(mask: pa.Array) -> pa.Array:
    return pc.cast(pc.fill_null(mask, False), pa.int64())


def _sum_by_date(table: pa.Table) -> pa.Table:
    """Every column but the date summed per date, under its own name."""
    grouped = table.group_by(PICKUP_DATE).aggregate([(name, 'sum') for name in table.schema.names[1:]])
    return grouped.rename_columns([name.removesuffix('_sum') for name in grouped.schema.names])


def _with_all_columns(table: pa.Table) -> pa.Table:
    for field in SUMMARY_SCHEMA:
        if field.name not in table.schema.names:
            table = table.append_column(field, pa.nulls(table.num_rows, field.type).fill_null(0))
    return table.select(SUMMARY_SCHEMA.names).cast(SUMMARY_SCHEMA)
