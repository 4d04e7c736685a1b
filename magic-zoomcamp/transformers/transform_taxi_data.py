from typing import Any

import pandas as pd

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.current_months import skipped_above
from nyc_taxi.mage.run_context import input_read, output_made, stage_for_output
from nyc_taxi.mage.trips import block_output
from nyc_taxi.staging.staged_month import clean_staged_month, summary_frame
from nyc_taxi.staging.staged_table import StagedTable, staged_input
from nyc_taxi.model.month_summary import examples, summary_schema
from nyc_taxi.model.schema import schema_for
from nyc_taxi.model.rules import rules_for
from nyc_taxi.model.transform import TransformReport, drop_missing_passenger_count

if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer
if 'test' not in globals():
    from mage_ai.data_preparation.decorators import test


@transformer
def transform_taxi_data(data: list[Any], *args, **kwargs) -> list[Any]:
    """Drops zero-passenger and zero-distance trips (yellow, green; FHV and fhvhv keep every trip), snake_cases the
    columns, adds the pickup date.

    Streams the staged month through the rules into a clean staged file; trips staged in BigQuery
    (gcs_to_bigquery) are cleaned there, by the same rules rendered to SQL. Outputs: the first clean trips;
    the month per pickup date (rows in, dropped by each rule, trips kept, their distance and fares, and kept
    rows breaking a rule, counted over every row; the @tests below require none); the clean staged trips.
    Variable drop_missing_passenger_count (default false): also drop trips without a passenger count.
    A month the loader skipped (current in every target) passes on, with a summary of zeros.
    """
    skipped = skipped_above(data, 'transform_taxi_data', kwargs)
    if skipped is not None:  # nothing cleaned in this run: the summary's one row of zeros
        taxi_type = skipped.taxi_type
        return [skipped.as_frame(), summary_frame(summary_schema(taxi_type).empty_table(), schema_for(taxi_type)),
                skipped]
    source = staged_input(data, 'transform_taxi_data')
    if isinstance(source, StagedTable):
        # Imported here: BigQuery's client takes ~0.7 s to import, which the other pipelines' runs need not pay.
        from nyc_taxi.mage.in_bigquery import clean_in_bigquery

        return clean_in_bigquery(source, 'transform_taxi_data', drop_missing_passenger_count(kwargs), **kwargs)
    stage = stage_for_output(kwargs, 'transform_taxi_data')
    summary, clean = clean_staged_month(source, stage, 'transform_taxi_data', drop_missing_passenger_count(kwargs))
    input_read(kwargs, source, 'transform_taxi_data')
    output_made(kwargs, stage)
    block_logger(kwargs, 'transform_taxi_data').info('%s', TransformReport.of_summary(summary))
    return block_output(clean, summary)


@test
def test_every_row_is_kept_or_dropped_by_a_rule(preview, summary: pd.DataFrame, *args) -> None:
    dropped = summary[list(rules_for(summary['taxi_type'].iloc[0]).drop_names)].sum().sum()
    assert summary['rows_in'].sum() == summary['trips'].sum() + dropped, 'rows lost between source and clean month'


@test
def test_kept_trips_break_no_rule(preview, summary: pd.DataFrame, *args) -> None:
    """yellow/green: known vendor_id, passenger_count > 0, trip_distance > 0; FHV: a dispatching base,
    location ids that are zones; fhvhv: also a known hvfhs_license_num (nyc_taxi/model/rules.py)."""
    rules = rules_for(summary['taxi_type'].iloc[0]).violations
    broken = {f'{rule.name} ({rule.description})': int(summary[rule.name].sum()) for rule in rules}
    named = {rule.name: examples(summary, rule) for rule in rules if examples(summary, rule)}
    assert not any(broken.values()), f'kept trips that break a rule: {broken}' + (f'; values: {named}' if named else '')


@test
def test_no_camel_case_columns(preview: pd.DataFrame, summary: pd.DataFrame, *args) -> None:
    camel_case = [name for name in preview.columns if name != name.lower()]
    assert not camel_case, f'CamelCase columns left: {camel_case}'
