from datetime import date, datetime

import pytest

from nyc_taxi.run_dates import run_dates


def test_explicit_range_wins():
    kwargs = {'start_date': '2021-01-01', 'end_date': '2021-01-31', 'execution_date': datetime(2021, 5, 1)}
    assert run_dates(kwargs) == (date(2021, 1, 1), date(2021, 1, 31))


def test_daily_scheduled_run_loads_the_day_that_closed():
    # What Mage passes to a @daily trigger's run at 00:00 on 2021-01-15.
    kwargs = {'execution_date': datetime(2021, 1, 15), 'interval_start_datetime': datetime(2021, 1, 15),
              'interval_end_datetime': datetime(2021, 1, 16),
              'interval_start_datetime_previous': datetime(2021, 1, 14), 'interval_seconds': 86400}
    assert run_dates(kwargs) == (date(2021, 1, 14), date(2021, 1, 14))


def test_backfill_run_variables_arrive_as_iso_strings():
    kwargs = {'execution_date': datetime(2021, 1, 3), 'interval_start_datetime': '2021-01-03T00:00:00',
              'interval_start_datetime_previous': '2021-01-02T00:00:00'}
    assert run_dates(kwargs) == (date(2021, 1, 2), date(2021, 1, 2))


def test_weekly_interval_covers_seven_days():
    kwargs = {'interval_start_datetime': datetime(2021, 1, 11), 'interval_start_datetime_previous': datetime(2021, 1, 4)}
    assert run_dates(kwargs) == (date(2021, 1, 4), date(2021, 1, 10))


def test_single_date_backfill_without_previous_interval_loads_the_day_before():
    kwargs = {'execution_date': datetime(2021, 1, 3), 'interval_start_datetime': '2021-01-03T00:00:00',
              'interval_end_datetime': None}
    assert run_dates(kwargs) == (date(2021, 1, 2), date(2021, 1, 2))


@pytest.mark.parametrize('kwargs, message', [
    ({}, 'No dates for this run'),
    ({'start_date': '2021-01-01'}, 'both start_date and end_date'),
    ({'start_date': '2021-01-05', 'end_date': '2021-01-01'}, 'before start_date'),
    ({'start_date': 'yesterday', 'end_date': '2021-01-01'}, "start_date 'yesterday' is not an ISO date"),
])
def test_bad_dates_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_dates(kwargs)
