"""Canary of nyc_taxi/mage/fixes/worker_pool.py: Mage's worker pool, started before its first job reaches the
queue (the enqueuing process's feeder thread had not written it yet), exits, and the job is never run."""
from __future__ import annotations

import multiprocessing
import threading
import time
import tempfile
from pathlib import Path

from tests.canaries.scenario import fix_can_go, run_scenario

FIRST_LOOK_S = 1.5  # Mage's pool looks at its queue, then sleeps 1 s


def touch(path: str) -> None:
    Path(path).touch()


def pool_started_before_its_job() -> dict:
    from mage_ai.orchestration.queue import process_queue

    queue, jobs = multiprocessing.Queue(), multiprocessing.Manager().dict()
    done = Path(tempfile.mkdtemp()) / 'job_ran'
    pool = threading.Thread(target=process_queue.poll_job_and_execute, args=(queue, 2, jobs, None, None), daemon=True)
    pool.start()
    time.sleep(FIRST_LOOK_S)
    # As ProcessQueue.enqueue hands a job over.
    queue.put(['job_1', touch, (str(done),), {}])
    jobs['job_1'] = process_queue.JobStatus.QUEUED
    deadline = time.monotonic() + 10
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return {'pool_exited': not pool.is_alive(), 'job_ran': done.exists()}


def test_stock_mages_pool_exits_before_its_job_arrives_and_never_runs_it():
    assert run_scenario('worker_pool', 'pool_started_before_its_job') == {'pool_exited': True, 'job_ran': False}, \
        fix_can_go('worker_pool')


def test_the_fixed_pool_lives_on_and_runs_it():
    assert run_scenario('worker_pool', 'pool_started_before_its_job', fixed=True) == \
        {'pool_exited': False, 'job_ran': True}
