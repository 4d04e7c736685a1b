from datetime import date, datetime

import pytest
from dateutil.relativedelta import relativedelta

from nyc_taxi.runs.dates import run_dates
from nyc_taxi.runs.schedule import RunSchedule, backfill_step, trigger_step

DAILY = relativedelta(days=1)
MONTHLY = relativedelta(months=1)


def test_explicit_range_wins():
    kwargs = {'start_date': '2021-01-01', 'end_date': '2021-01-31'}
    assert run_dates(kwargs, RunSchedule('trigger', datetime(2021, 5, 1), DAILY)) == (date(2021, 1, 1),
                                                                                      date(2021, 1, 31))


def test_daily_scheduled_run_loads_the_day_that_closed():
    assert run_dates({}, RunSchedule('trigger', datetime(2021, 1, 15), DAILY)) == (date(2021, 1, 14),
                                                                                  date(2021, 1, 14))


def test_single_date_daily_backfill_loads_the_day_before():
    assert run_dates({}, RunSchedule('backfill', datetime(2021, 1, 3), backfill_step('day', 1))) == (
        date(2021, 1, 2), date(2021, 1, 2))


@pytest.mark.parametrize('execution, first, last', [
    (datetime(2020, 11, 1), date(2020, 10, 1), date(2020, 10, 31)),   # Mage's own previous is 2020-10-02 here
    (datetime(2020, 3, 1), date(2020, 2, 1), date(2020, 2, 29)),      # a leap February, whole
    (datetime(2021, 1, 1), date(2020, 12, 1), date(2020, 12, 31)),    # across the year
])
def test_monthly_runs_cover_the_whole_month_before(execution, first, last):
    for kind in ('trigger', 'backfill'):
        assert run_dates({}, RunSchedule(kind, execution, MONTHLY)) == (first, last)


def test_consecutive_monthly_runs_leave_no_gap_and_no_overlap():
    covered = [run_dates({}, RunSchedule('backfill', datetime(2020, m, 1), MONTHLY)) for m in (10, 11, 12)]
    for (_, last), (first, _) in zip(covered, covered[1:]):
        assert (first - last).days == 1


def test_weekly_interval_covers_seven_days():
    assert run_dates({}, RunSchedule('trigger', datetime(2021, 1, 11), trigger_step('@weekly'))) == (
        date(2021, 1, 4), date(2021, 1, 10))


def test_cron_trigger_uses_the_previous_start_mage_computed():
    schedule = RunSchedule('trigger', datetime(2021, 1, 15, 5), None, datetime(2021, 1, 14, 5))
    assert run_dates({}, schedule) == (date(2021, 1, 14), date(2021, 1, 15))


def test_days_back_moves_a_daily_run_back():
    assert run_dates({'days_back': 62}, RunSchedule('trigger', datetime(2021, 3, 1), DAILY)) == (
        date(2020, 12, 28), date(2020, 12, 28))


def test_months_back_moves_a_daily_run_back_by_calendar_months():
    # The daily trigger's lag: on 2021-10-02 it loads 2021-07-01, whose month the monthly loads wrote on 10-01.
    assert run_dates({'months_back': 3}, RunSchedule('trigger', datetime(2021, 10, 2), DAILY)) == (
        date(2021, 7, 1), date(2021, 7, 1))


def test_manual_run_with_execution_date_loads_the_day_before():
    assert run_dates({'execution_date': '2021-01-15'}) == (date(2021, 1, 14), date(2021, 1, 14))


def test_backfill_steps_follow_mages_interval_types():
    assert backfill_step('month', 1) == MONTHLY
    assert backfill_step('IntervalType.WEEK', 2) == relativedelta(weeks=2)
    with pytest.raises(ValueError, match='fortnight'):
        backfill_step('fortnight', 1)


@pytest.mark.parametrize('kwargs, message', [
    ({}, 'No dates for this run'),
    ({'start_date': '2021-01-01'}, 'both start_date and end_date'),
    ({'start_date': '2021-01-05', 'end_date': '2021-01-01'}, 'before start_date'),
    ({'start_date': 'yesterday', 'end_date': '2021-01-01'}, "start_date 'yesterday' is not an ISO date"),
    ({'execution_date': '2021-01-15', 'days_back': -2}, 'days_back=-2'),
])
def test_bad_dates_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_dates(kwargs)
