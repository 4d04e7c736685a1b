"""Running the project's pipelines through Mage's own CLI (`mage run`), as a user or a container would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

from devstack.paths import PROJECT_DIR


# How the blocks' processes allocate (docs/performance.md, "Memory handed back"): what pandas frees goes back
# to the OS at once instead of staying in the heap (a month's run peaked ~150 MB lower), and so does what Arrow
# frees, from pyarrow's default pool (mimalloc, in the wheels of both architectures). The system allocator
# under that threshold made every Arrow buffer a fresh mmap to fault in and zero, 2-4 s of the kernel's CPU per
# full-size month; mimalloc as it comes keeps freed memory for a while, ~40 MB more at a month's peak.
MEMORY_SETTINGS = {'MALLOC_MMAP_THRESHOLD_': '131072', 'MIMALLOC_PURGE_DELAY': '0'}


def mage_executable() -> str:
    return str(Path(sys.executable).with_name('mage'))


def mage_server_command(project: str, port: int) -> list[str]:
    """`mage start` through nyc_taxi.mage.cli, which keeps Mage's scheduler from losing queued runs."""
    return [sys.executable, '-m', 'nyc_taxi.mage.cli', 'start', project, '--host', '127.0.0.1', '--port', str(port)]


def pipeline_command(pipeline: str, variables: Mapping[str, Any]) -> list[str]:
    """`mage run` through nyc_taxi.mage.cli, with the project's fixes, as the UI's runs have them (a block's error
    first in its traceback, a block of yours getting the trips as a DataFrame)."""
    command = [sys.executable, '-m', 'nyc_taxi.mage.cli', 'run', str(PROJECT_DIR), pipeline]
    if variables:
        command += ['--runtime-vars', json.dumps(dict(variables))]
    return command


# Mage prints errors as rich tracebacks, wrapped at the terminal width; wide enough keeps an error message
# (a URL, a key) on one line, to read and to search. It overrides the environment's own (pytest-xdist's
# workers set 80).
WIDE_OUTPUT = {'COLUMNS': '400'}


def pipeline_environment(env: Mapping[str, str], mage_data_dir: Path) -> dict[str, str]:
    """`env` plus what every Mage run here gets; Mage's state goes to `mage_data_dir`."""
    mage_data_dir.mkdir(parents=True, exist_ok=True)
    return {**MEMORY_SETTINGS, **env, **WIDE_OUTPUT, 'MAGE_DATA_DIR': str(mage_data_dir)}


def run_pipeline(pipeline: str, variables: Mapping[str, Any], env: Mapping[str, str],
                 mage_data_dir: Path, capture: bool = False, timeout_s: float | None = None,
                 ) -> subprocess.CompletedProcess:
    """`mage run magic-zoomcamp <pipeline> --runtime-vars <json>` (with the project's fixes)."""
    return subprocess.run(pipeline_command(pipeline, variables), env=pipeline_environment(env, mage_data_dir),
                          cwd=PROJECT_DIR.parent, text=True, timeout=timeout_s, capture_output=capture)


def start_pipeline(pipeline: str, variables: Mapping[str, Any], env: Mapping[str, str],
                   mage_data_dir: Path) -> subprocess.Popen:
    """The same as run_pipeline, in the background, in its own process group, output on a pipe."""
    return subprocess.Popen(pipeline_command(pipeline, variables), env=pipeline_environment(env, mage_data_dir),
                            cwd=PROJECT_DIR.parent, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def environment_with(settings: Mapping[str, str]) -> dict[str, str]:
    return {**os.environ, **settings}
