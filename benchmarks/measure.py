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
# Reading a process's PSS (its smaps) takes 1-8 ms for one of Mage's: every 20 ms for a whole `mage start`
# tree would take ~40% of a core from what is measured, every 0.5 s ~3%.
PSS_EVERY_S = 0.5


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    cpu_s: float
    peak_process_rss_mb: float
    peak_tree_rss_mb: float
    stdout: str


class CommandFailed(RuntimeError):
    pass


class TreeSampler:
    """Samples the RSS (and CPU time) of `root_pid` and all its descendants every 20 ms, in a thread.

    `peak_process` is the largest single process seen, `peak_tree` the largest sum over the tree at one
    sample; `peak_new_process` the largest of the processes started after the first sample.
    RSS counts the pages a forked child still shares with its parent in both: for a tree of forked
    processes (Mage's scheduler and its workers) the sum is an upper bound. With `pss`, also the tree's
    PSS (proportional set size: a page shared by n processes counts 1/n in each), which sums right,
    every PSS_EVERY_S.
    """

    def __init__(self, root_pid: int, pss: bool = False, limit: float | None = None) -> None:
        self.root_pid = root_pid
        self.pss = pss
        # Past `limit` bytes of RSS summed, the tree is killed (a process that would exhaust the machine).
        self.limit = limit
        self.stopped = False
        self.peak_tree_pss = 0
        self._pss_taken_at = float('-inf')
        self.peak_process = 0
        self.peak_tree = 0
        self.peak_new_process = 0
        self.cpu_first: dict[int, float] = {}
        self.cpu_last: dict[int, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeSampler:
        self.sample_once(first=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.root_pid)
        return [root, *root.children(recursive=True)]

    def sample_once(self, first: bool = False) -> None:
        try:
            processes = self.processes()
        except psutil.Error:
            return
        sizes = []
        pss = 0
        with_pss = self.pss and time.monotonic() - self._pss_taken_at >= PSS_EVERY_S
        if with_pss:
            self._pss_taken_at = time.monotonic()
        for each in processes:
            try:
                with each.oneshot():
                    if with_pss:
                        full = each.memory_full_info()
                        rss = full.rss
                        pss += full.pss
                    else:
                        rss = each.memory_info().rss
                    times = each.cpu_times()
            except psutil.Error:
                continue
            sizes.append(rss)
            if not first and each.pid not in self.cpu_first:
                self.peak_new_process = max(self.peak_new_process, rss)
            # Own CPU only (not children_*): a reaped child's time would otherwise count twice.
            self.cpu_last[each.pid] = times.user + times.system
            if first:
                self.cpu_first[each.pid] = self.cpu_last[each.pid]
        self.peak_process = max(self.peak_process, max(sizes, default=0))
        self.peak_tree = max(self.peak_tree, sum(sizes))
        if self.limit and sum(sizes) > self.limit and not self.stopped:
            self.stopped = True
            for each in processes:
                try:
                    each.kill()
                except psutil.Error:
                    pass
        self.peak_tree_pss = max(self.peak_tree_pss, pss)

    def cpu_s(self, pids: set[int] | None = None) -> float:
        """CPU time spent while sampling, by the processes `pids` (default: all), each to its last sample."""
        return sum(last - self.cpu_first.get(pid, 0.0) for pid, last in self.cpu_last.items()
                   if pids is None or pid in pids)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.sample_once()
            time.sleep(SAMPLE_EVERY_S)


def measure(command: Sequence[str] | str, env: Mapping[str, str] | None = None, shell: bool = False) -> Measurement:
    """Runs `command` to completion, sampling the RSS of its process tree every 20 ms.

    CPU time is user + system of all reaped descendants (getrusage of children), so it covers a
    shell pipeline too; a database server's own CPU is not ours and not counted, for every method alike.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, env=dict(env) if env else None, shell=shell, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    with TreeSampler(process.pid) as sampler:
        stdout, _ = process.communicate()
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise CommandFailed(f'{command} exited {process.returncode}:\n{stdout[-4000:]}')
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measurement(wall, cpu, sampler.peak_process / 2**20, sampler.peak_tree / 2**20, stdout)


def python_command(*args: str) -> list[str]:
    import sys

    return [sys.executable, *args]


class EmulatorSampler:
    """The local BigQuery emulator's own CPU time and peak RSS while a command runs: its work, reported apart
    from ours (`make up` keeps its pid in .local/pids/bigquery.pid)."""

    def __init__(self, stack_dir, limit_mb: float | None = None) -> None:
        pid_file = stack_dir / 'pids' / 'bigquery.pid'
        limit = limit_mb * 2**20 if limit_mb else None
        self.sampler = TreeSampler(int(pid_file.read_text().split()[0]), limit=limit) if pid_file.exists() else None

    @property
    def stopped(self) -> bool:
        """Whether the emulator grew past the limit and was stopped."""
        return bool(self.sampler and self.sampler.stopped)

    def __enter__(self) -> 'EmulatorSampler':
        if self.sampler:
            self.sampler.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        if self.sampler:
            self.sampler.__exit__(*exc_info)

    def result(self) -> tuple[float, float]:
        """(CPU seconds, peak RSS MB) of the emulator's processes over the run; zeros without an emulator."""
        if not self.sampler:
            return 0.0, 0.0
        return self.sampler.cpu_s(), self.sampler.peak_tree / 2**20
