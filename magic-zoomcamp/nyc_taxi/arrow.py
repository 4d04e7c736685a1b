"""The clean trips as an Arrow table with the declared types: what every writer sends on."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from nyc_taxi.schema import TripFileSchema


def clean_arrow_schema(schema: TripFileSchema) -> pa.Schema:
    # Microseconds, not the source's seconds: no writer refuses a fraction of a second, and both
    # Postgres TIMESTAMP and BigQuery TIMESTAMP hold microseconds.
    return pa.schema([(name, pa.timestamp('us') if pa.types.is_timestamp(kind) else kind)
                      for name, kind in schema.clean_columns.items()])


def clean_table(trips: pd.DataFrame, schema: TripFileSchema) -> pa.Table:
    """Converts transformed trips to Arrow, refusing a frame that lacks any clean column."""
    missing = [name for name in schema.clean_columns if name not in trips.columns]
    if missing:
        raise ValueError(f'The trips lack the column(s) {", ".join(missing)}: were they transformed?')
    return pa.Table.from_pandas(trips[list(schema.clean_columns)], schema=clean_arrow_schema(schema),
                                preserve_index=False)
