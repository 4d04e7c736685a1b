"""Mage retries a block only when the failure is transient (Mage 0.9.80).

The project's metadata.yaml sets Mage's `retry_config` (attempts, delay, backoff): a scheduled or backfill
run whose Postgres, GCS or BigQuery drops for a moment runs the failed block again after the delay, and every
target replaces the month it writes, so the month lands once. Mage retries every exception alike, so a 404, a
bad file, a refused schema or a failed @test would also wait through every delay, then fail with the same
message minutes later. Here those fail at once; nyc_taxi.runs.transient_errors says which errors are which.

Mage's block executor imports `retry` from mage_ai.shared.retry each time it runs a block, so replacing the
module's function reaches every block run of the processes forked after the install. Runs of `mage run`
(one process, no pipeline run) execute blocks without Mage's retries, with or without this.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from nyc_taxi.runs.transient_errors import is_transient


def retry_only_transient_errors() -> None:
    """Installs the replacement for mage_ai.shared.retry.retry; a second install changes nothing."""
    from mage_ai.shared import retry as mages_retry

    if getattr(mages_retry.retry, '_only_transient', False):
        return
    mages_retry.retry = retry


def retry(retries: int = 2, delay: int = 5, max_delay: int = 60, exponential_backoff: bool = True,
          logger: Any = None, logging_tags: dict | None = None, retry_metadata: dict | None = None) -> Callable:
    """Mage's decorator, with its arguments and schedule: up to `retries` more attempts, `delay` seconds apart
    (doubling with `exponential_backoff`), no more once the waits would reach `max_delay`; but a failure
    that is not transient is raised at once."""
    tags = logging_tags or {}

    def decorator(function: Callable) -> Callable:
        def attempts(*args: Any, **kwargs: Any) -> Any:
            attempt, waited, wait = 1, 0, delay
            while True:
                if retry_metadata is not None:
                    retry_metadata['attempts'] = (retry_metadata.get('attempts') or 0) + 1
                try:
                    return function(*args, **kwargs)
                except Exception as error:
                    transient = is_transient(error)
                    if not transient or attempt > retries or waited + wait >= max_delay:
                        if not transient and retries and logger is not None:
                            logger.warning(f'Not retried: {type(error).__name__} is not a transient failure '
                                           '(a retry would fail the same way)', **tags)
                        raise
                    if logger is not None:
                        logger.warning(f'Attempt {attempt} of {retries + 1} failed with a transient error '
                                       f'({_first_line(error)}); trying again in {wait} s', error=error, **tags)
                    time.sleep(wait)
                    attempt, waited = attempt + 1, waited + wait
                    wait = wait * 2 if exponential_backoff else wait

        return attempts

    return decorator


retry._only_transient = True  # type: ignore[attr-defined]


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
