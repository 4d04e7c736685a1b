"""Parquet in object storage: a month as one object, a month as date partitions, one day as one object.

Every writer owns an exact slice and replaces it whole, and takes the month as record batches, so
memory holds a batch, not the month. Objects are written by single uploads that become visible only
when complete, so a crash leaves either the old object or the new one.
"""
from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Iterator, Mapping

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import TripFileSchema
from nyc_taxi.targets.gcs_ledger import object_metadata
from nyc_taxi.targets.load_record import LoadRecord

MONTH_OBJECT_PREFIX = 'nyc_taxi'
PARTITIONED_PREFIX = 'nyc_taxi_data'
# Rows a date's file gathers before writing them as a row group. A batch of the month spreads over ~30
# dates: written as it came (pyarrow's write_dataset), each file got a row group of ~1,000 rows per 32k-row
# piece, and the writers' row-group metadata grew with the month (+430 MB for 12M rows of fhvhv's 27
# columns); write_dataset's min_rows_per_group kept whole batches alive for the dates with few trips (1.3
# GB). Gathered as copies, the dates hold at most ~30 x this many rows at once.
PARTITION_ROWS_PER_GROUP = 20_000
HIVE_NULL = '__HIVE_DEFAULT_PARTITION__'  # the folder of rows without a date, as pyarrow's hive writer names it
# Objects uploaded at once (each open GCS stream buffers 8 MiB: 8 streams, not ~90 dates' worth), in chunks of 1 MiB.
UPLOAD_STREAMS = 8
UPLOAD_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class WriteResult:
    paths: tuple[str, ...]
    rows: int
    deleted: tuple[str, ...] = ()


def month_object_key(request: MonthRequest) -> str:
    return f'{MONTH_OBJECT_PREFIX}/{request.taxi_type}/{request.file_stem}.parquet'


def partitioned_root(bucket: str, taxi_type: str) -> str:
    return f'{bucket}/{PARTITIONED_PREFIX}/{taxi_type}'


def daily_object_key(day: date, taxi_type: str) -> str:
    """`{YYYY}/{MM}/{DD}/{taxi_type}/daily-trips.parquet`: the seed's date path and name, with a folder per
    taxi type so that yellow, green, FHV and fhvhv runs of one date each keep their own object."""
    return f'{day:%Y/%m/%d}/{taxi_type}/daily-trips.parquet'


def write_month_object(filesystem: pafs.FileSystem, bucket: str, batches: Iterable[pa.RecordBatch],
                       schema: TripFileSchema, request: MonthRequest, record: LoadRecord | None = None
                       ) -> WriteResult:
    """Writes the month as `nyc_taxi/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.parquet`, replacing it, with
    `record` in its metadata (nyc_taxi.targets.gcs_ledger)."""
    path = f'{bucket}/{month_object_key(request)}'
    return WriteResult((path,), write_object(filesystem, batches, clean_arrow_schema(schema), path, record))


