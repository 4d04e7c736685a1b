"""The one rule that picks the month a run of api_to_postgres or api_to_gcs loads.

| how the pipeline runs                                    | month loaded                                  |
|----------------------------------------------------------|-----------------------------------------------|
| `year` and `month` variables given                       | that month                                    |
| a backfill or a recurring trigger, without year/month    | the month of `execution_date`, minus `months_back` |
| `mage run`, an editor run, Run@once, without year/month  | the default month, yellow 2021-01, said in the log |
| only one of year/month, or a value that is no month      | an error before anything is downloaded        |

The default month is the rule's, not metadata.yaml's: a default pinned in the pipeline's variables
reaches every run, and a run could no longer tell it from a month the user chose.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from dateutil.relativedelta import relativedelta

from nyc_taxi.runs.request import DEFAULT_TAXI_TYPE, MonthRequest, validated_month_request
from nyc_taxi.runs.schedule import RunSchedule

DEFAULT_YEAR, DEFAULT_MONTH = 2021, 1
HOW_TO_CHOOSE = ('Choose a month with both variables year and month (e.g. {"year": 2020, "month": 10}), or run the '
                 'pipeline from a backfill or a recurring trigger, which loads the month of its execution_date '
                 '(minus months_back)')


@dataclass(frozen=True)
class MonthChoice:
    request: MonthRequest
    reason: str

    def __str__(self) -> str:
        return f'{self.request} ({self.reason})'


def is_given(variables: Mapping[str, Any], name: str) -> bool:
    """Set for this run: Mage passes unset variables as None; the UI may send '', 'None' or 'null'."""
    return variables.get(name) not in (None, '', 'None', 'null')


def taxi_type_of(variables: Mapping[str, Any]) -> str:
    if not is_given(variables, 'taxi_type'):
        return DEFAULT_TAXI_TYPE
    return validated_month_request(taxi_type=variables['taxi_type'], year=DEFAULT_YEAR, month=DEFAULT_MONTH).taxi_type


def lag(variables: Mapping[str, Any], name: str) -> int:
    """A non-negative whole number of months or days to look back (`months_back`, `days_back`); 0 if unset."""
    if not is_given(variables, name):
        return 0
    value = variables[name]
    try:
        number = int(str(value))
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f'Invalid pipeline variables: {name}={value!r} must be a whole number >= 0')
    return number


def choose_month(variables: Mapping[str, Any], schedule: RunSchedule) -> MonthChoice:
    """The month this run loads, by the table in this module's docstring."""
    taxi_type = taxi_type_of(variables)
    has_year, has_month = is_given(variables, 'year'), is_given(variables, 'month')
    if has_year != has_month:
        given, missing = ('year', 'month') if has_year else ('month', 'year')
        raise ValueError(f'Invalid pipeline variables: {given}={variables[given]!r} without {missing}. '
                         f'{HOW_TO_CHOOSE}.')
    if has_year:
        try:
            request = validated_month_request(taxi_type=taxi_type, year=variables['year'], month=variables['month'])
        except ValueError as error:
            raise ValueError(f'{error}. {HOW_TO_CHOOSE}.') from None
        return MonthChoice(request, 'the year and month variables')
    months_back = lag(variables, 'months_back')
    if schedule.is_scheduled and schedule.execution_date is not None:
        month = schedule.execution_date.replace(day=1) - relativedelta(months=months_back)
        back = f' minus months_back={months_back}' if months_back else ''
        return MonthChoice(validated_month_request(taxi_type=taxi_type, year=month.year, month=month.month),
                           f'the month of {schedule.describe()}{back}')
    return MonthChoice(MonthRequest(taxi_type=taxi_type, year=DEFAULT_YEAR, month=DEFAULT_MONTH),
                       f'the default month: no year/month variables in {schedule.describe()}. {HOW_TO_CHOOSE}')
