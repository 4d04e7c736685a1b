"""Conditions on a trip's columns, declared once and rendered for either engine that runs the rules.

`arrow(batch)` evaluates a condition on an Arrow record batch (the pipelines that stream a month
through this process); `sql()` renders it as a BigQuery standard-SQL boolean expression (the
pipeline that cleans the month inside BigQuery). Both follow SQL's three-valued logic: a comparison
with NULL is NULL, AND/OR are Kleene's, so `x IS NULL OR TRIM(x) = ''` is true for a NULL x in both
engines. Callers treat NULL as false (`arrow_mask`, `sql_mask`).

Why a few dataclasses and not a library: the rules need equality, comparison, NULL tests, a value set,
a trim and AND/OR (nyc_taxi.model.rules). Ibis (12.0) compiles one expression to BigQuery SQL, but runs
it on Arrow batches only through a local backend engine (DuckDB or another), a second engine in every
pipeline run and a large dependency set beside Mage's pins; SQLGlot transpiles SQL between dialects
and has no Arrow evaluator. This file is the whole renderer; tests/unit/test_conditions.py checks the
SQL text, and the integration tests run both renderings on the same trips and compare the results.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Union

import pyarrow as pa
import pyarrow.compute as pc

Number = Union[int, float]
Value = Union[int, float, str]
_CODE_TEXT = re.compile(r'[A-Za-z0-9]*')


class Condition(Protocol):
    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        """A boolean array over the batch's rows, NULL where SQL would give NULL."""

    def sql(self) -> str:
        """The same condition in BigQuery standard SQL."""


def column_sql(name: str) -> str:
    return f'`{name}`'


def _literal(value: Value) -> str:
    if isinstance(value, str):
        # Codes such as 'HV0003' only: anything that would need escaping in SQL is refused.
        if not _CODE_TEXT.fullmatch(value):
            raise ValueError(f'{value!r}: conditions compare text with codes of letters and digits only')
        return f"'{value}'"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f'{value!r}: conditions compare columns with numbers or text only')
    return repr(value)


@dataclass(frozen=True)
class Equals:
    column: str
    value: Value

    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        return pc.equal(batch.column(self.column), self.value)

    def sql(self) -> str:
        return f'{column_sql(self.column)} = {_literal(self.value)}'


@dataclass(frozen=True)
class AtMost:
    column: str
    value: Number

    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        return pc.less_equal(batch.column(self.column), self.value)

    def sql(self) -> str:
        return f'{column_sql(self.column)} <= {_literal(self.value)}'


@dataclass(frozen=True)
class IsNull:
    column: str

    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        return pc.is_null(batch.column(self.column))

    def sql(self) -> str:
        return f'{column_sql(self.column)} IS NULL'


@dataclass(frozen=True)
class KnownAndNotIn:
    """The column holds a value, and not one of `values`."""
    column: str
    values: tuple[Value, ...]

    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        column = batch.column(self.column)
        return pc.and_kleene(pc.is_valid(column),
                             pc.invert(pc.is_in(column, pa.array(sorted(self.values), column.type))))

    def sql(self) -> str:
        values = ', '.join(_literal(value) for value in sorted(self.values))
        return f'({column_sql(self.column)} IS NOT NULL AND {column_sql(self.column)} NOT IN ({values}))'


@dataclass(frozen=True)
class Outside:
    """The column's value lies outside `allowed` (a range of integers); NULL for NULL."""
    column: str
    allowed: range

    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        column = batch.column(self.column)
        return pc.or_kleene(pc.less(column, self.allowed.start), pc.greater_equal(column, self.allowed.stop))

    def sql(self) -> str:
        column = column_sql(self.column)
        return f'({column} < {self.allowed.start} OR {column} >= {self.allowed.stop})'


@dataclass(frozen=True)
class Blank:
    """No text: NULL, or nothing but white space."""
    column: str

    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        column = batch.column(self.column)
        return pc.or_kleene(pc.is_null(column), pc.equal(pc.utf8_trim_whitespace(column), ''))

    def sql(self) -> str:
        column = column_sql(self.column)
        return f"({column} IS NULL OR TRIM({column}) = '')"


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        result = self.conditions[0].arrow(batch)
        for condition in self.conditions[1:]:
            result = pc.or_kleene(result, condition.arrow(batch))
        return result

    def sql(self) -> str:
        return '(' + ' OR '.join(condition.sql() for condition in self.conditions) + ')'


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def arrow(self, batch: pa.RecordBatch) -> pa.Array:
        result = self.conditions[0].arrow(batch)
        for condition in self.conditions[1:]:
            result = pc.and_kleene(result, condition.arrow(batch))
        return result

    def sql(self) -> str:
        return '(' + ' AND '.join(condition.sql() for condition in self.conditions) + ')'


def arrow_mask(condition: Condition, batch: pa.RecordBatch) -> pa.Array:
    """The rows the condition holds for; NULL counts as false."""
    return pc.fill_null(condition.arrow(batch), False)


def sql_mask(condition: Condition) -> str:
    """The condition as a SQL expression that is TRUE or FALSE, never NULL."""
    return f'COALESCE({condition.sql()}, FALSE)'
