"""The handle a block hands the next when the trips sit in a BigQuery staging table, not on local disk.

gcs_to_bigquery moves no trip through Mage: its loader has BigQuery load the run's date partitions
from GCS into a staging table, its transformer cleans that table into another with SQL, its exporter
MERGEs the clean one into the target. Between blocks travels this small, picklable description:
which trips, how many, and the table that holds them. Mage stores it like any other block output
and shows `to_dict()` under the block.

Staging tables live in the target's dataset, named `<target>__<pipeline>__<block>__<run>_<random>`,
and expire by themselves (`STAGING_LIFETIME`, `EDITOR_STAGING_LIFETIME`) whatever happens to the run.
In a pipeline run the block reading one drops it when done, unless other blocks still have to read it;
in the editor a block's table stays (the input of the blocks below it) until the block runs again.
"""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from nyc_taxi.staging.staged_trips import StagedTrips, handle_in

STAGING_LIFETIME = timedelta(hours=6)
# Long enough for a course session: run the loader, come back to the transformer after lunch.
EDITOR_STAGING_LIFETIME = timedelta(hours=24)
EDITOR_LABEL = 'editor'
HOW_TO_USE = ('query it in BigQuery (SELECT ... FROM `<table_id>`), or add a block that issues the SQL with the '
              'google-cloud-bigquery client; the trips stay in BigQuery (docs/pipelines.md)')


@dataclass(frozen=True)
class StagingTarget:
    """Where a block's new staging table goes: its id, the blocks that will read it, how long it may live."""
    table_id: str
    readers: tuple[str, ...]
    lifetime: timedelta


class StagingTableGone(LookupError):
    """The staging table an output names is no longer in BigQuery; the message names the block to run again."""


@dataclass(frozen=True)
class StagedTable:
    taxi_type: str
    # What the trips are: 'yellow 2021-01-01..2021-01-31'.
    what: str
    source: str
    # project.dataset.table, or None for a range without trips (no table was made).
    table_id: str | None
    trips: int
    bytes: int
    first_date: date | None
    last_date: date | None
    # The block whose output this is: the one to run again if the table is gone.
    staged_by: str
    # The blocks that read the table in this pipeline run; empty in the editor (the table stays).
    readers: tuple[str, ...] = ()
    columns: tuple[str, ...] = field(default=())
    # The pickup dates the run asked for, first and last: what the exporter replaces (nyc_taxi.mage.exported_month).
    dates: tuple[date, date] | None = None
    # Each date's GCS objects as they were loaded (RangeFiles.versions): what the exporter's ledger keeps.
    versions: tuple[tuple[date, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """What Mage shows under the block for this output."""
        shown = asdict(self)
        shown['columns'] = ', '.join(self.columns)
        shown['versions'] = f'{len(self.versions)} dates\' objects'
        return shown

    def made_by(self, block: str, table_id: str | None, trips: int, first_date: date | None, last_date: date | None,
                readers: tuple[str, ...]) -> StagedTable:
        """The same trips' description for `block`'s output, now in `table_id`."""
        return replace(self, staged_by=block, table_id=table_id, trips=trips, first_date=first_date,
                       last_date=last_date, readers=readers)

    def gone(self, error: Exception) -> StagingTableGone:
        return StagingTableGone(
            f'The {self.what} trips of the last output of block {self.staged_by} are no longer in BigQuery '
            f'({self.table_id}: {error}; staging tables expire after {EDITOR_STAGING_LIFETIME} in the editor). Run '
            f'{self.staged_by} again, or run this block with "Execute with all upstream blocks" (in the block\'s ... '
            'menu).')

    def __getitem__(self, key: Any) -> Any:
        raise TypeError(self._not_a_frame(f'[{key!r}]'))

    def __getattr__(self, name: str) -> Any:
        if not name.startswith('_') and name in {'iloc', 'loc', 'head', 'shape', 'dtypes', 'groupby', 'query',
                                                 'to_parquet', 'to_csv', 'apply', 'describe'}:
            raise AttributeError(self._not_a_frame(f'.{name}'))
        raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')

    def _not_a_frame(self, tried: str) -> str:
        return (f'This is the {self.what} trips in the BigQuery table {self.table_id} ({self.trips:,} trips, output '
                f'of block {self.staged_by}), not a DataFrame, so {tried} is not there: '
                f'{HOW_TO_USE.replace("<table_id>", str(self.table_id))}.')


def staged_table_in(data: Any, block: str) -> StagedTable:
    """The StagedTable among a block's input: upstream blocks output [preview, (summary,) StagedTable]."""
    found = handle_in(data, StagedTable)
    if found is not None:
        return found
    raise TypeError(f'Block {block} reads trips staged in BigQuery, the last output of the block above it, and got '
                    f'{type(data).__name__} instead: connect it below load_taxi_data_gcs or transform_taxi_data in '
                    'gcs_to_bigquery')


def staging_table_name(target: str, pipeline: str, block: str, run_label: str) -> str:
    """A new staging table's name: `table_prefix` and a random part."""
    return f'{table_prefix(target, pipeline, block, run_label)}{secrets.token_hex(4)}'


def table_prefix(target: str, pipeline: str, block: str, run_label: str = EDITOR_LABEL) -> str:
    """What the names of one block's staging tables for one run (or the editor) start with."""
    return f'{target}__{pipeline}__{block}__{run_label}_'


def staged_input(data: Any, block: str) -> StagedTrips | StagedTable:
    """The staged trips among a block's input, on local disk or in BigQuery."""
    found = handle_in(data, (StagedTrips, StagedTable))
    if found is not None:
        return found
    raise TypeError(f'Block {block} reads staged trips, the last output of the block above it, and got '
                    f'{type(data).__name__} instead: connect it below a loader, or a block that returns '
                    'map_trips(...)')
