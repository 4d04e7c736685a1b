"""The two places a month's trips come from, chosen by the pipeline variable `source`.

- `release` (default): the DataTalksClub release's CSV.gz files, 2019-01..2021-07, frozen:
  `{TAXI_DATA_BASE_URL}/{taxi_type}/{taxi_type}_tripdata_{YYYY}-{MM}.csv.gz`.
- `tlc`: the TLC's own parquet files, every month since 2009 (zone-based since 2011), published about
  two months late: `{TLC_TRIP_DATA_URL}/{taxi_type}_tripdata_{YYYY}-{MM}.parquet`.
Both are read into the same staged columns, so everything downstream is the same.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Literal, Mapping, get_args

import pyarrow as pa

from nyc_taxi.model.schema import TripFileSchema
from nyc_taxi.runs.month import is_given
from nyc_taxi.runs.request import BASE_URL_VARIABLE, MonthRequest, base_url_from_env
from nyc_taxi.sources.release_csv import trip_batches
from nyc_taxi.sources.tlc_parquet import tlc_batches

SourceName = Literal['release', 'tlc']
SOURCE_NAMES: tuple[str, ...] = get_args(SourceName)
SOURCE_VARIABLE = 'source'
DEFAULT_SOURCE = 'release'
TLC_URL_VARIABLE = 'TLC_TRIP_DATA_URL'
DEFAULT_TLC_URL = 'https://d37ci6vzurychx.cloudfront.net/trip-data'


@dataclass(frozen=True)
class MonthSource:
    name: SourceName
    base_url: str

    def file_name(self, request: MonthRequest) -> str:
        return request.file_name if self.name == 'release' else f'{request.file_stem}.parquet'

    def url(self, request: MonthRequest) -> str:
        base = self.base_url.rstrip('/')
        if self.name == 'release':
            return f'{base}/{request.taxi_type}/{self.file_name(request)}'
        return f'{base}/{self.file_name(request)}'

    def batches(self, path: Path, schema: TripFileSchema, url: str, csv_block_bytes: int
                ) -> Iterator[pa.RecordBatch]:
        """The downloaded file's trips as record batches of the schema's staged columns."""
        if self.name == 'release':
            return trip_batches(path, schema, source=url, block_size=csv_block_bytes)
        return tlc_batches(path, schema, source=url)

    def missing_file_hint(self) -> str:
        if self.name == 'release':
            return ("The public release (DataTalksClub's nyc-tlc-data) holds yellow and green 2019-01..2021-07, FHV "
                    f'2019-2021 and fhvhv from 2019-02; check the taxi_type/year/month variables and {BASE_URL_VARIABLE}, '
                    'or use source: tlc.')
        return ('The TLC publishes each month about two months late; check the taxi_type/year/month variables '
                f'and {TLC_URL_VARIABLE}.')


def month_source(variables: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> MonthSource:
    """The run's source from its `source` variable (default release) and the base URL settings."""
    value = variables.get(SOURCE_VARIABLE)
    name = str(value).strip().lower() if is_given(variables, SOURCE_VARIABLE) else DEFAULT_SOURCE
    if name not in SOURCE_NAMES:
        raise ValueError(f'Invalid pipeline variables: {SOURCE_VARIABLE}={value!r} must be one of '
                         f'{", ".join(SOURCE_NAMES)}')
    if name == 'release':
        return MonthSource('release', base_url_from_env(environ))
    return MonthSource('tlc', environ.get(TLC_URL_VARIABLE) or DEFAULT_TLC_URL)
