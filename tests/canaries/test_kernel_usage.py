"""Canary of nyc_taxi/mage/fixes/kernel_usage.py: when the editor's kernel does not answer a usage poll within
Mage's 3 s (busy on a loaded machine; here it is stopped), Mage reports no usage, and the editor takes that
for a kernel that restarted ("The kernel has restarted ... running out of memory")."""
from __future__ import annotations

import asyncio
import os
import signal

from tests.canaries.scenario import fix_can_go, run_scenario


def usage_of_a_kernel_that_stops_answering() -> dict:
    from mage_ai.kernels.default.models import KernelWrapper
    from mage_ai.server.kernels import kernel_managers

    manager = kernel_managers['python3']
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)

        def poll() -> dict | None:
            wrapper = KernelWrapper(manager)  # Mage's server wraps the kernel anew for each poll
            asyncio.run(wrapper.prepare_usage())
            return wrapper.usage

        answered = poll()
        pid = manager.provisioner.process.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            unanswered = poll()
        finally:
            os.kill(pid, signal.SIGCONT)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return {'answered': bool(answered and answered.get('pid')),
            'unanswered': 'none' if unanswered is None else 'the last' if unanswered == answered else 'other'}


def test_stock_mage_reports_no_usage_for_a_kernel_slow_to_answer():
    assert run_scenario('kernel_usage', 'usage_of_a_kernel_that_stops_answering') == \
        {'answered': True, 'unanswered': 'none'}, fix_can_go('kernel_usage')


def test_fixed_the_last_usage_stands():
    assert run_scenario('kernel_usage', 'usage_of_a_kernel_that_stops_answering', fixed=True) == \
        {'answered': True, 'unanswered': 'the last'}