def replace_month_partitions(filesystem: pafs.FileSystem, bucket: str, batches: Iterable[pa.RecordBatch],
                             schema: TripFileSchema, request: MonthRequest, record: LoadRecord | None = None
                             ) -> WriteResult:
    """Writes the month under `nyc_taxi_data/{taxi_type}/{pickup_date}=YYYY-MM-DD/` (hive style).

    A partition holds one file per source month, named after it ({taxi_type}_tripdata_{YYYY}-{MM}-0.parquet):
    a month's file owns its files in every date it touches, including the few trips dated outside
    the month, which share their date's partition with that month's own file. A run overwrites its
    files, then deletes any file of its month that it did not write this time (dates that no longer
    have trips), and never touches another month's files. Rows keep their order, so the same month
    gives the same files.

    The files are written to local disk first, then each is uploaded whole: a month's rows touch ~90 dates
    (its own, and a few trips dated elsewhere), and an open object-store stream buffers 8 MiB, so writing
    them straight to the store held ~750 MB of buffers at once; and no object is ever half written. Each file
    carries `record` of the whole month in its metadata (nyc_taxi.targets.gcs_ledger).
    """
    root = partitioned_root(bucket, request.taxi_type)
    stem = request.file_stem
    written: list[str] = []
    counted = _Counted(batches)
    arrow_schema = clean_arrow_schema(schema)
    with tempfile.TemporaryDirectory(prefix='nyc_taxi_partitions_') as scratch:
        local = _write_date_files(counted, arrow_schema, schema.pickup_date, scratch, stem)
        targets = {path: f'{root}/{posixpath.relpath(path, scratch)}' for path in local}
        written_record = record.written(counted.rows) if record is not None else None
        upload_files(targets, filesystem, {
            target: object_metadata(written_record, len(local), local[path]) for path, target in targets.items()
        } if written_record is not None else None)
        written.extend(targets.values())
    stale = [info.path for info in _files_under(filesystem, root)
             if posixpath.basename(info.path).startswith(f'{stem}-') and info.path not in written]
    for path in stale:
        filesystem.delete_file(path)  # its own file only: never a prefix
        _remove_folder_if_empty(filesystem, posixpath.dirname(path))
    return WriteResult(tuple(sorted(written)), counted.rows, tuple(stale))


def write_daily_object(filesystem: pafs.FileSystem, bucket: str, batches: Iterable[pa.RecordBatch],
                       schema: TripFileSchema, day: date, record: LoadRecord | None = None) -> WriteResult:
    """Writes the trips picked up on `day` as `{YYYY}/{MM}/{DD}/{taxi_type}/daily-trips.parquet`, replacing it,
    with `record` (of the month it was taken from) in its metadata."""
    path = f'{bucket}/{daily_object_key(day, schema.taxi_type)}'
    on_day = pa.scalar(day, pa.date32())
    trips_of_day = (batch.filter(pc.equal(batch.column(schema.pickup_date), on_day)) for batch in batches)
    return WriteResult((path,), write_object(filesystem, trips_of_day, clean_arrow_schema(schema), path, record))


def _write_date_files(batches: Iterable[pa.RecordBatch], arrow_schema: pa.Schema, date_column: str, directory: str,
                      stem: str) -> dict[str, int]:
    """Writes the batches' rows under `directory/{date_column}=YYYY-MM-DD/{stem}-0.parquet` (hive style: the
    date is the folder's name, not a column), each date's rows in their order, in row groups of about
    PARTITION_ROWS_PER_GROUP rows. Returns the files' paths and rows."""
    date_index = arrow_schema.get_field_index(date_column)
    file_schema = arrow_schema.remove(date_index)
    writers: dict[str, pq.ParquetWriter] = {}
    written: dict[str, int] = {}
    pending: dict[str, list[pa.RecordBatch]] = {}
    pending_rows: dict[str, int] = {}

    def flush(folder: str) -> None:
        rows = pa.Table.from_batches(pending.pop(folder), file_schema)
        pending_rows.pop(folder)
        if folder not in writers:
            path = f'{directory}/{date_column}={folder}/{stem}-0.parquet'
            os.makedirs(posixpath.dirname(path), exist_ok=True)
            writers[folder] = pq.ParquetWriter(path, file_schema)
        writers[folder].write_table(rows, row_group_size=rows.num_rows)
        written[folder] = written.get(folder, 0) + rows.num_rows

    try:
        for batch in batches:
            dates = batch.column(date_index)
            # One sort by date (stable: rows keep their order), then each date's rows taken as a copy of their own.
            order = pc.sort_indices(dates)  # nulls last
            runs = pc.run_end_encode(dates.take(order))
            start = 0
            for day, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist()):
                folder = HIVE_NULL if day is None else day.isoformat()
                rows = batch.take(order.slice(start, end - start)).remove_column(date_index)
                pending.setdefault(folder, []).append(rows)
                pending_rows[folder] = pending_rows.get(folder, 0) + rows.num_rows
                if pending_rows[folder] >= PARTITION_ROWS_PER_GROUP:
                    flush(folder)
                start = end
        for folder in list(pending):
            flush(folder)
    finally:
        for writer in writers.values():
            writer.close()
    return {f'{directory}/{date_column}={folder}/{stem}-0.parquet': rows for folder, rows in written.items()}


