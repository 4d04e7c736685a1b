"""The editor says "The kernel has restarted" only when it has.

Mage's bug (0.9.80, mage_ai/kernels/default/models.py, KernelWrapper.prepare_usage): the editor polls the server
for its kernel, and each answer carries the kernel's usage (its process id, memory), which the server asks the
kernel for anew on every poll, waiting at most 3 s. A kernel slow to answer (busy with a block on a loaded
machine) leaves the usage out of that one answer; the editor takes the missing process id for a new kernel and
shows "The kernel has restarted ... may be caused by your kernel running out of memory" over the notebook, though
nothing restarted (seen in the browser tests on two busy cores). Here an unanswered request keeps the kernel's
last usage; a kernel that really restarted answers with its new process id, and the editor says so as before.

Applies to: the editor, whatever the pipeline; what a run does is unchanged.

Canary: tests/canaries/test_kernel_usage.py (stock Mage reports no usage for a kernel that answers too late).
"""
from __future__ import annotations

from typing import Any

from nyc_taxi.mage.fixes.guard import MageFix, Target

_last_usage: dict[str, Any] = {}


def install() -> None:
    from mage_ai.kernels.default.models import KernelWrapper

    mages_prepare_usage = KernelWrapper.prepare_usage

    async def prepare_usage(self: Any) -> None:
        await mages_prepare_usage(self)
        kernel_id = self.kernel_id
        if self.usage:
            _last_usage[kernel_id] = self.usage
        else:
            self.usage = _last_usage.get(kernel_id)

    KernelWrapper.prepare_usage = prepare_usage


FIX = MageFix(
    name='kernel_usage',
    bug='the editor says "The kernel has restarted" when the kernel was only slow to answer a usage poll',
    applies_to='the editor, for every pipeline (what a run does is unchanged)',
    targets=(Target('mage_ai.kernels.default.models', 'KernelWrapper.prepare_usage', ('self',)),),
    install=install,
)
