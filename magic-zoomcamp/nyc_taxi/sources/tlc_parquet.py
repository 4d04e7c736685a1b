"""Reading the TLC's own parquet months (`{TLC_TRIP_DATA_URL}/{taxi_type}_tripdata_{YYYY}-{MM}.parquet`)
into the taxi type's staged columns, a row group at a time, whatever drift the month carries.

What drifts between months, and what becomes of it (see ../shared/NYC_DATA_NOTES.md):
- spelling: `Airport_fee` in some months, `airport_fee` in others: columns match by name, ignoring case;
- codes as double in some months, int32/int64 in others: narrowed to the schema's int16 codes (and
  fhvhv's trip_time to int32 seconds), refusing a fraction or an out-of-range number and naming the
  column and row group;
- columns that hold no value typed `null`: nulls of the declared type;
- timestamps in ns or us: the declared unit;
- columns newer than the month (cbd_congestion_fee before 2025): nulls.
A required column missing (the 2009-2010 layout has coordinates, not zone ids) or a column no schema
declares is refused before any row is read.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nyc_taxi.model.schema import TripFileSchema
from nyc_taxi.sources.codes import TripFileError, as_whole_numbers

PARQUET_MAGIC = b'PAR1'
BATCH_ROWS = 65_536
# Columns of the TLC's first layouts (yellow 2009-2010), which located trips by coordinates.
_COORDINATE_COLUMNS = {'start_lon', 'pickup_longitude'}


def tlc_batches(path: Path, schema: TripFileSchema, source: str | None = None) -> Iterator[pa.RecordBatch]:
    """Streams the parquet file at `path` as record batches of the schema's staged columns and types, one
    row group at a time, in slices. Errors are TripFileErrors naming `source` (the URL); batches before an
    error were already yielded, so a consumer must not commit them before the stream ends."""
    source = source or str(path)
    parquet = _open(path, source)
    columns = _staged_name_of_each_column(parquet.schema_arrow, schema, source)
    staged = schema.staged_arrow_schema
    first_row = 0
    for group in range(parquet.num_row_groups):
        # The TLC writes row groups of ~1M rows: read in slices of BATCH_ROWS, one group at a time and on
        # this thread (no read-ahead), or a group and its conversions cost ~0.5 GB.
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], columns=list(columns),
                                          use_threads=False):
            where = _where(source, group, first_row)
            arrays = {columns[name]: batch.column(name) for name in batch.schema.names}
            yield pa.RecordBatch.from_arrays(
                [_as_type(arrays[name], kind, name, where) if name in arrays else pa.nulls(batch.num_rows, kind)
                 for name, kind in schema.staged_columns.items()], schema=staged)
            first_row += batch.num_rows


def _open(path: Path, source: str) -> pq.ParquetFile:
    with open(path, 'rb') as file:
        start = file.read(4)
    if start != PARQUET_MAGIC:
        raise TripFileError(f'{source} is not a parquet file (it starts with {start!r}); expected the TLC\'s '
                            '.parquet (check TLC_TRIP_DATA_URL and the source variable)')
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise TripFileError(f'{source} is not a readable parquet file ({error}): the download was cut off or '
                            'the file is damaged') from error


def _staged_name_of_each_column(file_schema: pa.Schema, schema: TripFileSchema, source: str) -> dict[str, str]:
    """{file column: staged column}, matched ignoring case; refuses missing, unknown and doubled columns."""
    by_lower = {name.lower(): name for name in schema.staged_columns}
    matched = {name: by_lower[name.lower()] for name in file_schema.names if name.lower() in by_lower}
    missing = [name for name in schema.required_in_tlc if name not in matched.values()]
    if missing:
        old_layout = (' It is the TLC\'s first layout (2009-2010), with coordinates instead of zone ids, which '
                      'this project does not load: zone-based months start in 2011.'
                      if _COORDINATE_COLUMNS & {name.lower() for name in file_schema.names} else '')
        raise TripFileError(f'{source} lacks the column(s) {", ".join(missing)} of {schema.taxi_type} trips '
                            f'(it has {", ".join(file_schema.names)}).{old_layout}')
    unknown = [name for name in file_schema.names if name not in matched]
    if unknown:
        raise TripFileError(schema.unknown_columns_message(source, unknown))
    staged = list(matched.values())
    doubled = sorted({name for name in staged if staged.count(name) > 1})
    if doubled:
        raise TripFileError(f'{source} has {", ".join(doubled)} more than once (spelled '
                            f'{", ".join(name for name in matched if matched[name] in doubled)})')
    return matched


def _where(source: str, group: int, first_row: int):
    return lambda row: f'{source}, row group {group} (row {first_row + row + 1} of the file)'


def _as_type(values: pa.Array, kind: pa.DataType, name: str, where) -> pa.Array:
    if pa.types.is_integer(kind):
        return as_whole_numbers(values, kind, name, where)
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), kind)
    if pa.types.is_timestamp(kind):
        if not pa.types.is_timestamp(values.type):
            raise TripFileError(f'{where(0)}, column {name}: holds {values.type}, not timestamps')
        # Whole seconds in every month; a fraction, if one came, is not worth refusing a month for.
        return pc.cast(values, options=pc.CastOptions(kind, allow_time_truncate=True))
    try:
        return pc.cast(values, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise TripFileError(f'{where(0)}, column {name}: holds {values.type}, which cannot be read as {kind} '
                            f'({error})') from error
