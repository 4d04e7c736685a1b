"""A worker pool for Mage's process queue that does not lose jobs.

Mage's bug (0.9.80, mage_ai/orchestration/queue/process_queue.py, poll_job_and_execute): the scheduler hands each
job (a block run, or a whole pipeline run) to ProcessQueue, which puts it on a multiprocessing queue and starts a
worker-pool process if none is alive. That pool exits as soon as it sees no workers and an empty queue, and two
races follow:
- a job enqueued while the idle pool is exiting: the pool still counts as alive, so no new one starts;
- a freshly started pool can look at the queue before the enqueuing process's feeder thread has written the job
  into it, and exit at once.
Either way the job stays queued, and ProcessQueue.has_job (job queued, queue not empty) keeps the scheduler from
enqueueing it again: the run shows "running" until some other job happens to start a pool, or forever, since a
daily trigger with skip_if_previous_running makes no new run meanwhile. Both were seen here: a UI run-once stuck
for minutes, and 1 to 4 of 20 jobs lost on a busy machine (tests/integration/mage_queue_probe.py without --fixed).

The fix keeps Mage's pool loop but lets the pool live as long as the scheduler that started it, and
has ProcessQueue.stop end it, so a scheduler that stops does not wait on it.

Applies to: every pipeline run, since one queue serves them all. It runs each job as Mage's pool does (the
same Worker, as many at once); it only never exits while its scheduler lives, so no run is lost.

Canary: tests/canaries/test_worker_pool.py (stock Mage's pool, started before its first job reaches the queue,
exits and leaves the job unrun).
"""
from __future__ import annotations

import os
import time
from typing import Any

from nyc_taxi.mage.fixes.guard import MageFix, Target

POLL_SECONDS = 0.5


def _poll_while_scheduler_lives(queue: Any, size: int, job_dict: Any, redis_client: Any, client_id: str) -> None:
    from mage_ai.orchestration.queue.process_queue import LIVENESS_TIMEOUT_SECONDS, Worker

    scheduler_pid = os.getppid()
    workers: list[Worker] = []
    while os.getppid() == scheduler_pid:
        workers = [worker for worker in workers if worker.is_alive()]
        while not queue.empty() and len(workers) < size:
            worker = Worker(queue, job_dict)
            worker.start()
            workers.append(worker)
        time.sleep(POLL_SECONDS)
        if redis_client and client_id:
            redis_client.set(client_id, '1', ex=LIVENESS_TIMEOUT_SECONDS)


def install() -> None:
    """Installs the fix; call before Mage starts its scheduler (processes forked later inherit it)."""
    from mage_ai.orchestration.queue import process_queue

    mages_stop = process_queue.ProcessQueue.stop

    def stop(self: Any) -> None:
        mages_stop(self)
        if self.worker_pool_proc is not None and self.worker_pool_proc.is_alive():
            self.worker_pool_proc.terminate()

    # start_worker_pool looks the function up in its module at call time.
    process_queue.poll_job_and_execute = _poll_while_scheduler_lives
    process_queue.ProcessQueue.stop = stop


FIX = MageFix(
    name='worker_pool',
    bug="the scheduler's worker pool exits while a job is being queued, and the run stays 'running' unrun",
    applies_to='every pipeline run (one queue serves them all); each job runs as in Mage',
    targets=(Target('mage_ai.orchestration.queue.process_queue', 'poll_job_and_execute',
                    ('queue', 'size', 'job_dict', 'redis_client', 'client_id')),
             Target('mage_ai.orchestration.queue.process_queue', 'ProcessQueue.stop', ('self',))),
    install=install,
)
