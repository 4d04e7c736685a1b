"""A worker pool for Mage's process queue that does not lose jobs (Mage 0.9.80).

Mage's scheduler hands each job (a block run, or a whole pipeline run) to ProcessQueue, which puts it
on a multiprocessing queue and starts a worker-pool process if none is alive. That pool exits as soon
as it sees no workers and an empty queue, and two races follow:
- a job enqueued while the idle pool is exiting: the pool still counts as alive, so no new one starts;
- a freshly started pool can look at the queue before the enqueuing process's feeder thread has
  written the job into it, and exit at once.
Either way the job stays queued, and ProcessQueue.has_job (job queued, queue not empty) keeps the
scheduler from enqueueing it again: the run shows "running" until some other job happens to start a
pool, or forever, since a daily trigger with skip_if_previous_running makes no new run meanwhile.
Both were seen here: a UI run-once stuck for minutes, and 1 to 4 of 20 jobs lost on a busy machine
(tests/integration/mage_queue_probe.py without --fixed).

The fix keeps Mage's pool loop but lets the pool live as long as the scheduler that started it, and
has ProcessQueue.stop end it, so a scheduler that stops does not wait on it.
"""
from __future__ import annotations

import os
import time
from typing import Any

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


def keep_worker_pool_running() -> None:
    """Installs the fix; call before Mage starts its scheduler (processes forked later inherit it)."""
    from mage_ai.orchestration.queue import process_queue

    if getattr(process_queue.ProcessQueue, '_pool_kept_running', False):
        return
    mages_stop = process_queue.ProcessQueue.stop

    def stop(self: Any) -> None:
        mages_stop(self)
        if self.worker_pool_proc is not None and self.worker_pool_proc.is_alive():
            self.worker_pool_proc.terminate()

    # start_worker_pool looks the function up in its module at call time.
    process_queue.poll_job_and_execute = _poll_while_scheduler_lives
    process_queue.ProcessQueue.stop = stop
    process_queue.ProcessQueue._pool_kept_running = True
