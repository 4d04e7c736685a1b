"""FHV months as the DataTalksClub release publishes them: `fhv/fhv_tripdata_{YYYY}-{MM}.csv.gz`.

Written like the release's files: a bare header, no quotes, empty fields for missing values, times as
`2019-01-01 00:30:00`, zone ids sometimes written as floats (`264.0`, as a pandas float column writes
them) and sometimes as integers (`264`). A real month holds up to ~23M rows (2019-01), so the file is
generated and compressed a chunk at a time into one gzip stream: memory stays flat whatever the size.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from devstack.gzip_csv import write_csv_gz
from devstack.partial_file import ensure_file
from devstack.sample_fhv import generate_fhv_trips
from devstack.sample_month import SampleMonth

HEADER = 'dispatching_base_num,pickup_datetime,dropOff_datetime,PUlocationID,DOlocationID,SR_Flag,Affiliated_base_number'
CHUNK_ROWS = 1_000_000
FLOAT_ID_SHARE = 0.5
_TIME_FORMAT = '%Y-%m-%d %H:%M:%S'


def fhv_csv_path(data_dir: Path, month: SampleMonth) -> Path:
    return data_dir / 'fhv' / f'{month.file_stem}.csv.gz'


def write_fhv_csv(path: Path, month: SampleMonth, rows: int, seed: int = 42, chunk_rows: int = CHUNK_ROWS) -> Path:
    """Writes `rows` FHV trips to `path` (gzip), `chunk_rows` at a time; same arguments, same bytes."""
    return write_csv_gz(path, HEADER, (
        _as_text(generate_fhv_trips(month, min(chunk_rows, rows - start), seed, part),
                 np.random.default_rng([seed, month.year, month.month, part, 1]))
        for part, start in enumerate(range(0, rows, chunk_rows))))


def _as_text(trips: pa.Table, rng: np.random.Generator) -> pa.Table:
    """The trips as the release's text fields; nulls stay null and are written as empty fields."""
    floats = pa.array(rng.random(len(trips)) < FLOAT_ID_SHARE)
    columns = {}
    for name, column in zip(trips.column_names, trips.columns):
        if pa.types.is_timestamp(column.type):
            column = pc.strftime(column, format=_TIME_FORMAT)
        elif name in ('PUlocationID', 'DOlocationID'):
            text = pc.cast(column, pa.string())
            column = pc.if_else(floats, pc.binary_join_element_wise(text, '.0', ''), text)
        else:
            column = pc.cast(column, pa.string())
        columns[name] = column
    return pa.table(columns)


def ensure_fhv_csv_file(data_dir: Path, month: SampleMonth, rows: int, seed: int = 42) -> Path:
    """Writes `data_dir/fhv/fhv_tripdata_{YYYY}-{MM}.csv.gz` unless it already exists."""
    return ensure_file(fhv_csv_path(data_dir, month), lambda path: write_fhv_csv(path, month, rows, seed))
