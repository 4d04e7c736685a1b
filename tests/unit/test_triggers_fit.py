"""The shipped triggers fit together: the daily BigQuery load only reads dates the monthly loads have written."""
from datetime import date, datetime, timedelta

import yaml

from devstack.paths import PROJECT_DIR
from nyc_taxi.runs.dates import run_dates
from nyc_taxi.runs.month import choose_month
from nyc_taxi.runs.schedule import RunSchedule, trigger_step


def trigger(pipeline: str) -> dict:
    (only,) = yaml.safe_load((PROJECT_DIR / 'pipelines' / pipeline / 'triggers.yaml').read_text())['triggers']
    return only


def test_month_pipelines_ship_an_inactive_monthly_trigger_with_the_publication_lag():
    for pipeline in ('api_to_postgres', 'api_to_gcs'):
        monthly = trigger(pipeline)
        assert (monthly['schedule_interval'], monthly['status']) == ('@monthly', 'inactive')
        # On 2026-12-01 the TLC's newest month is 2026-09 (published about two months late, late in November).
        run = RunSchedule('trigger', datetime(2026, 12, 1), trigger_step('@monthly'))
        assert choose_month(monthly['variables'], run).request.month_start == date(2026, 9, 1)


def test_every_date_reaches_bigquery_once_and_only_after_its_month_reached_gcs():
    monthly, daily = trigger('api_to_gcs'), trigger('gcs_to_bigquery')
    month_loaded_on = {}  # month start -> the day api_to_gcs's monthly trigger loaded it
    day = datetime(2022, 1, 1)
    while day < datetime(2026, 1, 1):
        if day.day == 1:
            run = RunSchedule('trigger', day, trigger_step(monthly['schedule_interval']))
            month_loaded_on[choose_month(monthly['variables'], run).request.month_start] = day
        day += timedelta(days=1)

    loaded = []
    for offset in range(3 * 365):
        run_day = datetime(2022, 6, 1) + timedelta(days=offset)
        first, last = run_dates(daily['variables'], RunSchedule('trigger', run_day, trigger_step('@daily')))
        assert first == last
        arrived = month_loaded_on[first.replace(day=1)]
        assert arrived < run_day, f'the run of {run_day:%Y-%m-%d} reads {first}, whose month arrives {arrived:%Y-%m-%d}'
        loaded.append(first)
    assert all(later - earlier == timedelta(days=1) for earlier, later in zip(loaded, loaded[1:]))  # no gap, no repeat
