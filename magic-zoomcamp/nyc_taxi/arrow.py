"""The clean trips as an Arrow table with the declared types: what every writer sends on."""
from __future__ import annotations

from typing import Iterator

import pandas as pd
import pyarrow as pa

from nyc_taxi.schema import TripFileSchema


def clean_arrow_schema(schema: TripFileSchema) -> pa.Schema:
    # Microseconds, not the source's seconds: no writer refuses a fraction of a second, and both
    # Postgres TIMESTAMP and BigQuery TIMESTAMP hold microseconds.
    return pa.schema([(name, pa.timestamp('us') if pa.types.is_timestamp(kind) else kind)
                      for name, kind in schema.clean_columns.items()])


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
