"""Runs started where users start them, in the Mage UI: a run-once trigger and a backfill over three dates."""
from __future__ import annotations

import re
from datetime import date

import pyarrow as pa
import pytest
import yaml

from devstack.paths import PROJECT_DIR
from nyc_taxi.model.month_summary import summary_schema
from nyc_taxi.model.schema import schema_for
from nyc_taxi.sources.release_csv import read_trip_file
from nyc_taxi.targets.bigquery import BigQuerySettings
from tests.conftest import GREEN_Q4_2020, YELLOW_FEB, YELLOW_JAN
from tests.e2e.conftest import UI_TARGETS
from tests.e2e.ui import run_backfill_from_the_tab, screenshot, show_block_output, wait_for_done_runs
from tests.integration.expected import month_vars, transformed
from tests.integration.pg import month_fingerprint, query
from tests.integration.rows_per_date import bigquery_rows_per_date, gcs_rows_per_date

pytestmark = pytest.mark.e2e

BLOCK_OUTPUT_VIEWPORT = {'width': 2300, 'height': 1000}
# rows_in, the drops by rule, trips, the violations: the columns the transformer's @tests read.
YELLOW_SUMMARY = summary_schema('yellow')
SUMMARY_COLUMNS_SHOWN = tuple(field.name for field in YELLOW_SUMMARY if not pa.types.is_floating(field.type))


def test_api_to_postgres_runs_once_from_the_triggers_tab_with_the_month_typed_in(mage_ui, page, db, trip_data_dir):
    page.goto(f'{mage_ui.url}/pipelines/api_to_postgres/triggers', wait_until='networkidle', timeout=90_000)
    page.get_by_role('button', name='Run@once').click()
    dialog = page.get_by_text('Run pipeline now').locator('xpath=ancestor::div[3]')
    dialog.wait_for(timeout=30_000)
    # The pipeline's variables, offered for this run in the order of metadata.yaml (Mage's, sorted by name);
    # year and month null: unset.
    defaults = yaml.safe_load((PROJECT_DIR / 'pipelines' / 'api_to_postgres' / 'metadata.yaml').read_text())['variables']
    values = dialog.get_by_placeholder('Variable value')
    offered = {name: values.nth(index).input_value() for index, name in enumerate(defaults)}
    assert {name: offered[name] for name in ('taxi_type', 'source', 'year', 'month')} == {
        'taxi_type': 'yellow', 'source': 'release', 'year': 'null', 'month': 'null'}
    values.nth(list(defaults).index('year')).fill(str(YELLOW_FEB.year))
    values.nth(list(defaults).index('month')).fill(str(YELLOW_FEB.month))
    screenshot(page, 'api_to_postgres_run_once')
    page.get_by_role('button', name='Run now').click()

    page.goto(f'{mage_ui.url}/pipelines/api_to_postgres/runs', wait_until='networkidle', timeout=90_000)
    wait_for_done_runs(page, count=1, timeout_s=120, log_tail=mage_ui.log_tail)
    assert page.get_by_role('row').filter(has_text='3 / 3').count() == 1  # all three blocks ran
    screenshot(page, 'api_to_postgres_runs')

    count, _ = month_fingerprint(db, UI_TARGETS['POSTGRES_SCHEMA'], 'yellow_taxi_trips', YELLOW_FEB.month_start)
    assert count == len(transformed(trip_data_dir, YELLOW_FEB)) > 0

    # The run's block outputs: the transformer's is the month per pickup date, rows in, drops by rule, trips
    # kept and rule violations, counted over every row. Wide enough for those columns side by side.
    page.set_viewport_size(BLOCK_OUTPUT_VIEWPORT)
    page.get_by_role('link', name='3 / 3').click()
    page.wait_for_url('**/pipelines/api_to_postgres/runs/*', timeout=30_000)
    show_block_output(page, 'transform_taxi_data')
    # Its outputs, each a tab: the first clean trips, the summary, the staged trips. The summary's tab:
    tabs = page.get_by_text(re.compile('^block output', re.I))
    for index in range(tabs.count()):
        tabs.nth(index).click()
        if page.get_by_role('columnheader', name='rows_in', exact=True).count():
            break
    for column in SUMMARY_COLUMNS_SHOWN:
        header = page.get_by_role('columnheader', name=column, exact=True)
        header.wait_for(timeout=30_000)
        box = header.bounding_box()
        assert box['x'] + box['width'] <= BLOCK_OUTPUT_VIEWPORT['width'], f'{column} is off the screen'
    source = read_trip_file(trip_data_dir / 'yellow' / YELLOW_FEB.file_name, schema_for('yellow'))
    dates = source[schema_for('yellow').pickup_datetime].dt.date.nunique(dropna=False)
    page.get_by_text(f'{dates} rows x {len(YELLOW_SUMMARY) + 1} columns').wait_for(timeout=30_000)
    screenshot(page, 'api_to_postgres_block_output')


@pytest.fixture
def january_in_gcs(mage_run) -> None:
    result = mage_run('api_to_gcs', month_vars(YELLOW_JAN))
    assert result.returncode == 0, result.output


def test_a_backfill_over_three_dates_from_the_backfill_tab(mage_ui, page, january_in_gcs,
                                                           bigquery_emulator, gcs_filesystem):
    run_backfill_from_the_tab(page, mage_ui, 'gcs_to_bigquery', 'three_january_days', date(2021, 1, 10),
                              date(2021, 1, 12), 'day', {}, ('2021-01-10', '2021-01-11', '2021-01-12'))

    # A run at 00:00 on D loads D - 1, the day that just closed: three runs, three days, each once.
    client = BigQuerySettings.from_io_config(bigquery_emulator).client()
    in_gcs = gcs_rows_per_date(gcs_filesystem, date(2021, 1, 9), date(2021, 1, 11))
    assert bigquery_rows_per_date(client, UI_TARGETS['BQ_DATASET']) == in_gcs and len(in_gcs) == 3


def test_a_monthly_backfill_from_the_backfill_tab_loads_the_quarter(mage_ui, page, db, trip_data_dir):
    run_backfill_from_the_tab(page, mage_ui, 'api_to_postgres', 'green_q4_2020', date(2020, 10, 1),
                              date(2020, 12, 1), 'month', {'taxi_type': 'green'},
                              ('2020-10-01', '2020-11-01', '2020-12-01'))

    # Each run loads the month of its date: October, November and December, each once, nothing else.
    loaded = query(db, f'SELECT source_month, count(*) FROM "{UI_TARGETS["POSTGRES_SCHEMA"]}".green_taxi_trips '
                       'GROUP BY 1 ORDER BY 1')
    assert loaded == [(request.month_start, len(transformed(trip_data_dir, request))) for request in GREEN_Q4_2020]
