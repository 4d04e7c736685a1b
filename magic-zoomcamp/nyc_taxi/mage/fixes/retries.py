"""Mage retries a block of the project's pipelines only when the failure is transient.

Mage's bug (0.9.80, mage_ai/shared/retry.py `retry`, as BlockExecutor.execute uses it): every exception is
retried alike, so a 404, a bad file, a refused schema or a failed @test waits through every delay, then fails
with the same message minutes later.

The project's blocks set Mage's `retry_config` (each block's, in their pipelines' metadata.yaml: attempts,
delay, backoff): a scheduled or backfill run whose Postgres, GCS or BigQuery drops for a moment runs the failed
block again after the delay, and every target replaces the month it writes, so the month lands once. The fix
fails at once what a retry cannot fix; nyc_taxi.runs.transient_errors says which errors are which.

Applies to: the project's pipelines only (Mage names the block's pipeline in the retry's logging tags); a
block of any other pipeline gets Mage's own retry, with its own retry_config. Mage's block executor imports
`retry` from mage_ai.shared.retry each time it runs a block, so replacing the module's function reaches every
block run of the processes forked after the install. Runs of `mage run` (one process, no pipeline run)
execute blocks without Mage's retries, with or without this.

Canary: tests/canaries/test_retries.py (stock Mage retries a ValueError as often as a dropped connection).
"""
from __future__ import annotations

import time
from typing import Any, Callable

from nyc_taxi.error_lines import first_line
from nyc_taxi.mage.fixes.guard import MageFix, Target
from nyc_taxi.mage.fixes.scope import is_project_pipeline
from nyc_taxi.runs.transient_errors import is_transient

MAGES_PARAMETERS = ('retries', 'delay', 'max_delay', 'exponential_backoff', 'logger', 'logging_tags',
                    'retry_metadata')


def install() -> None:
    from mage_ai.shared import retry as retry_module

    mages_retry = retry_module.retry

    def retry_for_the_blocks_pipeline(retries: int = 2, delay: int = 5, max_delay: int = 60,
                                      exponential_backoff: bool = True, logger: Any = None,
                                      logging_tags: dict | None = None, retry_metadata: dict | None = None
                                      ) -> Callable:
        chosen = retry if is_project_pipeline((logging_tags or {}).get('pipeline_uuid')) else mages_retry
        return chosen(retries=retries, delay=delay, max_delay=max_delay, exponential_backoff=exponential_backoff,
                      logger=logger, logging_tags=logging_tags, retry_metadata=retry_metadata)

    retry_module.retry = retry_for_the_blocks_pipeline


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
                        if logger is not None:
                            # The run's Logs view lists messages, and Mage's own entry for the failure reads
                            # "Failed to execute block ...": this one says what failed and what to do.
                            why = ('not retried: a retry would fail the same way' if not transient else
                                   f'a transient failure, still failing after {attempt} attempts')
                            logger.error(f'{error} ({type(error).__name__}; {why})', **tags)
                        raise
                    if logger is not None:
                        logger.warning(f'Attempt {attempt} of {retries + 1} failed with a transient error '
                                       f'({first_line(error)[:300]}); trying again in {wait} s', error=error, **tags)
                    time.sleep(wait)
                    attempt, waited = attempt + 1, waited + wait
                    wait = wait * 2 if exponential_backoff else wait

        return attempts

    return decorator


FIX = MageFix(
    name='retries',
    bug='every failure of a block is retried alike, a 404 or a failed @test as a dropped connection',
    applies_to="the project's pipelines",
    targets=(Target('mage_ai.shared.retry', 'retry', MAGES_PARAMETERS),
             # The executor imports `retry` at each block run: the module's name is what it gets.
             Target('mage_ai.data_preparation.executors.block_executor', 'BlockExecutor.execute',
                    uses='from mage_ai.shared.retry import retry')),
    install=install,
)
