"""Month pipelines follow their schedule, through real Mage: backfills and triggers load the month of each run.

Backfills go through Mage's Backfill model and scheduler (`python -m devstack backfill`, what the Backfill
tab does); trigger runs through a PipelineSchedule and its PipelineRun (`python -m devstack trigger-run`).
"""
from __future__ import annotations

import json
from datetime import date

import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from devstack.emulators import LOCAL_BUCKET
from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.targets.parquet_exports import daily_object_key, month_object_key, partitioned_root
from nyc_taxi.runs.request import MonthRequest
from tests.conftest import GREEN_Q4_2020, YELLOW_JAN
from tests.integration.expected import month_vars, transformed
from tests.integration.pg import month_fingerprint, query
from tests.integration.rows_per_date import bigquery_rows_per_date, gcs_rows_per_date

pytestmark = pytest.mark.integration
GREEN = {'taxi_type': 'green'}


def run_lines(output: str) -> list[list[str]]:
    """`make backfill`'s line per run: execution date, month or dates, rows, status."""
    return [line.split() for line in output.splitlines() if line.startswith('  20')]


def loaded_months(db, schema: str, table: str) -> dict[date, tuple[int, str]]:
    months = [month for (month,) in query(db, f'SELECT DISTINCT source_month FROM "{schema}"."{table}"')]
    return {month: month_fingerprint(db, schema, table, month) for month in sorted(months)}


def test_a_monthly_backfill_loads_each_month_it_covers_once_and_the_same_again(devstack_cli, db, trip_data_dir):
    fingerprints = []
    for attempt in range(2):
        result = devstack_cli('backfill', '--interval', 'month', 'api_to_postgres', '2020-10-01', '2020-12-01',
                              '{"taxi_type": "green"}', POSTGRES_SCHEMA='quarter')
        assert result.returncode == 0, result.output[-5000:]
        assert [(line[0], line[1], line[2], line[-1]) for line in run_lines(result.stdout)] == [
            ('2020-10-01', 'green', '2020-10', 'completed'), ('2020-11-01', 'green', '2020-11', 'completed'),
            ('2020-12-01', 'green', '2020-12', 'completed')]
        months = loaded_months(db, 'quarter', 'green_taxi_trips')
        assert {month: count for month, (count, _) in months.items()} == {
            request.month_start: len(transformed(trip_data_dir, request)) for request in GREEN_Q4_2020}
        fingerprints.append(months)
    assert fingerprints[0] == fingerprints[1]


def test_a_daily_backfill_of_api_to_gcs_loads_its_month_once_and_writes_each_date(devstack_cli, gcs_filesystem,
                                                                                 trip_data_dir):
    result = devstack_cli('backfill', 'api_to_gcs', '2021-01-10', '2021-01-12', '{"taxi_type": "yellow"}')
    assert result.returncode == 0, result.output[-5000:]
    assert [(line[1], line[2], line[-1]) for line in run_lines(result.stdout)] == [('yellow', '2021-01', 'completed')] * 3

    expected = transformed(trip_data_dir, YELLOW_JAN)
    assert pq.read_metadata(f'{LOCAL_BUCKET}/{month_object_key(YELLOW_JAN)}',
                            filesystem=gcs_filesystem).num_rows == len(expected)
    month_files = [info.path for info in gcs_filesystem.get_file_info(
        pafs.FileSelector(partitioned_root(LOCAL_BUCKET, 'yellow'), recursive=True))
        if info.type == pafs.FileType.File and f'{YELLOW_JAN.file_stem}-' in info.path]
    assert len(month_files) == expected['tpep_pickup_date'].nunique()  # one file per date: the month once
    for day in (date(2021, 1, 10), date(2021, 1, 11), date(2021, 1, 12)):
        daily = pq.read_table(f'{LOCAL_BUCKET}/{daily_object_key(day, "yellow")}', filesystem=gcs_filesystem)
        assert daily.num_rows == (expected['tpep_pickup_date'] == day).sum() > 0
        assert set(daily.column('tpep_pickup_date').to_pylist()) == {day}


def test_a_monthly_backfill_of_gcs_to_bigquery_replaces_whole_months(devstack_cli, gcs_filesystem,
                                                                     bigquery_emulator):
    result = devstack_cli('backfill', '--interval', 'month', 'api_to_gcs', '2020-10-01', '2020-11-01',
                          '{"taxi_type": "green"}')
    assert result.returncode == 0, result.output[-5000:]
    client = BigQuerySettings.from_io_config(bigquery_emulator).client()
    for attempt in range(2):
        result = devstack_cli('backfill', '--interval', 'month', 'gcs_to_bigquery', '2020-11-01', '2020-12-01',
                              '{"taxi_type": "green"}', BQ_DATASET='months')
        assert result.returncode == 0, result.output[-5000:]
        # A run on the 1st loads the month that just closed, every date of it (Mage's own interval says 10-02).
        assert [(line[0], line[2], line[-1]) for line in run_lines(result.stdout)] == [
            ('2020-11-01', '2020-10-01..2020-10-31', 'completed'),
            ('2020-12-01', '2020-11-01..2020-11-30', 'completed')]
        in_gcs = gcs_rows_per_date(gcs_filesystem, date(2020, 10, 1), date(2020, 11, 30), 'green')
        assert bigquery_rows_per_date(client, 'months', 'green') == in_gcs and len(in_gcs) == 61


