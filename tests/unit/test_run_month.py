"""The month rule of api_to_postgres and api_to_gcs, row by row (nyc_taxi/runs/month.py)."""
from datetime import datetime

import pytest
from dateutil.relativedelta import relativedelta

from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.runs.month import choose_month
from nyc_taxi.runs.schedule import RunSchedule

MONTHLY_BACKFILL = RunSchedule('backfill', datetime(2020, 11, 1), relativedelta(months=1))
DAILY_BACKFILL = RunSchedule('backfill', datetime(2021, 1, 11), relativedelta(days=1))
MONTHLY_TRIGGER = RunSchedule('trigger', datetime(2021, 1, 1), relativedelta(months=1))
RUN_ONCE = RunSchedule('manual', datetime(2026, 11, 26, 13, 5))
MAGE_RUN = RunSchedule()


def month(taxi_type: str, year: int, number: int) -> MonthRequest:
    return MonthRequest(taxi_type=taxi_type, year=year, month=number)


@pytest.mark.parametrize('schedule', [MAGE_RUN, RUN_ONCE, MONTHLY_BACKFILL, MONTHLY_TRIGGER])
def test_year_and_month_variables_win_in_every_kind_of_run(schedule):
    choice = choose_month({'taxi_type': 'green', 'year': 2020, 'month': 12}, schedule)
    assert choice.request == month('green', 2020, 12)
    assert 'year and month variables' in choice.reason


def test_variables_from_the_ui_arrive_as_strings():
    assert choose_month({'taxi_type': 'green', 'year': '2020', 'month': '3'}, RUN_ONCE).request == month('green', 2020, 3)


def test_a_monthly_backfill_loads_the_month_of_each_run():
    runs = [RunSchedule('backfill', datetime(2020, m, 1), relativedelta(months=1)) for m in (10, 11, 12)]
    chosen = [choose_month({'taxi_type': 'green', 'year': None, 'month': None}, run).request for run in runs]
    assert chosen == [month('green', 2020, 10), month('green', 2020, 11), month('green', 2020, 12)]


def test_a_daily_backfill_loads_the_month_its_date_falls_in():
    choice = choose_month({'taxi_type': 'yellow'}, DAILY_BACKFILL)
    assert choice.request == month('yellow', 2021, 1)
    assert 'backfill run for 2021-01-11' in choice.reason


def test_months_back_reaches_across_a_year_boundary():
    choice = choose_month({'months_back': 3}, MONTHLY_TRIGGER)
    assert choice.request == month('yellow', 2020, 10)
    assert 'months_back=3' in choice.reason


def test_months_back_of_zero_is_the_execution_month():
    assert choose_month({'months_back': '0'}, MONTHLY_TRIGGER).request == month('yellow', 2021, 1)


@pytest.mark.parametrize('schedule', [MAGE_RUN, RUN_ONCE])
def test_runs_by_hand_without_a_month_load_the_default_month_and_say_so(schedule):
    choice = choose_month({'taxi_type': 'yellow', 'year': None, 'month': None, 'months_back': 0}, schedule)
    assert choice.request == month('yellow', 2021, 1)
    assert 'default month' in choice.reason and 'year and month' in choice.reason


def test_ui_placeholders_count_as_unset():
    assert choose_month({'year': '', 'month': 'None'}, MONTHLY_BACKFILL).request == month('yellow', 2020, 11)
    assert choose_month({'year': 'null', 'month': 'null'}, MONTHLY_BACKFILL).request == month('yellow', 2020, 11)


@pytest.mark.parametrize('variables, named', [
    ({'year': 2020}, 'year=2020 without month'),
    ({'month': 10}, 'month=10 without year'),
    ({'year': 2020, 'month': 13}, 'month=13'),
    ({'year': 'twenty', 'month': 1}, "year='twenty'"),
    ({'year': 1999, 'month': 1}, 'year=1999'),
    ({'taxi_type': 'yellow; DROP TABLE x'}, 'taxi_type='),
    ({'months_back': -1}, 'months_back=-1'),
    ({'months_back': 'two'}, "months_back='two'"),
])
def test_nonsense_fails_naming_the_variable_and_both_ways_to_choose(variables, named):
    with pytest.raises(ValueError, match='Invalid pipeline variables') as error:
        choose_month(variables, MONTHLY_BACKFILL)
    assert named in str(error.value)
    if 'year' in variables or 'month' in variables:
        assert 'both variables year and month' in str(error.value) and 'backfill' in str(error.value)
