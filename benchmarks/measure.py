"""Wall time, CPU time and peak memory of a command and every process it starts."""
from __future__ import annotations

import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Mapping, Sequence

import psutil

SAMPLE_EVERY_S = 0.02


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    cpu_s: float
    peak_process_rss_mb: float
    peak_tree_rss_mb: float
    stdout: str


class CommandFailed(RuntimeError):
    pass


def measure(command: Sequence[str] | str, env: Mapping[str, str] | None = None, shell: bool = False) -> Measurement:
    """Runs `command` to completion, sampling the RSS of its process tree every 20 ms.

    CPU time is user + system of all reaped descendants (getrusage of children), so it covers a
    shell pipeline too; a database server's own CPU is not ours and not counted, for every method alike.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, env=dict(env) if env else None, shell=shell, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peaks = {'process': 0, 'tree': 0}
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                processes = [root, *root.children(recursive=True)]
                sizes = []
                for each in processes:
                    try:
                        sizes.append(each.memory_info().rss)
                    except psutil.Error:
                        pass
                peaks['process'] = max(peaks['process'], max(sizes, default=0))
                peaks['tree'] = max(peaks['tree'], sum(sizes))
            except psutil.Error:
                pass
            time.sleep(SAMPLE_EVERY_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise CommandFailed(f'{command} exited {process.returncode}:\n{stdout[-4000:]}')
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measurement(wall, cpu, peaks['process'] / 2**20, peaks['tree'] / 2**20, stdout)


def python_command(*args: str) -> list[str]:
    import sys

    return [sys.executable, *args]
