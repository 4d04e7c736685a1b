"""Blocks of your own on the staged trips: `map_trips` runs a pandas function over them, a batch at a time.

The loader and the transformer hand the blocks below them `[a preview of the trips, (the summary,) the
staged trips]`, never a whole month as a DataFrame. In a block of your own:

    from nyc_taxi.mage.trips import map_trips

    @transformer
    def keep_trips_with_passengers(data, *args, **kwargs):
        return map_trips(data, lambda trips: trips[trips['passenger_count'] > 0], **kwargs)

The function gets each batch (up to NYC_TAXI_ROWS_PER_GROUP trips) as a DataFrame and returns the trips to
keep, with any columns added. Its result goes on as the loader's does: the blocks below get the new
staged trips, and the editor shows their first rows.
"""
from __future__ import annotations

from typing import Any

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.run_context import input_read, output_made, stage_for_output
from nyc_taxi.staging.pandas_batches import TripsFunction, write_mapped_trips
from nyc_taxi.staging.staged_trips import StagedTrips, staged_trips_in


def block_output(trips: StagedTrips, *also: Any) -> list[Any]:
    """What a block that staged trips returns: their first rows (what the editor shows first), `also` (the
    transformer's per-date summary), then the staged trips the blocks below read."""
    return [trips.preview(), *also, trips]


def map_trips(data: Any, function: TripsFunction, **kwargs: Any) -> list[Any]:
    """`function` over every batch of the staged trips in `data` (the block's input), staged for the blocks below.

    Pass the block's own **kwargs: they say which block this is and how it runs (editor or pipeline run).
    """
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
