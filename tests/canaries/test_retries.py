"""Canary of nyc_taxi/mage/fixes/retries.py: Mage's retry, as its block executor applies a block's retry_config,
retries a failure no retry fixes (a bug, a 404, a failed @test) as often as a dropped connection."""
from __future__ import annotations

from tests.canaries.scenario import fix_can_go, run_scenario


def attempts_at_a_bug() -> dict:
    """How often a block of the project's and one of a learner's that raise ValueError run, with 2 retries."""
    from mage_ai.shared import retry as retry_module

    retry_module.time.sleep = lambda seconds: None
    attempts = {}
    for pipeline in ('api_to_postgres', 'my_own_pipeline'):
        calls = []

        def block() -> None:
            calls.append(1)
            raise ValueError('a bug in the block')

        from mage_ai.shared.retry import retry  # as the block executor imports it, at each block run

        try:
            retry(retries=2, delay=10, max_delay=120, logging_tags={'pipeline_uuid': pipeline})(block)()
        except ValueError:
            pass
        attempts[pipeline] = len(calls)
    return attempts


def test_stock_mage_retries_a_bug_as_often_as_a_dropped_connection():
    assert run_scenario('retries', 'attempts_at_a_bug') == {'api_to_postgres': 3, 'my_own_pipeline': 3}, \
        fix_can_go('retries')


def test_fixed_the_projects_block_fails_at_once_and_a_learners_is_retried_as_mage_does():
    assert run_scenario('retries', 'attempts_at_a_bug', fixed=True) == {'api_to_postgres': 1, 'my_own_pipeline': 3}
