"""The editor's notebook kernel, with the project's fixes for what runs there: pipeline files
(nyc_taxi.mage.fixes.pipeline_files) and the inputs of blocks of yours (nyc_taxi.mage.fixes.blocks_of_yours).

Mage's editor runs blocks in an IPython kernel that its server starts, and that kernel is what saves the
pipeline after each block run. `use_project_kernel` (part of installing that fix into the server) has the
server start `python -m nyc_taxi.mage.fixes.editor_kernel -f CONNECTION_FILE`: ipykernel, as Mage starts it,
with the fix installed, guarded as everywhere (nyc_taxi.mage.fixes.guard). Not a fix of its own: the way a
fix reaches the kernel.
"""
from __future__ import annotations

import sys

KERNEL_ARGV = [sys.executable, '-m', 'nyc_taxi.mage.fixes.editor_kernel', '-f', '{connection_file}']


def use_project_kernel() -> None:
    """Makes Mage's server start its Python kernel with this module (call before the server starts it)."""
    from mage_ai.server.kernels import kernel_managers

    spec = kernel_managers['python3'].kernel_spec  # ipykernel's own, cached on the manager
    spec.argv = list(KERNEL_ARGV)


def main() -> None:
    from nyc_taxi.mage.fixes import blocks_of_yours
    from nyc_taxi.mage.fixes.guard import install_guarded
    from nyc_taxi.mage.fixes.pipeline_files import IN_KERNEL

    install_guarded((IN_KERNEL, blocks_of_yours.FIX))
    if sys.path and sys.path[0] == '':  # as ipykernel_launcher does: the kernel's cwd is not a package root
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == '__main__':
    main()
