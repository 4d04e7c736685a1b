"""What the browser tests do on Mage's pages: screenshots, its date picker, waiting for runs to finish."""
from __future__ import annotations

import os
import shutil
import time
from datetime import date, datetime
from pathlib import Path

from playwright.sync_api import Page

from devstack.paths import REPO_ROOT

README_SCREENSHOTS = REPO_ROOT / 'docs' / 'screenshots'
# Test artifacts (git-ignored): every step's screenshot, and the page as it was when a test failed.
ARTIFACTS = Path(os.environ.get('E2E_ARTIFACTS_DIR', REPO_ROOT / 'test-artifacts' / 'screenshots'))


def screenshot(page: Page, name: str, full_page: bool = False) -> Path:
    """Into ARTIFACTS; also into docs/screenshots with UPDATE_SCREENSHOTS=1 (the README shows those), but for
    the page at a failure (FAILED-...), which stays with the test artifacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f'{name}.png'
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get('UPDATE_SCREENSHOTS') == '1' and not name.startswith('FAILED-'):
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, README_SCREENSHOTS / path.name)
    return path


def months_between(later: date, earlier: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def pick_date(page: Page, field_index: int, day: date) -> None:
    """Mage's date fields open a calendar (react-calendar) that ignores typed text: page to the month, click the day.

    The time stays at the picker's default, 00:00 UTC.
    """
    page.get_by_placeholder('YYYY-MM-DD HH:MM').nth(field_index).click()
    label = page.locator('.react-calendar__navigation__label')
    for _ in range(1200):
        shown = datetime.strptime(label.inner_text().strip(), '%B %Y').date()
        distance = months_between(shown, day)
        if distance == 0:
            break
        if abs(distance) >= 12:
            page.get_by_role('button', name='«' if distance > 0 else '»', exact=True).click()
        else:
            page.get_by_role('button', name='‹' if distance > 0 else '›', exact=True).click()
    page.get_by_label(f'{day:%B} {day.day}, {day.year}', exact=True).click()
    page.get_by_role('heading', name='Settings').click()  # closes the calendar


def wait_for_done_runs(page: Page, count: int, timeout_s: float, log_tail) -> None:
    """Until the page's runs table shows `count` runs Done; fails at once on a failed or cancelled run.

    Reloads every 2 s: Mage's runs page does not refresh itself, and its backfill page polls only
    for a while.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        statuses = [button.inner_text().strip() for button in page.get_by_role('row').get_by_role('button').all()]
        finished_badly = [status for status in statuses if status in ('Failed', 'Cancelled')]
        assert not finished_badly, f'a run ended {finished_badly[0]}; Mage log:\n{log_tail()}'
        if statuses.count('Done') >= count:
            return
        assert time.monotonic() < deadline, f'{count} runs not Done after {timeout_s} s ({statuses}); Mage log:\n' \
                                            f'{log_tail()}'
        time.sleep(2)
        page.reload(wait_until='networkidle')


def run_backfill_from_the_tab(page: Page, mage_ui, pipeline: str, name: str, first: date, last: date, interval: str,
                              variables: dict[str, str], run_dates: tuple[str, ...]) -> None:
    """Creates the backfill in the pipeline's Backfill tab as a user would, starts it, waits for its runs to be Done.

    Screenshots `<pipeline>_backfill_form` and `<pipeline>_backfill_done`.
    """
    page.goto(f'{mage_ui.url}/pipelines/{pipeline}/backfills', wait_until='networkidle', timeout=90_000)
    page.get_by_role('button', name='Create new backfill').click()
    page.get_by_placeholder('Name this backfill').wait_for(timeout=30_000)
    page.get_by_text('Date and time window').click()
    page.get_by_placeholder('Name this backfill').fill(name)
    pick_date(page, 0, first)
    pick_date(page, 1, last)
    page.locator('select').select_option(interval)
    page.get_by_placeholder(f'Number of {interval}s between each backfill').fill('1')
    for variable, value in variables.items():
        page.get_by_placeholder('New variable UUID').fill(variable)
        page.get_by_placeholder('Variable value').fill(value)
        page.get_by_role('button', name='Add runtime variable').click()
    screenshot(page, f'{pipeline}_backfill_form', full_page=bool(variables))
    page.get_by_role('button', name='Save changes').click()

    start = page.get_by_role('button', name='Start backfill')
    start.wait_for(timeout=30_000)
    planned_runs = page.locator('tr[id^="pipeline-runs-row"]')
    for day in run_dates:  # one planned run per step
        planned_runs.filter(has_text=f'{day}T00:00:00').wait_for(timeout=30_000)
    assert planned_runs.count() == len(run_dates)
    start.click()
    wait_for_done_runs(page, count=len(run_dates), timeout_s=180, log_tail=mage_ui.log_tail)
    screenshot(page, f'{pipeline}_backfill_done')


def show_block_output(page: Page, block: str) -> None:
    """On a pipeline run's page: selects `block`'s block run (a click on its row, not on the block's name, which
    opens the editor), waits for the side panel's Block output tab, and drags the panel's edge as far left as
    Mage lets it go (600 px from the left), so its table has room, as a user would."""
    row = page.get_by_role('row').filter(has_text=block)
    row.wait_for(timeout=30_000)
    row.get_by_role('cell').nth(3).click()  # the block run's ID
    page.get_by_text('Block output', exact=True).wait_for(timeout=30_000)
    handle = page.locator('[class*="DraggableStyle"]').first  # the side panel's left edge, the page's only one
    box = handle.bounding_box()
    x, y = box['x'] + box['width'] / 2, box['y'] + box['height'] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(0, y, steps=10)
    page.mouse.up()
