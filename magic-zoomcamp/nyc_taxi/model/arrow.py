"""The clean trips as an Arrow table with the declared types: what every writer sends on."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import pandas as pd
import pyarrow as pa

from nyc_taxi.model.schema import TripFileSchema, schema_for


def clean_arrow_schema(schema: TripFileSchema) -> pa.Schema:
    """The clean columns' Arrow types, with pandas metadata so that pandas reads the parquet files the
    pipelines write with nullable integer codes (Int16), not floats."""
    return _clean_arrow_schema(schema.taxi_type)


@lru_cache(maxsize=None)
def _clean_arrow_schema(taxi_type: str) -> pa.Schema:
    # Microseconds, not the source's seconds: no writer refuses a fraction of a second, and both
    # Postgres TIMESTAMP and BigQuery TIMESTAMP hold microseconds.
    arrow = pa.schema([(name, pa.timestamp('us') if pa.types.is_timestamp(kind) else kind)
                       for name, kind in schema_for(taxi_type).clean_columns.items()])
    dtypes = {field.name: f'Int{field.type.bit_width}' if pa.types.is_integer(field.type) else 'float64' if pa.types.is_floating(field.type)
              else 'datetime64[ns]' if pa.types.is_timestamp(field.type) else object for field in arrow}
    empty = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})
    return arrow.with_metadata(pa.Table.from_pandas(empty, schema=arrow, preserve_index=False).schema.metadata)


def check_clean_columns(trips: pd.DataFrame, schema: TripFileSchema) -> None:
    """Raises ValueError naming every clean column the frame lacks."""
    missing = [name for name in schema.clean_columns if name not in trips.columns]
    if missing:
        raise ValueError(f'The trips lack the column(s) {", ".join(missing)}: were they transformed?')


# from_pandas with a schema takes exactly the schema's columns, in its order, and ignores the
# others: no trips[columns] selection, which would copy the whole frame first.

def clean_table(trips: pd.DataFrame, schema: TripFileSchema) -> pa.Table:
    """Converts transformed trips to Arrow, refusing a frame that lacks any clean column."""
    check_clean_columns(trips, schema)
    return pa.Table.from_pandas(trips, schema=clean_arrow_schema(schema), preserve_index=False)


def clean_batches(trips: pd.DataFrame, schema: TripFileSchema, rows_per_batch: int) -> Iterator[pa.RecordBatch]:
    """The same as clean_table, a slice at a time: only one batch's copy is alive at once."""
    check_clean_columns(trips, schema)
    arrow_schema = clean_arrow_schema(schema)
    for start in range(0, len(trips), rows_per_batch):
        yield pa.RecordBatch.from_pandas(trips.iloc[start:start + rows_per_batch], schema=arrow_schema,
                                         preserve_index=False)
