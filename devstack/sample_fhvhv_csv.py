"""fhvhv months as the DataTalksClub release publishes them: `fhvhv/fhvhv_tripdata_{YYYY}-{MM}.csv.gz`.

The release kept the TLC's pre-2022 CSV layout: 7 columns, a bare header, no quotes, empty fields for
missing values, times as `2021-01-01 00:30:00`, zone ids as integers, SR_Flag `1` on shared-ride requests
and empty on the others. The values are those of the parquet months' generator (same licences, bases,
zones and times). A real month holds ~12-24M rows (2021-01: 11.9M), so the file is generated and
compressed a chunk at a time into one gzip stream: memory stays flat whatever the size.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from devstack.gzip_csv import write_csv_gz
from devstack.partial_file import ensure_file
from devstack.sample_fhvhv import generate_fhvhv_trips
from devstack.sample_month import SampleMonth

HEADER = 'hvfhs_license_num,dispatching_base_num,pickup_datetime,dropoff_datetime,PULocationID,DOLocationID,SR_Flag'
CHUNK_ROWS = 1_000_000
_COLUMNS = ('hvfhs_license_num', 'dispatching_base_num', 'pickup_datetime', 'dropoff_datetime',
            'PULocationID', 'DOLocationID')


def fhvhv_csv_path(data_dir: Path, month: SampleMonth) -> Path:
    return data_dir / 'fhvhv' / f'{month.file_stem}.csv.gz'


def write_fhvhv_csv(path: Path, month: SampleMonth, rows: int, seed: int = 42,
                    chunk_rows: int = CHUNK_ROWS) -> Path:
    """Writes `rows` fhvhv trips to `path` (gzip), `chunk_rows` at a time; same arguments, same bytes."""
    return write_csv_gz(path, HEADER, (_as_text(generate_fhvhv_trips(month, min(chunk_rows, rows - start), seed, part))
                                       for part, start in enumerate(range(0, rows, chunk_rows))))


def _as_text(trips: pa.Table) -> pa.Table:
    """The release's 7 columns as text; SR_Flag `1` where a shared ride was requested, else null (empty)."""
    columns = {}
    for name in _COLUMNS:
        column = trips[name]
        if pa.types.is_timestamp(column.type):
            # Whole seconds cast to text read `2021-01-01 00:30:00`: strftime's text, ~25x faster.
            column = column.cast(pa.timestamp('s'))
        columns[name] = pc.cast(column, pa.string())
    shared = pc.equal(trips['shared_request_flag'], 'Y')
    columns['SR_Flag'] = pc.if_else(shared, pa.scalar('1'), pa.scalar(None, pa.string()))
    return pa.table(columns)


def ensure_fhvhv_csv_file(data_dir: Path, month: SampleMonth, rows: int, seed: int = 42) -> Path:
    """Writes `data_dir/fhvhv/fhvhv_tripdata_{YYYY}-{MM}.csv.gz` unless it already exists."""
    return ensure_file(fhvhv_csv_path(data_dir, month), lambda path: write_fhvhv_csv(path, month, rows, seed))
