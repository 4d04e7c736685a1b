"""The pipeline editor, as the course works in it: each block's run button, one block at a time, any block again."""
from __future__ import annotations

import json
import re
import time
from datetime import datetime

import pytest
import yaml
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from devstack.paths import PROJECT_DIR
from nyc_taxi.staging.stage import EDITOR_STAGING_DIR
from tests.conftest import YELLOW_JAN
from tests.e2e.conftest import UI_TARGETS
from tests.e2e.ui import screenshot
from tests.integration.expected import transformed
from tests.integration.pg import month_fingerprint, query

pytestmark = pytest.mark.e2e

# The run button and the ... menu in a block's header: Mage gives them no names.
PLAY = 'button:has(path[d^="M8 4.13397"])'
MORE = 'button:has(svg[viewBox="0 0 13 2"])'
LOG_LINE = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+ INFO (\S+): (.*)$', re.M)


def open_editor(page: Page, mage_ui, pipeline: str, first_block: str = 'load_taxi_data_api') -> None:
    page.goto(f'{mage_ui.url}/pipelines/{pipeline}/edit', wait_until='networkidle', timeout=90_000)
    page.locator('a', has_text=first_block).first.wait_for(timeout=30_000)


def close_kernel_notice(page: Page) -> None:
    """Closes Mage's notice of its kernel (re)starting, shown also when the editor first meets its kernel."""
    if page.get_by_text('The kernel has restarted').count():
        page.get_by_role('button', name='Close', exact=True).first.click()


def click_past_kernel_notice(page: Page, button: Locator) -> None:
    """Clicks `button`; if the kernel's notice came up over it meanwhile (the editor's first sight of a kernel
    that was starting), closes the notice and clicks again."""
    try:
        button.click(timeout=10_000)
    except PlaywrightTimeout:
        close_kernel_notice(page)
        button.click()


def run_block(page: Page, pipeline: str, block: str, says: str, with_upstream: bool = False,
              timeout_s: float = 120) -> str:
    """Runs `block` as a user does and waits for the log line of this run that contains `says`; returns it.

    The block's run button (which may first offer "Execute block" or "Execute with upstream blocks"), or with
    `with_upstream` the block's ... menu, "Execute with all upstream blocks".
    """
    clicked = datetime.now().replace(microsecond=0)
    close_kernel_notice(page)
    header = page.locator('a', has_text=re.compile(f'^{block}$')).first
    header.scroll_into_view_if_needed()
    buttons = header.locator('xpath=ancestor::div[3]')
    if with_upstream:
        click_past_kernel_notice(page, buttons.locator(MORE).first)
        page.get_by_text('Execute with all upstream blocks', exact=True).first.click()
    else:
        click_past_kernel_notice(page, buttons.locator(PLAY).first)
        try:
            page.get_by_text('Execute block', exact=True).first.click(timeout=1_500)
        except PlaywrightTimeout:
            pass  # it ran at once
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for stamp, source, message in LOG_LINE.findall(page.inner_text('body')):
            if source == f'{pipeline}/{block}' and says in message and datetime.fromisoformat(stamp) >= clicked:
                assert '****' not in message, message
                return message
        errors = page.get_by_text(re.compile(r'Traceback \(most recent call last\)'))
        assert errors.count() == 0, page.inner_text('body')[-3000:]
        time.sleep(0.5)
    raise AssertionError(f'{block} did not log "{says}" within {timeout_s} s: {page.inner_text("body")[-3000:]}')


def output_tab(page: Page, index: int, block_index: int) -> Locator:
    """The tab `Output {index}` of the `block_index`th block showing outputs on the page."""
    return page.get_by_text(re.compile(f'^output {index}$', re.I)).nth(block_index)


def show(page: Page, tab: Locator, name: str) -> None:
    """Clicks an output's tab and screenshots the output with its tabs near the top of the editor."""
    tab.click()
    tab.evaluate("tab => tab.scrollIntoView({block: 'start'})")
    page.mouse.move(560, 450)  # over the editor's column: that is what the wheel scrolls
    page.mouse.wheel(0, -90)
    time.sleep(0.5)
    screenshot(page, name)


def editor_stages(mage_ui, pipeline: str) -> dict[str, int]:
    root = mage_ui.mage_data / EDITOR_STAGING_DIR / pipeline
    return {block.name: len(list(block.iterdir())) for block in sorted(root.iterdir())}


