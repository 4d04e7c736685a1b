"""The Mage UI as `make ui` starts it, on a copy of the project, against the test stack, for a real browser."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from devstack.env_file import read_env_file
from devstack.paths import REPO_ROOT
from devstack.processes import stop_process_group
from tests.e2e.ui import screenshot
from tests.integration.conftest import (bigquery_emulator, db, file_server, gcs_emulator, gcs_filesystem, gcs_root,  # noqa: F401
                                        mage_data_dir, mage_run, postgres_cluster, stack_settings)
from tests.project_clone import git_status
from tests.ui_command import start_ui

CHROMIUM = Path('/usr/bin/chromium')
VIEWPORT = {'width': 1400, 'height': 900}
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                  '--disable-component-update', '--no-first-run']


# Where the UI's runs write, apart from what the `mage run` tests write.
UI_TARGETS = {'POSTGRES_SCHEMA': 'ui', 'BQ_DATASET': 'ui'}
UI_LOGIN = {key: value for key, value in read_env_file(REPO_ROOT / 'dev.env').items()
            if key in ('REQUIRE_USER_AUTHENTICATION', 'DEFAULT_OWNER_EMAIL', 'DEFAULT_OWNER_PASSWORD')}


@dataclass(frozen=True)
class MageUi:
    url: str
    log: Path
    clone: Path  # the project's copy Mage serves, a git repository with Mage's data under stack/

    @property
    def mage_data(self) -> Path:
        return self.clone / 'stack' / 'mage_data' / 'magic-zoomcamp'

    def git_status(self) -> str:
        return git_status(self.clone)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors='replace')[-chars:]


@pytest.fixture(scope='session')
def mage_ui(stack_settings: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[MageUi]:
    """The Mage UI as `make ui` starts it, on a copy of the project: Mage's scheduler rewrites triggers.yaml."""
    work = tmp_path_factory.mktemp('ui')
    # Login on, with dev.env's owner, as users get it. The scheduler picks up runs started in the UI on
    # its next tick: every 2 s instead of 10.
    ui = start_ui(work, {**stack_settings, **UI_TARGETS, **UI_LOGIN, 'SCHEDULER_TRIGGER_INTERVAL': '2'})
    yield MageUi(ui.url, ui.log, ui.clone)
    stop_process_group(ui.process.pid)  # devstack ui then stops Mage's own process group


@pytest.fixture(scope='session')
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f'{CHROMIUM} is not installed (make test installs it with apt-get where it can)')
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == 'call':
        item.call_failed = outcome.get_result().failed


@pytest.fixture(scope='session')
def signed_in(browser, mage_ui: MageUi) -> dict:
    """The browser state of a user signed in on Mage's sign-in page with dev.env's owner login."""
    assert UI_LOGIN['REQUIRE_USER_AUTHENTICATION'] == '1'
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f'{mage_ui.url}/pipelines', wait_until='networkidle', timeout=90_000)
    page.wait_for_url('**/sign-in**', timeout=30_000)  # the login is on: the pipelines need a user
    # Mage's fields lose their placeholder once typed into; their label attribute stays.
    page.locator('input[label="Email"]').fill(UI_LOGIN['DEFAULT_OWNER_EMAIL'])
    page.locator('input[label="Password"]').fill(UI_LOGIN['DEFAULT_OWNER_PASSWORD'])
    page.get_by_role('button', name='Sign into Mage').click()
    try:
        page.wait_for_url(lambda url: '/sign-in' not in url, timeout=30_000)
    except Exception:
        print(f'page at failure: {screenshot(page, "FAILED-sign-in")}')
        raise
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(browser, signed_in, request):
    context = browser.new_context(viewport=VIEWPORT, storage_state=signed_in)
    page = context.new_page()
    yield page
    if getattr(request.node, 'call_failed', False):
        print(f'page at failure: {screenshot(page, f"FAILED-{request.node.name}")}')
    context.close()
