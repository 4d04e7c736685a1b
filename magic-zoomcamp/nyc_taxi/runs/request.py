"""Which month of which taxi file a run asks for, validated from Mage's kwargs."""
from __future__ import annotations

import os
from datetime import date
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nyc_taxi.model.schema import TaxiType

DEFAULT_BASE_URL = 'https://github.com/DataTalksClub/nyc-tlc-data/releases/download'
BASE_URL_VARIABLE = 'TAXI_DATA_BASE_URL'
DEFAULT_TAXI_TYPE = 'yellow'


class MonthRequest(BaseModel):
    """One monthly trip file: the unit that loaders download and writers replace."""

    model_config = ConfigDict(frozen=True)

    taxi_type: TaxiType = DEFAULT_TAXI_TYPE
    year: int = Field(ge=2009, le=2100)
    month: int = Field(ge=1, le=12)

    @property
    def month_start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def file_stem(self) -> str:
        """{taxi_type}_tripdata_{YYYY}-{MM}: the release's name for the month, which every target reuses."""
        return f'{self.taxi_type}_tripdata_{self.year:04d}-{self.month:02d}'

    @property
    def file_name(self) -> str:
        """The release's file name (nyc_taxi.sources.month_source knows both sources' names and URLs)."""
        return f'{self.file_stem}.csv.gz'

    def __str__(self) -> str:
        return f'{self.taxi_type} {self.year:04d}-{self.month:02d}'


def validated_month_request(**fields: Any) -> MonthRequest:
    """A MonthRequest, or a ValueError naming each bad pipeline variable (strings are accepted)."""
    try:
        return MonthRequest(**fields)
    except ValidationError as error:
        problems = '; '.join(
            f'{".".join(map(str, e["loc"]))}={e.get("input")!r}: {e["msg"]}' for e in error.errors()
        )
        raise ValueError(f'Invalid pipeline variables: {problems}') from None


def base_url_from_env(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL
