from datetime import date
from typing import Any

import pandas as pd
from mage_ai.settings.repo import get_repo_path

from nyc_taxi.coverage.coverage import asked_months, asked_taxi_types, configured_targets, coverage_rows
from nyc_taxi.coverage.report_html import coverage_text
from nyc_taxi.logs import block_logger
from nyc_taxi.model.transform import drop_missing_passenger_count
from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE
from nyc_taxi.resources.io_config import DEFAULT_POSTGRES_PROFILE, load_profile
from nyc_taxi.sources.month_source import month_source

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@data_loader
def coverage_of_targets(*args, **kwargs) -> pd.DataFrame:
    """What is loaded where: a row per target (Postgres, the GCS month objects, the GCS partitioned dataset,
    BigQuery), taxi type and month, with its state against the source's file now and today's transform: current, stale (the
    source or the rules changed), missing (the source has it, the target does not) or unavailable (the source has
    no such month); rows, the source version loaded, when and by which run. One HEAD request per month.

    Variables: taxi_types (default 'yellow,green'), source (release|tlc), first_month and last_month ('YYYY-MM';
    default: the release's 2019-01..2021-07, or the TLC's 2022-01..last month). `make coverage` gives the same as
    a page with a heatmap (reports/coverage.html).
    """
    # The trips' Postgres profile, and the Google one for GCS, as the exporters read them.
    config = {**load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE),
              **load_profile(get_repo_path(), kwargs.get('config_profile') or DEFAULT_POSTGRES_PROFILE)}
    source = month_source(kwargs)
    readers, dated, notes = configured_targets(config)
    rows, more = coverage_rows(readers, asked_taxi_types(kwargs), asked_months(kwargs, source.name, date.today()),
                               source, drop_missing_passenger_count(kwargs), dated)
    logger = block_logger(kwargs, 'coverage_of_targets')
    for line in (*notes, *more, *coverage_text(rows).splitlines()):
        logger.info('%s', line)
    frame = pd.DataFrame([row.__dict__ for row in rows])
    if not frame.empty:
        frame['month'] = frame['month'].map(lambda month: f'{month:%Y-%m}')
    return frame


@test
def test_every_month_has_a_state(frame: pd.DataFrame, *args) -> None:
    assert frame.empty or frame['state'].isin(['current', 'stale', 'missing', 'unavailable']).all()
