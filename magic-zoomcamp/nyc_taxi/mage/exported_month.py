"""What an exporter writes: the month (or the dates) of the trips it is handed, which the run must ask for.

In the editor a block runs alone on the last output of the blocks above it, however long ago they ran, under
the variables as they are now. A learner who loaded 2021-03, set `month` to 4 and ran only the exporter had
March's trips written as April's: the Postgres writer gives every row the month it is told, and replaced
2021-04 with them. The staged trips know what they are (StagedTrips.request and source_name; StagedTable.dates),
so an exporter writes what it was handed, and stops before writing anything when the run's variables ask for
something else, saying what is staged, what the run asks for, and what to do. A DataFrame of a block of yours
is the run's month if most of its pickups fall in it.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from nyc_taxi.model.schema import TripFileSchema
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.staging.staged_table import StagedTable
from nyc_taxi.staging.staged_trips import StagedTrips

RUN_AGAIN = '"Execute with all upstream blocks" in this block\'s ... menu'


class StagedInputMismatch(ValueError):
    """The trips an exporter is handed are not what the run's variables ask for; nothing was written."""


def checked_month(trips: StagedTrips, asked: MonthRequest, asked_source: str, block: str) -> MonthRequest:
    """The month `trips` hold, when it is the one the run asks for (`asked`, from `asked_source`); else raises
    StagedInputMismatch. Trips staged before they knew their month are taken for the run's."""
    if trips.request is None:
        return asked
    staged_source = trips.source_name or asked_source
    if trips.request == asked and staged_source == asked_source:
        return trips.request
    back = [f'{name} back to {staged}' for name, staged, wanted in (
        ('taxi_type', trips.request.taxi_type, asked.taxi_type), ('year', trips.request.year, asked.year),
        ('month', trips.request.month, asked.month), ('source', staged_source, asked_source)) if staged != wanted]
    raise StagedInputMismatch(
        f'{block} was handed the {trips.request} trips from the {staged_source} source (the output of block '
        f'{trips.staged_by}), but the run\'s variables ask for {asked} from the {asked_source} source; nothing '
        f'was written. Run the blocks above again for {asked} ({RUN_AGAIN}), or set {", ".join(back)} under '
        'Variables.')


def checked_frame_month(frame: pd.DataFrame, asked: MonthRequest, schema: TripFileSchema, block: str
                        ) -> MonthRequest:
    """`asked`, when most trips of a DataFrame of yours were picked up in that month (a month's file holds a
    few trips of the months around it); else raises StagedInputMismatch."""
    column = schema.clean_name(schema.pickup_datetime)
    if column not in frame.columns or frame.empty:
        return asked
    pickups = pd.to_datetime(frame[column])
    months = (pickups.dt.year * 100 + pickups.dt.month).value_counts()
    if months.empty:
        return asked
    most = int(months.index[0])
    if (most // 100, most % 100) == (asked.year, asked.month):
        return asked
    raise StagedInputMismatch(
        f'{block} was handed a DataFrame of {len(frame):,} trips, most of them picked up in {most // 100:04d}-'
        f'{most % 100:02d}, but the run\'s variables ask for {asked}; nothing was written. Run the blocks above '
        f'again for {asked} ({RUN_AGAIN}), or set year and month under Variables to the trips\' month.')


def checked_dates(table: StagedTable, taxi_type: str, first: date, last: date, block: str) -> None:
    """Raises StagedInputMismatch unless `table` holds `taxi_type` trips of exactly first..last."""
    staged = table.dates
    if (staged is None or staged == (first, last)) and table.taxi_type == taxi_type:
        return
    staged_range = f'{staged[0]}..{staged[1]}' if staged else table.what
    raise StagedInputMismatch(
        f'{block} was handed the {table.taxi_type} trips of {staged_range} (the output of block {table.staged_by}), '
        f'but the run\'s variables ask for {taxi_type} {first}..{last}; nothing was written. Run the blocks above '
        f'again for those dates ({RUN_AGAIN}), or set taxi_type, start_date and end_date back under Variables.')
