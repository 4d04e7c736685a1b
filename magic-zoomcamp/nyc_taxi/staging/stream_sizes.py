"""How much of a month the streams move at once: a little memory against per-batch overhead.

The defaults keep a 7.7M-row month at about half a GB; smaller values trade speed for memory on a
small machine (and let the tests push their small files through many batches).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

CSV_BLOCK_BYTES = 'NYC_TAXI_CSV_BLOCK_BYTES'
ROWS_PER_GROUP = 'NYC_TAXI_ROWS_PER_GROUP'


@dataclass(frozen=True)
class StreamSizes:
    # pyarrow's streaming CSV reader reads several blocks ahead on its threads: 1 MB blocks parse a
    # 7.7M-row month in 3.6 s at 160 MB, 16 MB blocks in 4.9 s at 680 MB.
    csv_block_bytes: int = 1 << 20
    # Rows per parquet row group in the staged files, and so per batch handed to each writer.
    rows_per_group: int = 100_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> StreamSizes:
        values = {}
        for field, variable in (('csv_block_bytes', CSV_BLOCK_BYTES), ('rows_per_group', ROWS_PER_GROUP)):
            text = environ.get(variable)
            if text in (None, ''):
                continue
            try:
                values[field] = int(text)
            except ValueError:
                values[field] = 0
            if values[field] < 1:
                raise ValueError(f'{variable}={text!r} must be a whole number >= 1 (or unset for the default)')
        return cls(**values)