@pytest.mark.parametrize('interval, execution_date, variables, loaded', [
    ('@monthly', '2020-11-01', GREEN, MonthRequest(taxi_type='green', year=2020, month=11)),
    ('@monthly', '2021-01-01', {**GREEN, 'months_back': 2}, MonthRequest(taxi_type='green', year=2020, month=11)),
    ('@daily', '2020-12-15', GREEN, MonthRequest(taxi_type='green', year=2020, month=12)),
    ('@once', '2020-11-01', {**GREEN, 'year': 2020, 'month': 10}, MonthRequest(taxi_type='green', year=2020, month=10)),
    ('@once', '2020-11-01', GREEN, MonthRequest(taxi_type='green', year=2021, month=1)),
])
def test_each_kind_of_trigger_run_loads_the_month_of_the_rule(devstack_cli, db, trip_data_dir, interval,
                                                              execution_date, variables, loaded):
    schema = f'trigger_{interval[1:]}_{execution_date.replace("-", "")}_{len(variables)}'
    result = devstack_cli('trigger-run', 'api_to_postgres', interval, execution_date, json.dumps(variables),
                          POSTGRES_SCHEMA=schema)
    assert result.returncode == 0, result.output[-5000:]
    assert {month: count for month, (count, _) in loaded_months(db, schema, 'green_taxi_trips').items()} == {
        loaded.month_start: len(transformed(trip_data_dir, loaded))}
    if interval == '@once' and 'year' not in variables:
        assert 'loading green 2021-01 (the default month' in result.output


def test_mage_run_without_a_month_loads_the_default_month_and_says_so(mage_run, db, trip_data_dir):
    result = mage_run('api_to_postgres', {}, POSTGRES_SCHEMA='default_month')
    assert result.returncode == 0, result.output
    assert 'loading yellow 2021-01 (the default month: no year/month variables in a manual run' in result.output
    assert list(loaded_months(db, 'default_month', 'yellow_taxi_trips')) == [YELLOW_JAN.month_start]


@pytest.mark.parametrize('variables, named', [({'year': 2020}, 'year=2020 without month'),
                                              ({'year': 2020, 'month': 'oct'}, "month='oct'")])
def test_half_a_month_or_nonsense_fails_before_downloading(mage_run, db, variables, named):
    result = mage_run('api_to_postgres', variables, POSTGRES_SCHEMA='bad_month')
    assert result.returncode != 0
    assert named in result.output and 'both variables year and month' in result.output
    assert 'Downloading' not in result.output and 'tripdata' not in result.output


def test_the_homework_filter_drops_unknown_passenger_counts_too(mage_run, db, trip_data_dir):
    october = GREEN_Q4_2020[0]
    result = mage_run('api_to_postgres', month_vars(october, drop_missing_passenger_count=True),
                      POSTGRES_SCHEMA='homework')
    assert result.returncode == 0, result.output
    kept = transformed(trip_data_dir, october)
    expected = int(kept['passenger_count'].notna().sum())
    assert 0 < expected < len(kept)
    assert month_fingerprint(db, 'homework', 'green_taxi_trips', october.month_start)[0] == expected


def test_two_months_loading_at_once_both_land_once(mage_start, db, gcs_filesystem, trip_data_dir, tmp_path):
    october, november = GREEN_Q4_2020[:2]
    processes = [mage_start(pipeline, month_vars(request), tmp_path / f'{pipeline}-{request.month}',
                            POSTGRES_SCHEMA='side_by_side')
                 for request in (october, november) for pipeline in ('api_to_postgres', 'api_to_gcs')]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output[-3000:] if output else ''

    expected = {request.month_start: len(transformed(trip_data_dir, request)) for request in (october, november)}
    assert {month: count for month, (count, _) in loaded_months(db, 'side_by_side', 'green_taxi_trips').items()
            if month in expected} == expected
    files = [info.path for info in gcs_filesystem.get_file_info(
        pafs.FileSelector(partitioned_root(LOCAL_BUCKET, 'green'), recursive=True)) if info.type == pafs.FileType.File]
    for request in (october, november):
        rows = sum(pq.read_metadata(path, filesystem=gcs_filesystem).num_rows for path in files
                   if f'{request.file_stem}-' in path)
        assert rows == expected[request.month_start]
