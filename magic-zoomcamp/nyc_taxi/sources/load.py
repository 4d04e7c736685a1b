"""A month of trips from the HTTP source: download to a temporary file, then parse."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pandas as pd
import requests

from nyc_taxi.sources.download import download
from nyc_taxi.logs import RunLogger
from nyc_taxi.sources.release_csv import read_trip_file
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for


def load_month(request: MonthRequest, base_url: str, session: requests.Session | None = None,
               logger: RunLogger | None = None) -> pd.DataFrame:
    """Downloads and parses the request's file; nothing is kept on disk afterwards."""
    url = request.url(base_url)
    with tempfile.TemporaryDirectory(prefix='nyc_taxi_') as scratch:
        path = Path(scratch) / request.file_name
        size = download(url, path, session=session, logger=logger)
        trips = read_trip_file(path, schema_for(request.taxi_type), source=url)
    (logger or logging.getLogger(__name__)).info('%s: %d rows from %s (%d bytes)', request, len(trips), url, size)
    return trips
