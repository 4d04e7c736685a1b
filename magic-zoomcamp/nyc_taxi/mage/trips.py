"""Blocks of your own below the project's: the month as a DataFrame where it fits, map_trips where it does not.

The loader and the transformer output `[a preview of the trips, (the summary,) the staged trips]`, which
the project's own blocks read a batch at a time. A block of yours below one of them gets the month's trips
as one pandas DataFrame instead (nyc_taxi.mage.fixes.blocks_of_yours hands it over), so the course's code
works as written:

    @transformer
    def transform(data, *args, **kwargs):
        return data[data['passenger_count'] > 0]

That holds up to NYC_TAXI_PANDAS_MAX_TRIPS trips (default in PANDAS_MAX_TRIPS, chosen from measurements in
docs/performance.md). A larger month stays staged: using it as a DataFrame fails at once, naming its size,
this setting and map_trips, which runs a pandas function over the trips a batch at a time at any size:

    from nyc_taxi.mage.trips import map_trips

    @transformer
    def keep_trips_with_passengers(data, *args, **kwargs):
        return map_trips(data, lambda trips: trips[trips['passenger_count'] > 0], **kwargs)

The function gets each batch (up to NYC_TAXI_ROWS_PER_GROUP trips) as a DataFrame and returns the trips to
keep, with any columns added. Its result goes on as the loader's does: the blocks below get the new
staged trips, and the editor shows their first rows. The project's exporters take either: staged trips,
or the DataFrame a block of yours returns.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import pandas as pd
import pyarrow as pa

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.run_context import input_read, output_made, stage_for_output
from nyc_taxi.model.arrow import clean_batches
from nyc_taxi.model.schema import TripFileSchema, schema_for
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.staging.pandas_batches import TripsFunction, write_mapped_trips
from nyc_taxi.staging.stage import stage_of
from nyc_taxi.staging.staged_trips import StagedTrips, staged_trips_in
from nyc_taxi.staging.stream_sizes import StreamSizes
from nyc_taxi.staging.trips_frame import trips_frame

PANDAS_MAX_TRIPS_SETTING = 'NYC_TAXI_PANDAS_MAX_TRIPS'
# Covers every month the course uses (yellow 2021-01: 1.37M trips; green 2019-2021: under 0.7M). Measured
# (docs/performance.md, "blocks of yours"): the course's filter and Mage's own Postgres exporter below the
# transformer peak at about 0.4 GB + PEAK_BYTES_PER_TRIP per trip, so 1.7 GB at this limit.
PANDAS_MAX_TRIPS = 2_000_000
PEAK_BYTES_PER_TRIP = 650


def pandas_max_trips(environ: Mapping[str, str] = os.environ) -> int:
    value = environ.get(PANDAS_MAX_TRIPS_SETTING, '').strip()
    if not value:
        return PANDAS_MAX_TRIPS
    try:
        limit = int(value.replace('_', ''))
    except ValueError:
        limit = -1
    if limit < 0:
        raise ValueError(f'{PANDAS_MAX_TRIPS_SETTING}={value!r} must be a whole number of trips (0: never a DataFrame)')
    return limit


def block_output(trips: StagedTrips, *also: Any) -> list[Any]:
    """What a block that staged trips returns: their first rows (what the editor shows first), `also` (the
    transformer's per-date summary), then the staged trips the blocks below read."""
    return [trips.preview(), *also, trips]


def staged_output_trips(value: Any) -> StagedTrips | None:
    """The staged trips when `value` is the output of a block that staged them (block_output's list)."""
    if isinstance(value, StagedTrips):
        return value
    if isinstance(value, (list, tuple)) and value and isinstance(value[-1], StagedTrips):
        return value[-1]
    return None


def input_for_a_block_of_yours(value: Any, block: str, in_editor: bool,
                               environ: Mapping[str, str] = os.environ) -> Any:
    """What a block that is not the project's gets for the upstream output `value`: a month of staged trips as
    one DataFrame when it holds at most NYC_TAXI_PANDAS_MAX_TRIPS trips, else the staged trips (which refuse
    DataFrame use, naming the month's size, the setting and map_trips); any other value as it is."""
    trips = staged_output_trips(value)
    if trips is None:
        return value
    limit = pandas_max_trips(environ)
    if trips.trips > limit:
        return trips.refused_as_frame(
            f'They are more than {PANDAS_MAX_TRIPS_SETTING}={limit:,} trips, the most a block of yours gets as one '
            f'DataFrame (as one, with an exporter like Mage\'s Postgres one below, they would take about '
            f'{trips.trips * PEAK_BYTES_PER_TRIP / 2**30:.1f} GB more memory at the peak; raise the setting in .env '
            'if the machine has it)')
    frame = trips_frame(trips)
    if not in_editor:  # in a run this block is one of the stage's readers, and it has read it all
        stage_of(trips.staged_file).release(block)
    return frame


def map_trips(data: Any, function: TripsFunction, **kwargs: Any) -> Any:
    """`function` over every batch of the staged trips in `data` (the block's input), staged for the blocks below;
    on a DataFrame (a block of yours above), `function` over it.

    Pass the block's own **kwargs: they say which block this is and how it runs (editor or pipeline run).
    """
    if isinstance(data, pd.DataFrame):  # already whole in memory
        return function(data)
    block = str(kwargs['block_uuid'])
    trips = staged_trips_in(data, block)
    stage = stage_for_output(kwargs, block)
    with stage.removed_on_error():
        rows = write_mapped_trips(trips, function, stage.clean_file)
    result = trips.made_by(block, stage.clean_file, rows)
    input_read(kwargs, trips, block)
    output_made(kwargs, stage)
    block_logger(kwargs, block).info('%d of %d %s trips kept', rows, trips.trips, trips.what)
    return block_output(result)


@dataclass(frozen=True)
class TripsToExport:
    """What an exporter writes: the staged trips of the block above it, or the DataFrame a block of yours
    returned (its clean columns, in their types), and the month they are (nyc_taxi.mage.exported_month)."""
    staged: StagedTrips | None
    frame: pd.DataFrame | None
    request: MonthRequest

    @property
    def schema(self) -> TripFileSchema:
        return schema_for(self.request.taxi_type)

    def batches(self) -> Iterator[pa.RecordBatch]:
        if self.staged is not None:
            return self.staged.batches()
        return clean_batches(self.frame, self.schema, StreamSizes.from_env().rows_per_group)

    def read(self, kwargs: Mapping[str, Any], block: str) -> None:
        """The exporter is done with them (a staged month's stage may go)."""
        if self.staged is not None:
            input_read(kwargs, self.staged, block)


def trips_to_export(data: Any, block: str, kwargs: Mapping[str, Any]) -> TripsToExport:
    """The trips `block` (an exporter) was handed, and their month, which the run's variables must ask for."""
    from nyc_taxi.mage.exported_month import checked_frame_month, checked_month
    from nyc_taxi.mage.schedule import month_of_run
    from nyc_taxi.sources.month_source import month_source

    asked = month_of_run(kwargs).request
    if isinstance(data, pd.DataFrame):
        return TripsToExport(None, data, checked_frame_month(data, asked, schema_for(asked.taxi_type), block))
    staged = staged_trips_in(data, block)
    return TripsToExport(staged, None, checked_month(staged, asked, month_source(kwargs).name, block))
