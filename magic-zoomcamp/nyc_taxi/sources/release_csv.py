"""Reading a gzipped trip CSV as typed Arrow batches (or one DataFrame), with errors that name the file, line
and column."""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv
from isal import igzip, isal_zlib

from nyc_taxi.model.schema import CODE, NUMBER, SECONDS, TripFileSchema
from nyc_taxi.sources.codes import TripFileError, as_whole_numbers
from nyc_taxi.staging.stream_sizes import StreamSizes

GZIP_MAGIC = b'\x1f\x8b'
HEADER_LINES = 1
DEFAULT_BLOCK_SIZE = StreamSizes().csv_block_bytes


def read_trip_file(path: Path, schema: TripFileSchema, source: str | None = None) -> pd.DataFrame:
    """Parses the gzipped CSV at `path` into the schema's columns and dtypes, as one DataFrame.

    Integer codes become nullable Int16, datetimes datetime64[ns], empty fields nulls; see trip_batches.
    """
    table = pa.Table.from_batches(list(trip_batches(path, schema, source)), schema=schema.staged_arrow_schema)
    # self_destruct frees each Arrow column as soon as it is converted: the peak is one frame, not two.
    return table.to_pandas(types_mapper=_nullable_integers, coerce_temporal_nanoseconds=True, split_blocks=True,
                           self_destruct=True)


def trip_batches(path: Path, schema: TripFileSchema, source: str | None = None,
                 block_size: int = DEFAULT_BLOCK_SIZE) -> Iterator[pa.RecordBatch]:
    """Streams the gzipped CSV at `path` as record batches of the schema's columns and types.

    About `block_size` bytes of CSV a batch, so memory does not grow with the file. Integer codes are
    written as "1.0" in the release files: read as float and narrowed to int16, refusing a fraction.
    The schema's later columns (which the release's months predate) come as nulls. A column the schema
    does not know is refused (nyc_taxi.model.schema: a new column is declared, not guessed). Any problem
    is a TripFileError naming `source` (the URL) and, where it lies in a row, the line and column;
    batches before it were already yielded, so a consumer must not commit them before the stream ends.
    """
    source = source or str(path)
    _check_gzip(path, source)
    header = _read_header(path, source)
    missing = [name for name in schema.required_in_release if name not in header]
    if missing:
        raise TripFileError(
            f'{source}: header lacks the column(s) {", ".join(missing)} expected for {schema.taxi_type} '
            f'trips (header: {", ".join(header)})'
        )
    unknown = [name for name in header if name not in schema.staged_columns]
    if unknown:
        raise TripFileError(schema.unknown_columns_message(source, unknown))
    first_line = HEADER_LINES + 1
    staged = schema.staged_arrow_schema
    read_types = _arrow_read_types(schema, header)
    for batch in _raw_batches(path, schema, source, read_types, block_size):
        batch = _narrow_integers(batch, schema, source, first_line)
        first_line += batch.num_rows
        yield pa.RecordBatch.from_arrays(
            [batch.column(name) if name in read_types else pa.nulls(batch.num_rows, kind)
             for name, kind in schema.staged_columns.items()], schema=staged)



def _check_gzip(path: Path, source: str) -> None:
    with open(path, 'rb') as file:
        start = file.read(2)
    if start != GZIP_MAGIC:
        raise TripFileError(f'{source} is not a gzip file (it starts with {start!r}); expected a .csv.gz')


def _read_header(path: Path, source: str) -> list[str]:
    try:
        with gzip.open(path, 'rt', encoding='utf-8', newline='') as file:
            first_line = file.readline()
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise TripFileError(f'{source}: cannot read the header: {error}') from error
    if not first_line.strip():
        raise TripFileError(f'{source} is empty: no CSV header')
    return [name.strip().strip('"') for name in first_line.rstrip('\r\n').split(',')]