class _Counted:
    """The batches, passed through, counting their rows."""

    def __init__(self, batches: Iterable[pa.RecordBatch]) -> None:
        self._batches = batches
        self.rows = 0

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        for batch in self._batches:
            self.rows += batch.num_rows
            yield batch


def write_object(filesystem: pafs.FileSystem, batches: Iterable[pa.RecordBatch], arrow_schema: pa.Schema,
                 path: str, record: LoadRecord | None = None) -> int:
    """Writes the batches to a local file, then uploads it whole, with `record` in its metadata: a stream that
    fails half-way (the source, the disk) never leaves half an object behind, since closing a GCS stream
    publishes it."""
    rows = 0
    with tempfile.TemporaryDirectory(prefix='nyc_taxi_upload_') as scratch:
        local = f'{scratch}/{posixpath.basename(path)}'
        with pq.ParquetWriter(local, arrow_schema) as writer:
            for batch in batches:
                if batch.num_rows:
                    writer.write_batch(batch)
                    rows += batch.num_rows
        upload_files({local: path}, filesystem,
                     {path: object_metadata(record.written(rows), 1, rows)} if record is not None else None)
    return rows


def upload_files(targets: dict[str, str], filesystem: pafs.FileSystem,
                 metadata: Mapping[str, Mapping[str, str]] | None = None, streams: int = UPLOAD_STREAMS) -> None:
    """Uploads each local file (a key of `targets`) whole to its path on `filesystem`, with the path's `metadata`,
    `streams` at a time. Each object appears, with its metadata, when its upload completes. Only a local filesystem gets the parent folders: pyarrow's
    copy_files creates them on an object store too, as marker objects, which a date's last file then left
    behind (and removing them by prefix could take another month's file, see _remove_folder_if_empty)."""
    local_target = isinstance(filesystem, pafs.LocalFileSystem)

    def upload(source: str, path: str) -> None:
        if local_target:
            filesystem.create_dir(posixpath.dirname(path), recursive=True)
        with open(source, 'rb') as data, filesystem.open_output_stream(
                path, metadata=(metadata or {}).get(path)) as out:
            shutil.copyfileobj(data, out, UPLOAD_CHUNK_BYTES)

    with ThreadPoolExecutor(max_workers=streams) as pool:
        for done in [pool.submit(upload, source, path) for source, path in targets.items()]:
            done.result()


def _files_under(filesystem: pafs.FileSystem, root: str) -> list[pafs.FileInfo]:
    selector = pafs.FileSelector(root, recursive=True, allow_not_found=True)
    return [info for info in filesystem.get_file_info(selector) if info.type == pafs.FileType.File]


def _remove_folder_if_empty(filesystem: pafs.FileSystem, directory: str) -> None:
    """Removes `directory` if nothing is in it, in the one way that cannot take a file another writer puts there
    meanwhile: rmdir on a local disk, which refuses a folder that is not empty. Two months share the date folders of
    their out-of-month trips and are written at once (PIPELINE_RUNS_AT_ONCE): a check that a folder is empty
    followed by a delete of its prefix once removed the file the other month had just uploaded. An object store
    has no folders to remove (the uploads create no folder markers: upload_files), so there nothing is done."""
    if not isinstance(filesystem, pafs.LocalFileSystem):
        return
    try:
        os.rmdir(directory)
    except OSError:
        pass  # not empty (another month's file), or already gone
