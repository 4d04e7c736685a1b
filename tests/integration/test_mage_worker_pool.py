"""Mage's process queue with the project's fix (nyc_taxi.mage.fixes.worker_pool) runs every job it is given,
also on a busy machine, and a stopped queue ends its pool."""
from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator

import pytest

from devstack.paths import REPO_ROOT
from devstack.processes import run_in_own_session

pytestmark = pytest.mark.integration


@contextmanager
def busy_cpus(count: int = 3) -> Iterator[None]:
    """Unfixed, jobs are lost mostly when the machine is busy: the enqueuing side is slow to write."""
    hogs = [subprocess.Popen([sys.executable, '-c', 'while True: pass']) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_every_job_runs_and_stop_ends_the_pool():
    with busy_cpus():
        # In a session of its own, ended whole after: a process Mage's queue forked and left would hold pipes.
        returncode, output = run_in_own_session([sys.executable, '-m', 'tests.integration.mage_queue_probe', '12',
                                                 '--fixed'], timeout_s=300, cwd=REPO_ROOT)
    assert returncode == 0, output[-3000:]
    assert 'lost 0 of 12; pool alive after stop: False' in output, output[-3000:]
