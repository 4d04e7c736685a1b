"""The run report's split of trips per day into the loaded month and the file's stragglers."""
from __future__ import annotations

from collections import Counter
from datetime import date

from devstack.report import split_by_month


def test_dates_outside_the_month_are_counted_apart():
    per_day = [(date(2009, 1, 1), 2), (date(2020, 12, 31), 3), (date(2021, 1, 1), 100), (date(2021, 1, 31), 90),
               (date(2021, 2, 1), 1)]
    in_month, stragglers = split_by_month(per_day, date(2021, 1, 1))
    assert in_month == [(date(2021, 1, 1), 100), (date(2021, 1, 31), 90)]
    assert stragglers == Counter({date(2009, 1, 1): 2, date(2020, 12, 31): 3, date(2021, 2, 1): 1})


def test_a_month_without_stragglers():
    in_month, stragglers = split_by_month([(date(2021, 2, 3), 5)], date(2021, 2, 1))
    assert in_month == [(date(2021, 2, 3), 5)] and not stragglers
