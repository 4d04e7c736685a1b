"""What a user sees in the Mage UI: the pipelines, and the daily trigger that triggers.yaml declares."""
from __future__ import annotations

import pytest

from tests.e2e.ui import screenshot

pytestmark = pytest.mark.e2e


def test_the_pipelines_page_lists_the_projects_pipelines(mage_ui, page):
    page.goto(f'{mage_ui.url}/pipelines', wait_until='networkidle', timeout=90_000)
    for name in ('api_to_postgres', 'api_to_gcs', 'gcs_to_bigquery', 'test_config'):
        page.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
    screenshot(page, 'pipelines')


def test_gcs_to_bigquery_shows_the_daily_midnight_trigger(mage_ui, page):
    page.goto(f'{mage_ui.url}/pipelines/gcs_to_bigquery/triggers', wait_until='networkidle', timeout=90_000)
    row = page.get_by_role('row').filter(has_text='daily_gcs_to_bigquery')
    row.wait_for(timeout=30_000)
    assert '@daily' in row.inner_text()
    assert '00:00:00' in row.inner_text()
    screenshot(page, 'gcs_to_bigquery_triggers')
    # Mage's scheduler has synced the active trigger into its database (every 2 s here) without rewriting
    # triggers.yaml (nyc_taxi/mage/fixes/trigger_files.py).
    assert mage_ui.git_status() == ''
