"""Calendar months as their first day: the coverage report's one way of stepping through them."""
from __future__ import annotations

from datetime import date, timedelta


def first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """The months from `first`'s to `last`'s, both included (none when `last` comes first)."""
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months
