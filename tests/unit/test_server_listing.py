from datetime import date

from nyc_taxi.sources.server_listing import month_ranges


def test_consecutive_months_read_as_one_range_across_a_year():
    months = [date(2019, 1, 1), date(2020, 11, 1), date(2020, 12, 1), date(2021, 1, 1), date(2021, 3, 1)]
    assert month_ranges(months) == '2019-01, 2020-11..2021-01, 2021-03'


def test_one_month():
    assert month_ranges([date(2021, 7, 1)]) == '2021-07'
