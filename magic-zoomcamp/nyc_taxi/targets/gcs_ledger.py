"""The ledger of the parquet objects in GCS: each object's custom metadata holds the LoadRecord of the month it
was written from.

An object's metadata is written with the object, in the one upload that publishes it, so the two never part: an
object replaced by anything else (by hand, by a writer of another's) has no record, and its month loads again.

Contract, per object (metadata keys):
- `nyc-taxi-load`: the JSON of the month's LoadRecord; its `rows` are the month's, in all its objects;
- `nyc-taxi-files`: how many objects the month was written as (1, or its date files in the partitioned dataset);
- `nyc-taxi-object-rows`: the rows in this object.
A month is held as recorded when every one of its objects carries the same record and there are as many as it
says. A local filesystem (GCS_BUCKET as a folder) keeps no metadata: there every month loads again.
"""
from __future__ import annotations

import posixpath
from concurrent.futures import ThreadPoolExecutor

import pyarrow.fs as pafs

from nyc_taxi.targets.load_record import LoadRecord

RECORD_KEY = 'nyc-taxi-load'
FILES_KEY = 'nyc-taxi-files'
OBJECT_ROWS_KEY = 'nyc-taxi-object-rows'
# Metadata reads at once: one request each.
READS_AT_ONCE = 8


def object_metadata(written: LoadRecord, files: int, object_rows: int) -> dict[str, str]:
    """The metadata an object of a month is uploaded with; `written`: the month's record as written
    (LoadRecord.written, once for all its objects)."""
    return {RECORD_KEY: written.to_json(), FILES_KEY: str(files), OBJECT_ROWS_KEY: str(object_rows)}


def month_held(filesystem: pafs.FileSystem, paths: list[str]) -> tuple[LoadRecord | None, int | None]:
    """The month's record and rows, from the metadata of the objects it is written as (`paths`: those there
    are now); (None, None) when there are none; no record when they do not all carry the same one."""
    if not paths:
        return None, None
    with ThreadPoolExecutor(max_workers=READS_AT_ONCE) as pool:
        metadata = list(pool.map(lambda path: _metadata(filesystem, path), paths))
    rows = sum(int(found.get(OBJECT_ROWS_KEY) or 0) for found in metadata)
    records = {found.get(RECORD_KEY) for found in metadata}
    files = {found.get(FILES_KEY) for found in metadata}
    if len(records) != 1 or files != {str(len(paths))}:
        return None, rows
    return LoadRecord.from_json(records.pop()), rows


def _metadata(filesystem: pafs.FileSystem, path: str) -> dict[str, str]:
    """An object's custom metadata (pyarrow names it `metadata.<key>`); {} for an object that is gone."""
    try:
        with filesystem.open_input_stream(path) as stream:
            found = stream.metadata()
    except FileNotFoundError:
        return {}
    text = {_text(key): _text(value) for key, value in found.items()}
    return {key.removeprefix('metadata.'): value for key, value in text.items() if key.startswith('metadata.')}


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def month_files(filesystem: pafs.FileSystem, root: str, stem: str) -> list[str]:
    """The objects under `root` (a partitioned dataset) that a month's file named `stem` was written as."""
    selector = pafs.FileSelector(root, recursive=True, allow_not_found=True)
    return sorted(info.path for info in filesystem.get_file_info(selector)
                  if info.type == pafs.FileType.File and posixpath.basename(info.path).startswith(f'{stem}-'))


def existing(filesystem: pafs.FileSystem, path: str) -> list[str]:
    """[path] if the object is there, else []."""
    return [path] if filesystem.get_file_info(path).type == pafs.FileType.File else []
