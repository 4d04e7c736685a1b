from typing import Any

import pandas as pd
import pyarrow.compute as pc

from nyc_taxi.mage.trips import map_trips

if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


def with_passengers(trips: pd.DataFrame) -> pd.DataFrame:
    """The course homework's rule, in pandas: a trip counts with a passenger count above 0 (so one without a
    count goes too)."""
    return trips[trips['passenger_count'] > 0]


@transformer
def keep_trips_with_passengers(data: list[Any], *args, **kwargs) -> list[Any]:
    """An example of a block of your own below the transformer: a pandas function over every trip of the
    month, a batch at a time (nyc_taxi.mage.trips.map_trips), its result staged for the blocks below."""
    return map_trips(data, with_passengers, **kwargs)


@test
def test_every_trip_kept_has_passengers(preview, trips, *args) -> None:
    counts = trips.column('passenger_count')
    assert counts.null_count == 0 and pc.min(counts).as_py() > 0, 'a kept trip without passengers'
