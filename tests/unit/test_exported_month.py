"""An exporter writes the month of the trips it is handed, and refuses when the run asks for another."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from nyc_taxi.mage.exported_month import StagedInputMismatch, checked_dates, checked_frame_month, checked_month
from nyc_taxi.model.schema import schema_for
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.staging.staged_table import StagedTable
from nyc_taxi.staging.staged_trips import StagedTrips

MARCH = MonthRequest(taxi_type='yellow', year=2021, month=3)
APRIL = MonthRequest(taxi_type='yellow', year=2021, month=4)


def staged(request: MonthRequest | None, source: str | None = 'release') -> StagedTrips:
    return StagedTrips('yellow', str(request), 'http://files/x.csv.gz', 10, 1, None, None, '/nowhere/clean.arrow',
                       'transform_taxi_data', request=request, source_name=source)


def test_the_staged_month_is_written_when_the_run_asks_for_it():
    assert checked_month(staged(MARCH), MARCH, 'release', 'taxi_data_to_postgres') == MARCH


def test_another_month_in_the_variables_is_refused_naming_both_and_what_to_set_back():
    with pytest.raises(StagedInputMismatch) as refused:
        checked_month(staged(MARCH), APRIL, 'release', 'taxi_data_to_postgres')
    message = str(refused.value)
    assert 'yellow 2021-03 trips' in message and 'ask for yellow 2021-04' in message
    assert 'nothing was written' in message and 'set month back to 3 under Variables' in message


def test_another_source_is_refused_too():
    with pytest.raises(StagedInputMismatch, match='source back to release'):
        checked_month(staged(MARCH), MARCH, 'tlc', 'taxi_data_to_postgres')


def test_trips_staged_before_they_knew_their_month_are_the_runs():
    assert checked_month(staged(None, None), APRIL, 'release', 'x') == APRIL


def test_a_dataframe_of_yours_is_the_month_most_of_its_pickups_fall_in():
    schema = schema_for('yellow')
    march = pd.DataFrame({'tpep_pickup_datetime': [datetime(2021, 3, 5), datetime(2021, 3, 9),
                                                   datetime(2021, 2, 28, 23, 59)]})
    assert checked_frame_month(march, MARCH, schema, 'x') == MARCH
    with pytest.raises(StagedInputMismatch, match='most of them picked up in 2021-03.*ask for yellow 2021-04'):
        checked_frame_month(march, APRIL, schema, 'x')
    assert checked_frame_month(march.iloc[:0], APRIL, schema, 'x') == APRIL


def test_a_staging_table_of_other_dates_is_refused():
    table = StagedTable('yellow', 'yellow 2021-01-01..2021-01-31', 'gs://b/x', 't', 5, 1, None, None,
                        'transform_taxi_data', dates=(date(2021, 1, 1), date(2021, 1, 31)))
    checked_dates(table, 'yellow', date(2021, 1, 1), date(2021, 1, 31), 'taxi_data_to_bigquery')
    with pytest.raises(StagedInputMismatch, match='2021-01-01..2021-01-31.*ask for yellow 2021-02-01..2021-02-28'):
        checked_dates(table, 'yellow', date(2021, 2, 1), date(2021, 2, 28), 'taxi_data_to_bigquery')
    with pytest.raises(StagedInputMismatch):
        checked_dates(table, 'green', date(2021, 1, 1), date(2021, 1, 31), 'taxi_data_to_bigquery')
