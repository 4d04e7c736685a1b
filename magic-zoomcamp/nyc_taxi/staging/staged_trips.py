"""The handle a block hands the next instead of the trips: which trips, how many, and where they are staged.

A month of trips never travels between blocks as a DataFrame (a full-size month would not fit in
memory); it travels as an Arrow file on local disk (nyc_taxi.staging.stage) and this small,
picklable handle that names it. Mage stores the handle as a block output like any other object and
shows `to_dict()` under the block. A block that treats the handle as a DataFrame gets an error saying
how to work on the trips (nyc_taxi.mage.trips.map_trips), never a silent answer computed on a sample.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.sources.source_version import SourceVersion
from nyc_taxi.staging.stage_files import staged_batches, staged_column, staged_head, staged_schema

# Rows of the staged trips a block shows under it: Mage's editor shows 10 rows of an output.
PREVIEW_ROWS = 10
HOW_TO_USE = ('Work on the trips a batch at a time with nyc_taxi.mage.trips.map_trips(data, function, **kwargs) '
              '(docs/editor.md, "Blocks of your own")')
# What a block that thinks it got a DataFrame tries first.
_FRAME_ATTRIBUTES = frozenset({'columns', 'dtypes', 'shape', 'iloc', 'loc', 'head', 'tail', 'index', 'values',
                               'query', 'groupby', 'merge', 'assign', 'drop', 'dropna', 'fillna', 'copy',
                               'describe', 'info', 'to_parquet', 'to_csv', 'to_sql', 'apply', 'sample'})


class StagedTripsGone(FileNotFoundError):
    """The staged file an output names is no longer on disk; the message names the block to run again."""


@dataclass(frozen=True)
class StagedTrips:
    taxi_type: str
    # What the trips are: 'yellow 2021-01', or 'yellow 2021-01-01..2021-01-31' from GCS.
    what: str
    source: str
    trips: int
    bytes: int
    first_pickup: datetime | None
    last_pickup: datetime | None
    staged_file: str
    # The block whose output this is: the one to run again if the file is gone.
    staged_by: str
    # Why a block of yours got these staged trips rather than a DataFrame of them (nyc_taxi.mage.trips).
    not_a_frame_because: str | None = None
    # The month and the source (release, tlc) the trips are of: what the exporters write (nyc_taxi.mage.exported_month).
    request: MonthRequest | None = None
    source_name: str | None = None
    # The version of the source file the trips were read from, as its server described it: kept with the load.
    version: SourceVersion | None = None

    def to_dict(self) -> dict[str, Any]:
        """What Mage shows under the block for this output."""
        shown = asdict(self)
        shown.pop('not_a_frame_because')
        shown['request'] = str(self.request) if self.request is not None else None
        shown['version'] = self.version.describe() if self.version is not None else None
        shown['preview'] = f'the first {min(PREVIEW_ROWS, self.trips)} of these {self.trips:,} trips are in output_0'
        return shown

    def made_by(self, block: str, staged_file: Path, trips: int) -> StagedTrips:
        """The same trips' description for `block`'s output, staged in `staged_file`."""
        return replace(self, staged_by=block, staged_file=str(staged_file), trips=trips,
                       bytes=staged_file.stat().st_size)

    @property
    def path(self) -> Path:
        """The staged file, after checking it is still there."""
        path = Path(self.staged_file)
        if not path.is_file():
            raise StagedTripsGone(
                f'The {self.what} trips of the last output of block {self.staged_by} are no longer staged '
                f'({path} is gone). Run {self.staged_by} again, or run this block with "Execute with all '
                'upstream blocks" (in the block\'s ... menu).')
        return path

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The staged trips, a batch at a time."""
        return staged_batches(self.path)

    def schema(self) -> pa.Schema:
        return staged_schema(self.path)

    def column(self, name: str) -> pa.ChunkedArray:
        """One column of all the trips (the others are not kept in memory)."""
        return staged_column(self.path, name)

    def rows_picked_up_on(self, day: date, pickup_date_column: str) -> int:
        """How many of the trips were picked up on `day`."""
        dates = self.column(pickup_date_column)
        return pc.sum(pc.equal(dates, pa.scalar(day, pa.date32()))).as_py() or 0

    def preview(self, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
        """The first `rows` trips, as a DataFrame: what a person looks at under the block."""
        return staged_head(self.path, rows).to_pandas()

    def __getitem__(self, key: Any) -> Any:
        raise TypeError(self._not_a_frame(f'[{key!r}]'))

    def __getattr__(self, name: str) -> Any:
        if name in _FRAME_ATTRIBUTES:
            raise AttributeError(self._not_a_frame(f'.{name}'))
        raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')

    def refused_as_frame(self, because: str) -> StagedTrips:
        """These trips as a block of yours gets them when they are too many for one DataFrame, and why."""
        return replace(self, not_a_frame_because=because)

    def _not_a_frame(self, tried: str) -> str:
        why = self.not_a_frame_because or 'A whole month may not fit in memory'
        return (f'This is the staged {self.what} trips ({self.trips:,} trips on disk, output of block {self.staged_by}), '
                f'not a DataFrame, so {tried} is not there. {why}. {HOW_TO_USE}.')


def handle_in(data: Any, kinds: type | tuple[type, ...]) -> Any | None:
    """The first of `kinds` among a block's input (one output, or upstream's list of outputs); None if none."""
    candidates = data if isinstance(data, (list, tuple)) else [data]
    return next((candidate for candidate in candidates if isinstance(candidate, kinds)), None)


def staged_trips_in(data: Any, block: str) -> StagedTrips:
    """The StagedTrips among a block's input: upstream blocks output [trips preview, (summary,) StagedTrips]."""
    found = handle_in(data, StagedTrips)
    if found is not None:
        return found
    raise TypeError(f'Block {block} reads staged trips, the last output of the block above it, and got '
                    f'{type(data).__name__} instead: connect it below the loader, the transformer or a block '
                    f'that returns map_trips(...)')
