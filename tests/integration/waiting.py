"""Waiting in a test for what another process does."""
from __future__ import annotations

import time
from typing import Callable


def wait_until(condition: Callable[[], object], timeout_s: float = 60, every_s: float = 0.01) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every_s)
    raise TimeoutError('condition not met')
