"""The Mage UI (`mage start`) on a copy of the project, against the test stack, for a real browser."""
from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from devstack.mage import environment_with, mage_executable, pipeline_environment
from devstack.paths import PROJECT_DIR
from devstack.processes import free_port, stop_process_group
from tests.e2e.ui import screenshot
from tests.integration.conftest import (bigquery_emulator, db, file_server, gcs_emulator, gcs_filesystem,  # noqa: F401
                                        mage_data_dir, mage_run, postgres_cluster, stack_settings)

CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                  '--disable-component-update', '--no-first-run']


# Where the UI's runs write, apart from what the `mage run` tests write.
UI_TARGETS = {'POSTGRES_SCHEMA': 'ui', 'BQ_DATASET': 'ui'}


@dataclass(frozen=True)
class MageUi:
    url: str
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors='replace')[-chars:]


@pytest.fixture(scope='session')
def mage_ui(stack_settings: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[MageUi]:
    """A running `mage start`. On a copy: Mage's scheduler rewrites triggers.yaml."""
    work = tmp_path_factory.mktemp('ui')
    project = work / PROJECT_DIR.name
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns('__pycache__'))
    port = free_port()
    # The scheduler picks up runs started in the UI on its next tick: every 2 s instead of 10.
    settings = {**stack_settings, **UI_TARGETS, 'REQUIRE_USER_AUTHENTICATION': '0', 'SCHEDULER_TRIGGER_INTERVAL': '2'}
    env = pipeline_environment(environment_with(settings), work / 'mage_data')
    with open(work / 'mage.log', 'w') as log:
        process = subprocess.Popen([mage_executable(), 'start', project.name, '--host', '127.0.0.1', '--port',
                                    str(port)], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f'{url}/api/status', timeout=5)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process_group(process.pid)
                pytest.fail(f'mage start did not answer: {(work / "mage.log").read_text()[-3000:]}')
            time.sleep(0.5)
    yield MageUi(url, work / 'mage.log')
    stop_process_group(process.pid)


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


@pytest.fixture
def page(browser, request):
    page = browser.new_page(viewport={'width': 1400, 'height': 900})
    yield page
    if getattr(request.node, 'call_failed', False):
        print(f'page at failure: {screenshot(page, f"FAILED-{request.node.name}")}')
    page.close()
