"""Integers as the trip files write them: floats ("1.0", double columns) or wide integers, narrowed to
the schema's int16 codes (or int32 seconds), refusing a fraction or a number too large. Shared by every
source."""
from __future__ import annotations

from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from nyc_taxi.model.schema import CODE

CODE_LIMIT = 32_767
_LIMITS = {pa.int16(): CODE_LIMIT, pa.int32(): 2_147_483_647}


class TripFileError(ValueError):
    """The file is not a readable trip file; the message says where and why."""


def as_code(values: pa.Array, name: str, where: Callable[[int], str]) -> pa.Array:
    """`values` (float, integer or null typed) as int16 codes; `where(row)` says where a row of them lies
    (file, line or row group) for the error that refuses a fraction or a number too large for a code."""
    return as_whole_numbers(values, CODE, name, where)


def as_whole_numbers(values: pa.Array, kind: pa.DataType, name: str, where: Callable[[int], str]) -> pa.Array:
    """`values` (float, integer or null typed) as `kind` (int16 or int32), refusing a fraction or a number
    outside `kind`'s range with an error that names the column and `where(row)`."""
    limit = _LIMITS[kind]
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), kind)
    if pa.types.is_floating(values.type):
        fractional = pc.not_equal(values, pc.floor(values))
        if pc.any(fractional).as_py():
            row = pc.index(fractional, True).as_py()
            raise TripFileError(f'{where(row)}, column {name}: {values[row].as_py()!r} is not a whole number')
    elif not pa.types.is_integer(values.type):
        raise TripFileError(f'{where(0)}, column {name}: holds {values.type}, not integer codes')
    too_large = pc.greater(pc.abs(values), limit)
    if pc.any(too_large).as_py():
        row = pc.index(too_large, True).as_py()
        what = 'a code' if kind == CODE else f'column {name} ({kind})'
        raise TripFileError(f'{where(row)}, column {name}: {values[row].as_py()!r} is too large for {what} '
                            f'(at most {limit})')
    return pc.cast(values, kind)
