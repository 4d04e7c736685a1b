"""What a pipeline should have written, computed from the source file with the library itself."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from nyc_taxi.sources.release_csv import read_trip_file
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for
from nyc_taxi.model.transform import clean_trips


def transformed(trip_data_dir: Path, request: MonthRequest) -> pd.DataFrame:
    schema = schema_for(request.taxi_type)
    return clean_trips(read_trip_file(trip_data_dir / request.taxi_type / request.file_name, schema), schema)[0]


def month_vars(request: MonthRequest, **extra) -> dict:
    return {'taxi_type': request.taxi_type, 'year': request.year, 'month': request.month, **extra}
