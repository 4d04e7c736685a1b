"""What a month holds, per pickup date: the small table a block hands on and the UI shows under it.

Built a batch at a time while the month streams through the transform, so it covers every row,
never a sample: rows in, rows dropped by each rule, trips kept, the taxi type's counts and sums,
and how many kept rows break a rule the `@test`s check (which must be none). Its columns follow
from the taxi type's rules (nyc_taxi.model.rules).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nyc_taxi.model.rules import evaluate, rules_for
from nyc_taxi.model.schema import TripFileSchema

PICKUP_DATE = 'pickup_date'


@lru_cache(maxsize=None)
def summary_schema(taxi_type: str) -> pa.Schema:
    """pickup_date, rows_in, the drops, trips, the counts, the violations (int64), the sums (float64), then
    the violations' examples (string: the smallest breaking value of the date)."""
    rules = rules_for(taxi_type)
    counts = ('rows_in', *rules.drop_names, 'trips', *(rule.name for rule in rules.counts),
              *(rule.name for rule in rules.violations))
    return pa.schema([(PICKUP_DATE, pa.date32()), *((name, pa.int64()) for name in counts),
                      *((name, pa.float64()) for name in rules.sums),
                      *((rule.example_name, pa.string()) for rule in rules.examples)])


def violation_names(taxi_type: str) -> tuple[str, ...]:
    return tuple(rule.name for rule in rules_for(taxi_type).violations)


def examples(summary: pd.DataFrame, rule) -> list[str]:
    """The values that broke `rule` on any date of a block's summary, sorted ([] when it keeps none)."""
    if not rule.example or rule.example_name not in summary.columns:
        return []
    return sorted(set(summary[rule.example_name].dropna()))


def summarize_batch(source_dates: pa.Array, drops: Mapping[str, pa.Array], clean: pa.RecordBatch,
                    schema: TripFileSchema) -> pa.Table:
    """Per pickup date: the batch's rows, its drops by rule (boolean masks over the source rows), and
    its kept trips with their counts, sums and rule violations."""
    rules = rules_for(schema.taxi_type)
    source = pa.table({PICKUP_DATE: source_dates, 'rows_in': _ones(len(source_dates)),
                       **{name: pc.cast(mask, pa.int64()) for name, mask in drops.items()}})
    kept = pa.table({
        PICKUP_DATE: clean.column(schema.pickup_date),
        'trips': _ones(clean.num_rows),
        **{rule.name: pc.cast(evaluate(rule, clean), pa.int64()) for rule in rules.counts + rules.violations},
        **{name: clean.column(name) for name in rules.sums},
        **{rule.example_name: pc.if_else(evaluate(rule, clean), clean.column(rule.example), None)
           for rule in rules.examples},
    })
    return combine([_sum_by_date(source), _sum_by_date(kept)], schema.taxi_type)


def combine(summaries: list[pa.Table], taxi_type: str) -> pa.Table:
    """One row per pickup date, in date order, summed over the given summaries (of any of the columns)."""
    target = summary_schema(taxi_type)
    padded = [_with_all_columns(summary, target) for summary in summaries]
    table = pa.concat_tables(padded) if padded else target.empty_table()
    return _sum_by_date(table).select(target.names).cast(target).sort_by(PICKUP_DATE)


def totals(summary: pa.Table | pd.DataFrame) -> dict[str, float]:
    """The month's totals: each number column of the summary (an Arrow table, or a block's output) summed over its dates."""
    if isinstance(summary, pd.DataFrame):
        return {name: summary[name].sum().item() for name in summary.columns
                if name != PICKUP_DATE and pd.api.types.is_numeric_dtype(summary[name])}
    return {field.name: pc.sum(summary.column(field.name)).as_py() or 0 for field in summary.schema
            if field.name != PICKUP_DATE and (pa.types.is_integer(field.type) or pa.types.is_floating(field.type))}


def _sum_by_date(table: pa.Table) -> pa.Table:
    """Every number column but the date summed per date, and the smallest of every text column, under its own
    name."""
    grouped = table.group_by(PICKUP_DATE).aggregate(
        [(field.name, 'min' if pa.types.is_string(field.type) else 'sum') for field in table.schema][1:])
    return grouped.rename_columns([name.removesuffix('_sum').removesuffix('_min') for name in grouped.schema.names])


def _with_all_columns(table: pa.Table, target: pa.Schema) -> pa.Table:
    for field in target:
        if field.name not in table.schema.names:
            empty = pa.nulls(table.num_rows, field.type)
            table = table.append_column(field, empty if pa.types.is_string(field.type) else empty.fill_null(0))
    return table.select(target.names).cast(target)


def _ones(rows: int) -> pa.Array:
    """A count of 1 per row, made in Arrow (0.2 ms for 100k rows; from a Python list, 3 ms)."""
    return pa.repeat(pa.scalar(1, pa.int64()), rows)
