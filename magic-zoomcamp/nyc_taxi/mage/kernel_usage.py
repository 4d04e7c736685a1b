"""The editor says "The kernel has restarted" only when it has (Mage 0.9.80).

The editor polls the server for its kernel, and each answer carries the kernel's usage (its process id,
memory), which the server asks the kernel for anew on every poll, waiting at most 3 s. A kernel slow to
answer (busy with a block on a loaded machine) leaves the usage out of that one answer; the editor takes
the missing process id for a new kernel and shows "The kernel has restarted ... may be caused by your
kernel running out of memory" over the notebook, though nothing restarted (seen in the browser tests on
two busy cores). Here an unanswered request keeps the kernel's last usage; a kernel that really restarted
answers with its new process id, and the editor says so as before.
"""
from __future__ import annotations

from typing import Any

_last_usage: dict[str, Any] = {}


def keep_kernel_usage_when_unanswered() -> None:
    """Installs the fix into Mage's server; a second install changes nothing."""
    from mage_ai.kernels.default.models import KernelWrapper

    if getattr(KernelWrapper, '_keeps_last_usage', False):
        return
    mages_prepare_usage = KernelWrapper.prepare_usage

    async def prepare_usage(self: Any) -> None:
        await mages_prepare_usage(self)
        kernel_id = self.kernel_id
        if self.usage:
            _last_usage[kernel_id] = self.usage
        else:
            self.usage = _last_usage.get(kernel_id)

    KernelWrapper.prepare_usage = prepare_usage
    KernelWrapper._keeps_last_usage = True
