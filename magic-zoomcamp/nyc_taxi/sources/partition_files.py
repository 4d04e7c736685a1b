"""The objects of a pickup-date range in the partitioned dataset, listed and checked before BigQuery loads them.

gcs_to_bigquery names these objects to a BigQuery load job instead of reading them: only listings and
each object's parquet footer (its schema and row count, a few KB) reach this process. The check makes
the job's outcome the same on BigQuery (which matches parquet columns by name) and on the local
emulator (by position): every object must hold exactly the columns api_to_gcs writes, in its order and
types, or nothing is loaded and the error names the object and the column.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.model.schema import TripFileSchema, schema_for
from nyc_taxi.sources.gcs_partitions import check_dataset_exists
from nyc_taxi.sources.parquet_footer import read_footer
from nyc_taxi.targets.parquet_exports import partitioned_root

# Listings are small requests, each a round trip: a few at once. Footers are read one at a time: each
# parse holds ~5 MB of a 7.7M-row month's, and every thread kept its own (8 at once: +50 MB; one: +13 MB).
PARALLEL_LISTINGS = 8


class PartitionFileError(ValueError):
    """An object of the range is not what api_to_gcs writes, or a date of the range has no partition."""


@dataclass(frozen=True)
class PartitionFile:
    uri: str
    day: date
    bytes: int
    rows: int
    # When GCS made this generation of the object (its `updated` time, in µs): another upload, another time.
    generation_time: str = ''


@dataclass(frozen=True)
class RangeFiles:
    """The objects holding the trips picked up `first`..`last` of one taxi type."""
    taxi_type: str
    bucket: str
    first: date
    last: date
    files: tuple[PartitionFile, ...]

    @property
    def root_uri(self) -> str:
        """gs://bucket/nyc_taxi_data/<taxi_type>/: the hive partitioning's source URI prefix."""
        return f'gs://{partitioned_root(self.bucket, self.taxi_type)}/'

    @property
    def days(self) -> list[date]:
        return sorted({file.day for file in self.files})

    def uris(self) -> list[str]:
        """One URI a date: every object of its partition."""
        column = schema_for(self.taxi_type).pickup_date
        return [f'{self.root_uri}{column}={day.isoformat()}/*' for day in self.days]

    @property
    def rows(self) -> int:
        return sum(file.rows for file in self.files)

    @property
    def bytes(self) -> int:
        return sum(file.bytes for file in self.files)

    def versions(self) -> dict[date, str]:
        """Each date's objects as they are now: their names, sizes and generations' times (what gcs_to_bigquery's
        ledger keeps of a date, nyc_taxi.targets.bigquery_ledger)."""
        return dated_versions((file.day, file.uri, file.bytes, file.generation_time) for file in self.files)

    def per_date(self) -> pd.DataFrame:
        """Per pickup date: objects, rows and bytes (what the loader shows)."""
        frame = pd.DataFrame([(file.day, file.rows, file.bytes) for file in self.files],
                             columns=['pickup_date', 'rows', 'bytes'])
        grouped = frame.groupby('pickup_date', as_index=False).agg(objects=('rows', 'size'), rows=('rows', 'sum'),
                                                                   bytes=('bytes', 'sum'))
        grouped.insert(0, 'taxi_type', self.taxi_type)
        return grouped


def dated_versions(objects: Iterable[tuple[date, str, int, str]]) -> dict[date, str]:
    """Each date's objects (date, path or URI, bytes, generation's time) as one text, the same for the same
    objects: their names, sizes and generations' times, in name order."""
    versions: dict[date, list[str]] = {}
    for day, path, size, made in sorted(objects, key=lambda found: found[1]):
        versions.setdefault(day, []).append(f'{path.rsplit("/", 1)[-1]} {size} {made}')
    return {day: '; '.join(found) for day, found in versions.items()}


def generation_time(info: pafs.FileInfo) -> str:
    return info.mtime.isoformat(timespec='microseconds') if info.mtime is not None else ''


