"""The editor's kernel keeps its usage when a poll goes unanswered (nyc_taxi/mage/fixes/kernel_usage.py)."""
from __future__ import annotations

import asyncio
import queue
from concurrent.futures import ThreadPoolExecutor

from nyc_taxi.mage.fixes import kernel_usage
from nyc_taxi.mage.fixes.guard import install_guarded


class ControlChannel:
    def __init__(self, answers: queue.Queue) -> None:
        self.answers = answers

    def send(self, message: dict) -> None:
        pass

    def get_msg(self, timeout: float) -> dict:
        answer = self.answers.get_nowait()
        if answer is None:
            raise queue.Empty  # as jupyter_client's channel says it waited `timeout` s for nothing
        return {'content': answer}

    def stop(self) -> None:
        pass


class JupyterKernel:
    """A jupyter_client kernel manager as Mage's KernelWrapper uses it; its usage answers queued in turn."""

    kernel_id = 'kernel-1'

    def __init__(self, *answers: dict | None) -> None:
        self.answers: queue.Queue = queue.Queue()
        for answer in answers:
            self.answers.put(answer)
        self.session = type('Session', (), {'msg': staticmethod(lambda kind, content: {'kind': kind})})()

    def client(self):
        return type('Client', (), {'control_channel': ControlChannel(self.answers)})()


def usages(kernel: JupyterKernel, polls: int) -> list:
    from mage_ai.kernels.default.models import KernelWrapper

    install_guarded((kernel_usage.FIX,))
    answers = []
    for _ in range(polls):
        wrapper = KernelWrapper(kernel)  # Mage's server wraps the kernel anew for each poll
        # On a thread of its own: this worker's own thread may already run an event loop (Playwright's).
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(asyncio.run, wrapper.prepare_usage()).result()
        answers.append(wrapper.usage)
    return answers


def test_an_unanswered_poll_keeps_the_last_usage_and_a_new_process_shows():
    first, restarted = {'pid': 101, 'kernel_memory': 1}, {'pid': 202, 'kernel_memory': 1}
    assert usages(JupyterKernel(first, None, restarted), polls=3) == [first, first, restarted]


def test_installing_twice_wraps_once():
    from mage_ai.kernels.default.models import KernelWrapper

    install_guarded((kernel_usage.FIX,))
    first = KernelWrapper.prepare_usage
    install_guarded((kernel_usage.FIX,))
    assert KernelWrapper.prepare_usage is first
