"""Enqueues jobs on Mage's own ProcessQueue with pauses longer than its pool's idle exit, and counts
the jobs that never ran. `python -m tests.integration.mage_queue_probe JOBS [--fixed]`."""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

IDLE_PAUSE_S = 1.2  # Mage's pool exits after ~1 s without work
JOB_DEADLINE_S = 8.0


def touch(path: str) -> None:
    Path(path).touch()


def keep_working(seconds: float) -> None:
    """As Mage's scheduler does after an enqueue: this thread holds the GIL, the queue's feeder waits."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        sum(range(1000))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('jobs', type=int)
    parser.add_argument('--fixed', action='store_true')
    args = parser.parse_args()
    os.environ.setdefault('MAGE_DATA_DIR', tempfile.mkdtemp())
    if args.fixed:
        from nyc_taxi.mage.fixes import worker_pool
        from nyc_taxi.mage.fixes.guard import install_guarded
        install_guarded((worker_pool.FIX,))
    from mage_ai.orchestration.queue.config import QueueConfig
    from mage_ai.orchestration.queue.process_queue import ProcessQueue

    queue = ProcessQueue(QueueConfig())
    queue.start()
    done_dir = Path(tempfile.mkdtemp())
    lost = 0
    for job in range(args.jobs):
        done = done_dir / str(job)
        queue.enqueue(f'job_{job}', touch, str(done))
        keep_working(0.05)
        deadline = time.monotonic() + JOB_DEADLINE_S
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        lost += not done.exists()
        time.sleep(IDLE_PAUSE_S)
    queue.stop()
    pool = queue.worker_pool_proc
    if pool is not None:
        pool.join(5)
    print(f'lost {lost} of {args.jobs}; pool alive after stop: {pool is not None and pool.is_alive()}', flush=True)
    queue.mp_manager.shutdown()


if __name__ == '__main__':
    main()