def object_columns(schema: TripFileSchema) -> pa.Schema:
    """What each partition object holds: the clean columns but the pickup date, which is its folder's name."""
    clean = clean_arrow_schema(schema)
    return pa.schema([field for field in clean if field.name != schema.pickup_date])


def range_files(filesystem: pafs.FileSystem, bucket: str, taxi_type: str, first: date, last: date) -> RangeFiles:
    """Lists the partitions of `first`..`last` and checks every object's footer.

    No partition at all is an empty range (a run for dates not loaded yet). Some dates with a
    partition and others without is refused, naming the missing dates: a MERGE of that range
    would otherwise empty those dates in BigQuery.
    """
    check_dataset_exists(filesystem, bucket, taxi_type)
    schema = schema_for(taxi_type)
    root = partitioned_root(bucket, taxi_type)
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    with ThreadPoolExecutor(PARALLEL_LISTINGS) as pool:
        listed = list(pool.map(lambda day: _objects_of(filesystem, f'{root}/{schema.pickup_date}={day.isoformat()}'),
                               days))
    expected = object_columns(schema)
    files = tuple(_checked(filesystem, day, info, expected) for day, infos in zip(days, listed) for info in infos)
    present = {file.day for file in files}
    missing = [day for day in days if day not in present]
    if present and missing:
        raise PartitionFileError(
            f'gs://{root}/ has no partition for {_spans(missing)}, though it has {len(present)} other date(s) of '
            f'{first}..{last}. Nothing was loaded. Run api_to_gcs for the month(s) of those dates first, or '
            'choose start_date/end_date within the loaded dates.')
    return RangeFiles(taxi_type, bucket, first, last, files)


def _objects_of(filesystem: pafs.FileSystem, directory: str) -> list[pafs.FileInfo]:
    infos = filesystem.get_file_info(pafs.FileSelector(directory, allow_not_found=True))
    return sorted((info for info in infos if info.type == pafs.FileType.File), key=lambda info: info.path)


def _checked(filesystem: pafs.FileSystem, day: date, info: pafs.FileInfo, expected: pa.Schema) -> PartitionFile:
    uri = f'gs://{info.path}'
    try:
        footer = read_footer(filesystem, info.path, info.size)
    except (pa.ArrowInvalid, OSError) as error:
        raise PartitionFileError(f'{uri} cannot be read as parquet ({error}); nothing was loaded. Write its month '
                                 'again with api_to_gcs, or delete the object.') from error
    difference = _first_difference(footer.schema, expected)
    if difference:
        raise PartitionFileError(f'{uri} holds other columns than api_to_gcs writes: {difference}. Nothing was '
                                 'loaded. Write its month again with api_to_gcs (it replaces the month\'s '
                                 'partitions), or delete the object.')
    return PartitionFile(uri, day, info.size or 0, footer.rows, generation_time(info))


def _first_difference(actual: pa.Schema, expected: pa.Schema) -> str | None:
    for index, field in enumerate(expected):
        if index >= len(actual):
            return f'column {index + 1} should be {field.name} {field.type}, and the file has only {len(actual)}'
        found = actual.field(index)
        if found.name != field.name or not found.type.equals(field.type):
            return f'column {index + 1} is {found.name} {found.type}, not {field.name} {field.type}'
    if len(actual) > len(expected):
        extra = ', '.join(actual.names[len(expected):])
        return f'it has column(s) {extra} after the {len(expected)} expected'
    return None


def _spans(days: list[date]) -> str:
    """2021-01-03..2021-01-05, 2021-01-09: consecutive dates as ranges."""
    spans: list[list[date]] = []
    for day in days:
        if spans and day - spans[-1][-1] == timedelta(days=1):
            spans[-1].append(day)
        else:
            spans.append([day])
    return ', '.join(str(span[0]) if len(span) == 1 else f'{span[0]}..{span[-1]}' for span in spans)
