"""Parquet in object storage: a month as one object, a month as date partitions, one day as one object.

Every writer owns an exact slice and replaces it whole. Objects are written by single uploads that
become visible only when complete, so a crash leaves either the old object or the new one.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from nyc_taxi.request import MonthRequest
from nyc_taxi.schema import TripFileSchema

MONTH_OBJECT_PREFIX = 'nyc_taxi'
PARTITIONED_PREFIX = 'nyc_taxi_data'


@dataclass(frozen=True)
class WriteResult:
    paths: tuple[str, ...]
    rows: int
    deleted: tuple[str, ...] = ()


def month_object_key(request: MonthRequest) -> str:
    return f'{MONTH_OBJECT_PREFIX}/{request.taxi_type}/{request.file_stem}.parquet'


def partitioned_root(bucket: str, taxi_type: str) -> str:
    return f'{bucket}/{PARTITIONED_PREFIX}/{taxi_type}'


def daily_object_key(day: date) -> str:
    return f'{day:%Y/%m/%d}/daily-trips.parquet'


def write_month_object(filesystem: pafs.FileSystem, bucket: str, table: pa.Table,
                       request: MonthRequest) -> WriteResult:
    """Writes the month as `nyc_taxi/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.parquet`, replacing it."""
    path = f'{bucket}/{month_object_key(request)}'
    _write_object(filesystem, table, path)
    return WriteResult((path,), table.num_rows)


def replace_month_partitions(filesystem: pafs.FileSystem, bucket: str, table: pa.Table,
                             schema: TripFileSchema, request: MonthRequest) -> WriteResult:
    """Writes the month under `nyc_taxi_data/{taxi_type}/{pickup_date}=YYYY-MM-DD/` (hive style).

    A partition holds one file per source month, named after it ({taxi_type}_tripdata_{YYYY}-{MM}-0.parquet):
    a month's file owns its files in every date it touches, including the few trips dated outside
    the month, which share their date's partition with that month's own file. A run overwrites its
    files, then deletes any file of its month that it did not write this time (dates that no longer
    have trips), and never touches another month's files.
    """
    root = partitioned_root(bucket, request.taxi_type)
    stem = request.file_stem
    written: list[str] = []
    if table.num_rows:
        pq.write_to_dataset(
            table, root, partition_cols=[schema.pickup_date], filesystem=filesystem,
            basename_template=f'{stem}-{{i}}.parquet', existing_data_behavior='overwrite_or_ignore',
            file_visitor=lambda written_file: written.append(written_file.path),
        )
    stale = [info.path for info in _files_under(filesystem, root)
             if posixpath.basename(info.path).startswith(f'{stem}-') and info.path not in written]
    for path in stale:
        filesystem.delete_file(path)
        _delete_if_empty(filesystem, posixpath.dirname(path))
    return WriteResult(tuple(sorted(written)), table.num_rows, tuple(stale))


def write_daily_object(filesystem: pafs.FileSystem, bucket: str, table: pa.Table, schema: TripFileSchema,
                       day: date) -> WriteResult:
    """Writes the trips picked up on `day` as `{YYYY}/{MM}/{DD}/daily-trips.parquet`, replacing it."""
    path = f'{bucket}/{daily_object_key(day)}'
    trips_of_day = table.filter(pc.equal(table.column(schema.pickup_date), pa.scalar(day, pa.date32())))
    _write_object(filesystem, trips_of_day, path)
    return WriteResult((path,), trips_of_day.num_rows)


def _write_object(filesystem: pafs.FileSystem, table: pa.Table, path: str) -> None:
    # Object stores need no parent directory, local filesystems do; creating it serves both.
    filesystem.create_dir(posixpath.dirname(path), recursive=True)
    pq.write_table(table, path, filesystem=filesystem)


def _files_under(filesystem: pafs.FileSystem, root: str) -> list[pafs.FileInfo]:
    selector = pafs.FileSelector(root, recursive=True, allow_not_found=True)
    return [info for info in filesystem.get_file_info(selector) if info.type == pafs.FileType.File]


def _delete_if_empty(filesystem: pafs.FileSystem, directory: str) -> None:
    # Only when no file at all is left below it: delete_dir removes everything under the prefix.
    if not _files_under(filesystem, directory):
        filesystem.delete_dir(directory)
