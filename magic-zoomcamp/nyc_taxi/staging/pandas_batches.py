"""Staged trips through a pandas function, a batch at a time, into a new staged file.

What a user's own block does to the trips (the homework's `trips[trips['passenger_count'] > 0]`, a new
column) runs on one staged batch at a time as a DataFrame, so memory stays at a batch whatever the
month's size. Columns the function keeps get their staged Arrow type back (pandas turns an int column
with nulls into floats); new columns take the type pandas gives them in the first batch.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa

from nyc_taxi.staging.stage_files import stage_writer
from nyc_taxi.staging.staged_trips import StagedTrips

TripsFunction = Callable[[pd.DataFrame], pd.DataFrame]


def write_mapped_trips(trips: StagedTrips, function: TripsFunction, path: Path) -> int:
    """Writes `function` applied to each batch of `trips` to the staged file `path`; returns its rows."""
    source_schema = trips.schema()
    writer: pa.ipc.RecordBatchFileWriter | None = None
    written_schema = source_schema
    rows = 0
    try:
        for index, batch in enumerate(trips.batches()):
            result = function(batch.to_pandas())
            if not isinstance(result, pd.DataFrame):
                raise TypeError(f'The function given to map_trips returned {type(result).__name__} for batch {index} '
                                f'of {trips.what}: it must return a DataFrame of trips')
            table = _as_arrow(result, written_schema, index, trips)
            if writer is None:
                written_schema = table.schema
                writer = stage_writer(path, written_schema)
            writer.write_table(table)
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    if writer is None:  # no batches at all: an empty file of the source's columns
        stage_writer(path, source_schema).close()
    return rows


def _as_arrow(frame: pd.DataFrame, schema: pa.Schema, index: int, trips: StagedTrips) -> pa.Table:
    """The batch's result with the types of `schema`: the staged columns' for the first batch (plus what
    pandas infers for new columns), the first result's for every later one."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if index > 0 and table.column_names != schema.names:
        raise ValueError(f'Batch {index} of {trips.what} after the map_trips function has the columns '
                         f'{table.column_names}, the batches before it {schema.names}: return the same columns '
                         'for every batch')
    target = pa.schema([schema.field(field.name).with_nullable(True) if field.name in schema.names else field
                        for field in table.schema])
    try:
        return table.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ValueError(f'Batch {index} of {trips.what} after the map_trips function does not fit the types '
                         f'{target}: {error}') from error
