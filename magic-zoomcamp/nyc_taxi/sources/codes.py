"""Integer codes as the trip files write them: floats ("1.0", double columns) or wide integers, narrowed
to the schema's int16 codes, refusing what is not a code. Shared by every source."""
from __future__ import annotations

from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from nyc_taxi.model.schema import CODE

CODE_LIMIT = 32_767


class TripFileError(ValueError):
    """The file is not a readable trip file; the message says where and why."""


def as_code(values: pa.Array, name: str, where: Callable[[int], str]) -> pa.Array:
    """`values` (float, integer or null typed) as int16 codes; `where(row)` says where a row of them lies
    (file, line or row group) for the error that refuses a fraction or a number too large for a code."""
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), CODE)
    if pa.types.is_floating(values.type):
        fractional = pc.not_equal(values, pc.floor(values))
        if pc.any(fractional).as_py():
            row = pc.index(fractional, True).as_py()
            raise TripFileError(f'{where(row)}, column {name}: {values[row].as_py()!r} is not a whole number')
    elif not pa.types.is_integer(values.type):
        raise TripFileError(f'{where(0)}, column {name}: holds {values.type}, not integer codes')
    too_large = pc.greater(pc.abs(values), CODE_LIMIT)
    if pc.any(too_large).as_py():
        row = pc.index(too_large, True).as_py()
        raise TripFileError(f'{where(row)}, column {name}: {values[row].as_py()!r} is too large for a code '
                            f'(at most {CODE_LIMIT})')
    return pc.cast(values, CODE)