def test_api_to_postgres_block_by_block_each_block_again_alone_and_the_trips_in_the_previews(
        mage_ui, page, db, trip_data_dir):
    schema = UI_TARGETS['POSTGRES_SCHEMA']
    open_editor(page, mage_ui, 'api_to_postgres')
    run_block(page, 'api_to_postgres', 'load_taxi_data_api', 'staged in')
    run_block(page, 'api_to_postgres', 'transform_taxi_data', 'rows out')
    exported = f'rows of yellow 2021-01 now in {schema}.yellow_taxi_trips on postgresql://'
    for block, says in (('taxi_data_to_postgres', exported), ('taxi_data_to_postgres', exported),
                        ('taxi_data_to_postgres', exported), ('transform_taxi_data', 'rows out'),
                        ('taxi_data_to_postgres', exported)):
        run_block(page, 'api_to_postgres', block, says)
    count, _ = month_fingerprint(db, schema, 'yellow_taxi_trips', YELLOW_JAN.month_start)
    assert count == len(transformed(trip_data_dir, YELLOW_JAN))
    assert query(db, f"SELECT count(*) FROM {schema}.yellow_taxi_trips WHERE source_month = %s",
                 (YELLOW_JAN.month_start,)) == [(count,)]

    # The loader's preview: trips (the source's columns), then the staged month stating its size.
    loader_trips = output_tab(page, 0, 0)
    show(page, loader_trips, 'api_to_postgres_editor_loader_trips')
    page.get_by_role('columnheader', name='tpep_pickup_datetime').first.wait_for(timeout=10_000)
    page.get_by_text('10 rows x 20 columns').first.wait_for(timeout=10_000)
    show(page, output_tab(page, 1, 0), 'api_to_postgres_editor_loader_month')
    page.get_by_text('"trips": 3000').first.wait_for(timeout=10_000)
    # The transformer's: the clean trips, then the month per pickup date.
    output_tab(page, 0, 1).click()
    page.get_by_role('columnheader', name='tpep_pickup_date', exact=True).first.wait_for(timeout=10_000)
    show(page, output_tab(page, 1, 1), 'api_to_postgres_editor_transformer_summary')
    page.get_by_role('columnheader', name='rows_in', exact=True).first.wait_for(timeout=10_000)

    assert editor_stages(mage_ui, 'api_to_postgres') == {'load_taxi_data_api': 1, 'transform_taxi_data': 1}
    assert mage_ui.git_status() == ''


def test_api_to_gcs_each_exporter_alone_twice_leaves_only_each_blocks_newest_output(mage_ui, page):
    open_editor(page, mage_ui, 'api_to_gcs')
    run_block(page, 'api_to_gcs', 'load_taxi_data_api', 'staged in')
    run_block(page, 'api_to_gcs', 'transform_taxi_data', 'rows out')
    for block, says in (('taxi_data_to_gcs_parquet', 'rows to gs://nyc-taxi-local/nyc_taxi/yellow/'),
                        ('taxi_data_to_gcs_partitioned', 'partition files under gs://nyc-taxi-local/'),
                        ('export_daily_trips_gcs', 'nothing written')):
        for _ in range(2):
            run_block(page, 'api_to_gcs', block, says)
    run_block(page, 'api_to_gcs', 'taxi_data_to_gcs_parquet', 'rows to gs://', with_upstream=True)
    assert editor_stages(mage_ui, 'api_to_gcs') == {'load_taxi_data_api': 1, 'transform_taxi_data': 1}
    assert mage_ui.git_status() == ''


def test_the_connection_checks_of_test_config_pass_in_the_editor(mage_ui, page):
    """The seed's checks, as the course runs them: Postgres `SELECT 1` (a SQL block), GCS through Mage's own
    GoogleCloudStorage class, BigQuery `SELECT 1` (with the official client: Mage's class cannot reach the
    emulator)."""
    open_editor(page, mage_ui, 'test_config', first_block='test_postgres_connection')
    run_block(page, 'test_config', 'test_gcs_connection', 'gs://nyc-taxi-local on emulator http://127.0.0.1:')
    run_block(page, 'test_config', 'test_bigquery_connection', 'SELECT 1 answered 1 on')
    header = page.locator('a', has_text=re.compile('^test_postgres_connection$')).first
    click_past_kernel_notice(page, header.locator('xpath=ancestor::div[3]').locator(PLAY).first)
    page.get_by_text('1 row x 1 column', exact=True).first.wait_for(timeout=60_000)
    screenshot(page, 'test_config_editor_checks')



PIPELINES = sorted(path.name for path in (PROJECT_DIR / 'pipelines').iterdir() if (path / 'metadata.yaml').exists())


def save_with_description(page: Page, pipeline: str, description: str) -> None:
    """File > Save pipeline in the editor, the pipeline sent as the editor sends it with `description` in it, as
    the pipeline's settings page sends an edited description: Mage rewrites metadata.yaml only for a change."""
    def edit(route):
        if route.request.method != 'PUT':
            return route.continue_()
        body = route.request.post_data_json
        body['pipeline']['description'] = description
        route.continue_(post_data=json.dumps(body))

    page.route(f'**/api/pipelines/{pipeline}?*', edit)
    try:
        with page.expect_response(lambda response: response.request.method == 'PUT'
                                  and f'/api/pipelines/{pipeline}?' in response.url, timeout=30_000) as saved:
            page.get_by_text('File', exact=True).first.click()  # the editor's menu: what Ctrl+S does
            page.get_by_text('Save pipeline', exact=True).first.click()
        assert saved.value.ok and 'error' not in saved.value.json(), saved.value.text()[:2000]
    finally:
        page.unroute(f'**/api/pipelines/{pipeline}?*', edit)


@pytest.mark.parametrize('pipeline', PIPELINES)
def test_a_pipeline_saved_in_the_editor_changes_in_its_file_only_by_what_the_user_changed(mage_ui, page, pipeline):
    """The save writes metadata.yaml in Mage's form less run state and this machine's paths: it differs by the
    edited description only, and saving the old description back leaves the file byte for byte as committed."""
    metadata = mage_ui.clone / PROJECT_DIR.name / 'pipelines' / pipeline / 'metadata.yaml'
    committed = metadata.read_text()
    first_block = yaml.safe_load(committed)['blocks'][0]['uuid']
    open_editor(page, mage_ui, pipeline, first_block=first_block)
    save_with_description(page, pipeline, 'edited in the editor')
    assert yaml.safe_load(metadata.read_text()) == {**yaml.safe_load(committed), 'description': 'edited in the editor'}
    save_with_description(page, pipeline, yaml.safe_load(committed)['description'])
    assert metadata.read_text() == committed
    assert mage_ui.git_status() == ''
