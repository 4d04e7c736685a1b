"""The LoadRecord an exporter of the project's keeps with the month it writes (nyc_taxi.targets.load_record)."""
from __future__ import annotations

from typing import Any, Mapping

from nyc_taxi.mage.trips import TripsToExport
from nyc_taxi.model.fingerprint import transform_fingerprint
from nyc_taxi.model.transform import drop_missing_passenger_count
from nyc_taxi.staging.staged_trips import StagedTrips
from nyc_taxi.targets.load_record import LoadRecord

# The block whose output is the project's transform of a month: trips from any other block (one of yours, or
# map_trips in it) were changed as no fingerprint of the project's describes, and are never taken for current.
PROJECTS_TRANSFORM = 'transform_taxi_data'


def loaded_by(kwargs: Mapping[str, Any]) -> str:
    pipeline = str(kwargs.get('pipeline_uuid') or 'a pipeline')
    run = kwargs.get('pipeline_run_id')
    return f'{pipeline} run {run}' if run is not None else pipeline


def load_record(trips: TripsToExport, kwargs: Mapping[str, Any]) -> LoadRecord:
    """The record of what an exporter writes from `trips`."""
    return staged_load_record(trips.staged, trips.request.taxi_type, kwargs)


def staged_load_record(staged: StagedTrips | None, taxi_type: str, kwargs: Mapping[str, Any]) -> LoadRecord:
    """The record of a load of `staged` (None: a DataFrame a block of yours returned)."""
    made_by = staged.staged_by if staged is not None else 'a DataFrame of a block of yours'
    return LoadRecord(staged.version if staged is not None else None, staged_fingerprint(made_by, taxi_type, kwargs),
                      loaded_by(kwargs))


def staged_fingerprint(made_by: str, taxi_type: str, kwargs: Mapping[str, Any]) -> str:
    """The transform's fingerprint, for trips `made_by` that block: one that never matches for any other block."""
    if made_by != PROJECTS_TRANSFORM:
        return f'changed by {made_by}'
    return transform_fingerprint(taxi_type, drop_missing_passenger_count(kwargs))