def _arrow_read_types(schema: TripFileSchema, header: list[str]) -> dict[str, pa.DataType]:
    """The type to read each column of the file as: integers as floats, to be narrowed."""
    return {name: NUMBER if pa.types.is_integer(kind) else kind for name, kind in schema.staged_columns.items()
            if name in header}


def _raw_batches(path: Path, schema: TripFileSchema, source: str, column_types: dict[str, pa.DataType],
                 block_size: int, use_threads: bool = True) -> Iterator[pa.RecordBatch]:
    bad_rows: list[csv.InvalidRow] = []

    def remember_bad_row(row: csv.InvalidRow) -> str:
        bad_rows.append(row)
        return 'error'

    # ISA-L inflates ~3x faster than the zlib inside pyarrow's gzip stream (0.9 s of CPU instead of 3.1 s for a
    # 7.7M-row month); pyarrow's reader pulls the inflated bytes through the file object.
    with igzip.open(path, 'rb') as inflated, pa.PythonFile(inflated, mode='r') as stream:
        try:
            reader = csv.open_csv(
                stream,
                read_options=csv.ReadOptions(use_threads=use_threads, block_size=block_size),
                parse_options=csv.ParseOptions(invalid_row_handler=remember_bad_row),
                convert_options=csv.ConvertOptions(
                    column_types=column_types,
                    include_columns=list(column_types),
                    strings_can_be_null=True,
                ),
            )
            for batch in reader:
                yield batch
        except (OSError, EOFError, isal_zlib.error) as error:
            raise TripFileError(f'{source} is not a complete gzip stream ({error}): the download was cut off '
                                'or the file is damaged') from error
        except pa.ArrowInvalid as error:
            if bad_rows:
                row = bad_rows[0]
                if row.number is None and use_threads:
                    # Only a single-threaded read numbers the rows: read again to say which line.
                    for _ in _raw_batches(path, schema, source, column_types, block_size, use_threads=False):
                        pass
                where = f'line {row.number}' if row.number is not None else 'a row'
                raise TripFileError(
                    f'{source}, {where}: expected {row.expected_columns} fields, found {row.actual_columns}: '
                    f'{row.text[:200]!r}'
                ) from error
            if all(kind == pa.string() for kind in column_types.values()):
                raise TripFileError(f'{source}: {error}') from error
            raise _locate_conversion_error(path, schema, source, error, block_size, column_types) from error


def _locate_conversion_error(path: Path, schema: TripFileSchema, source: str, error: pa.ArrowInvalid,
                             block_size: int, column_types: dict[str, pa.DataType]) -> TripFileError:
    """Re-reads the file as text, a batch at a time, to find the first value that does not parse."""
    line = HEADER_LINES + 1
    as_text = {name: pa.string() for name in column_types}
    for batch in _raw_batches(path, schema, source, as_text, block_size):
        for name, kind in column_types.items():
            column = batch.column(name)
            try:
                pc.cast(column, kind)
                continue
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
            for index, value in enumerate(column.to_pylist()):
                if value is None:
                    continue
                try:
                    pc.cast(pa.array([value]), kind)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    return TripFileError(f'{source}, line {line + index}, column {name}: cannot read {value!r} '
                                         f'as {kind}')
        line += batch.num_rows
    return TripFileError(f'{source}: {error}')


def _narrow_integers(batch: pa.RecordBatch, schema: TripFileSchema, source: str,
                     first_line: int) -> pa.RecordBatch:
    """The batch with its integer columns narrowed (codes int16, seconds int32); `first_line` is the file
    line of its first row."""
    for name, kind in schema.integer_columns.items():
        if name not in batch.schema.names:
            continue
        index = batch.schema.get_field_index(name)
        batch = batch.set_column(index, name, as_whole_numbers(batch.column(index), kind, name,
                                                               lambda row: f'{source}, line {first_line + row}'))
    return batch


def _nullable_integers(kind: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    return {CODE: pd.Int16Dtype(), SECONDS: pd.Int32Dtype()}.get(kind)
