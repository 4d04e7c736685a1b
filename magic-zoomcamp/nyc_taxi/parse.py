"""Reading a gzipped trip CSV into a typed DataFrame, with errors that name the file, line and column."""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv

from nyc_taxi.schema import CODE, NUMBER, TripFileSchema

GZIP_MAGIC = b'\x1f\x8b'
HEADER_LINES = 1
CODE_LIMIT = 32_767


class TripFileError(ValueError):
    """The file is not a readable trip file; the message says where and why."""


def read_trip_file(path: Path, schema: TripFileSchema, source: str | None = None) -> pd.DataFrame:
    """Parses the gzipped CSV at `path` into the schema's columns and dtypes.

    Integer codes become nullable Int16 (written as "1.0" in the release files, so read as float and
    narrowed; a fraction is an error). Datetimes become datetime64[ns], empty fields become nulls,
    columns the schema does not know are ignored. `source` (the URL) names the file in errors.
    """
    source = source or str(path)
    _check_gzip(path, source)
    header = _read_header(path, source)
    missing = [name for name in schema.source_columns if name not in header]
    if missing:
        raise TripFileError(
            f'{source}: header lacks the column(s) {", ".join(missing)} expected for {schema.taxi_type} '
            f'trips (header: {", ".join(header)})'
        )
    table = _read_table(path, schema, source)
    table = _narrow_integers(table, schema, source)
    # self_destruct frees each Arrow column as soon as it is converted: the peak is one frame, not two.
    return table.to_pandas(types_mapper=_nullable_integers, coerce_temporal_nanoseconds=True, split_blocks=True,
                           self_destruct=True)


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


def _arrow_read_types(schema: TripFileSchema) -> dict[str, pa.DataType]:
    return {name: NUMBER if kind == CODE else kind for name, kind in schema.source_columns.items()}


def _read_table(path: Path, schema: TripFileSchema, source: str,
                column_types: dict[str, pa.DataType] | None = None, use_threads: bool = True) -> pa.Table:
    column_types = column_types or _arrow_read_types(schema)
    bad_rows: list[csv.InvalidRow] = []

    def remember_bad_row(row: csv.InvalidRow) -> str:
        bad_rows.append(row)
        return 'error'

    try:
        with pa.input_stream(str(path), compression='gzip') as stream:
            return csv.read_csv(
                stream,
                read_options=csv.ReadOptions(use_threads=use_threads),
                parse_options=csv.ParseOptions(invalid_row_handler=remember_bad_row),
                convert_options=csv.ConvertOptions(
                    column_types=column_types,
                    include_columns=list(column_types),
                    strings_can_be_null=True,
                ),
            )
    except OSError as error:
        raise TripFileError(f'{source} is not a complete gzip stream ({error}): the download was cut off '
                            'or the file is damaged') from error
    except pa.ArrowInvalid as error:
        if bad_rows:
            row = bad_rows[0]
            if row.number is None and use_threads:
                # Only a single-threaded read numbers the rows: read again to say which line.
                return _read_table(path, schema, source, column_types, use_threads=False)
            where = f'line {row.number}' if row.number is not None else 'a row'
            raise TripFileError(
                f'{source}, {where}: expected {row.expected_columns} fields, found {row.actual_columns}: '
                f'{row.text[:200]!r}'
            ) from error
        if column_types and all(kind == pa.string() for kind in column_types.values()):
            raise TripFileError(f'{source}: {error}') from error
        raise _locate_conversion_error(path, schema, source, error) from error


def _locate_conversion_error(path: Path, schema: TripFileSchema, source: str,
                             error: pa.ArrowInvalid) -> TripFileError:
    """Re-reads the file as text to find the first value that does not parse, for the error message."""
    as_text = _read_table(path, schema, source, {name: pa.string() for name in schema.source_columns})
    for name, kind in _arrow_read_types(schema).items():
        column = as_text.column(name)
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
                return TripFileError(
                    f'{source}, line {index + 1 + HEADER_LINES}, column {name}: cannot read {value!r} as {kind}'
                )
    return TripFileError(f'{source}: {error}')


def _narrow_integers(table: pa.Table, schema: TripFileSchema, source: str) -> pa.Table:
    for name in schema.code_columns:
        index = table.schema.get_field_index(name)
        values = table.column(index)
        fractional = pc.not_equal(values, pc.floor(values))
        if pc.any(fractional).as_py():
            row = pc.index(fractional, True).as_py()
            raise TripFileError(
                f'{source}, line {row + 1 + HEADER_LINES}, column {name}: {values[row].as_py()!r} is not '
                'a whole number'
            )
        too_large = pc.greater(pc.abs(values), CODE_LIMIT)
        if pc.any(too_large).as_py():
            row = pc.index(too_large, True).as_py()
            raise TripFileError(
                f'{source}, line {row + 1 + HEADER_LINES}, column {name}: {values[row].as_py()!r} is too large '
                f'for a code (at most {CODE_LIMIT})'
            )
        narrowed = pc.cast(values, CODE)
        table = table.set_column(index, name, narrowed)
    return table


def _nullable_integers(kind: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    return pd.Int16Dtype() if kind == CODE else None
