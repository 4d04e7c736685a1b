import pandas as pd
import pyarrow.parquet as pq

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.run_context import downstream_blocks
from nyc_taxi.staging.staged_month import STAGED_FILE, clean_staged_month
from nyc_taxi.staging.stage import stage_of
from nyc_taxi.model.rules import rules_for
from nyc_taxi.model.transform import TransformReport, drop_missing_passenger_count

if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@transformer
def transform_taxi_data(data: pd.DataFrame, *args, **kwargs) -> pd.DataFrame:
    """Drops zero-passenger and zero-distance trips (yellow, green; FHV keeps every trip), snake_cases the
    columns, adds the pickup date.

    Streams the staged month through the rules into a clean staged file. The output is the month per
    pickup date: rows in, dropped by each rule, trips kept, their distance and fares, and kept rows
    breaking a rule (counted over every row; the @tests below require none).
    Variable drop_missing_passenger_count (default false): also drop trips without a passenger count.
    """
    stage = stage_of(data[STAGED_FILE].iloc[0])
    stage.expect_readers(downstream_blocks(kwargs, 'transform_taxi_data'))
    summary = clean_staged_month(stage, drop_missing_passenger_count(kwargs))
    block_logger(kwargs, 'transform_taxi_data').info('%s', TransformReport.of_summary(summary))
    return summary


@test
def test_every_row_is_kept_or_dropped_by_a_rule(output: pd.DataFrame, *args) -> None:
    dropped = output[list(rules_for(output['taxi_type'].iloc[0]).drop_names)].sum().sum()
    assert output['rows_in'].sum() == output['trips'].sum() + dropped, 'rows lost between source and clean month'


@test
def test_kept_trips_break_no_rule(output: pd.DataFrame, *args) -> None:
    """yellow/green: known vendor_id, passenger_count > 0, trip_distance > 0; FHV: a dispatching base,
    location ids that are zones (nyc_taxi/model/rules.py)."""
    rules = rules_for(output['taxi_type'].iloc[0]).violations
    broken = {f'{rule.name} ({rule.description})': int(output[rule.name].sum()) for rule in rules}
    assert not any(broken.values()), f'kept trips that break a rule: {broken}'


@test
def test_no_camel_case_columns(output: pd.DataFrame, *args) -> None:
    columns = pq.read_schema(output[STAGED_FILE].iloc[0]).names
    camel_case = [name for name in columns if name != name.lower()]
    assert not camel_case, f'CamelCase columns left: {camel_case}'
