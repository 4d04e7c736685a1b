"""A whole monthly backfill under `mage start`, measured as the Backfill tab runs it: how many runs executed at
once, the wall time from the start to the last run's end, the whole server's peak PSS (its forked processes
share most pages: an RSS sum would count them once per process) and the peak of the staged months on disk."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

from benchmarks.measure import CommandFailed, Measurement, TreeSampler
from benchmarks.scheduled import MageServer
from nyc_taxi.staging.stage import STAGING_DIR

TIMEOUT_S = 3600


@dataclass(frozen=True)
class BackfillMeasurement:
    run: Measurement  # peak_tree_rss_mb holds the tree's peak PSS
    runs: int
    most_at_once: int
    staged_peak_mb: float


def most_at_once(spans: list[tuple[datetime, datetime]]) -> int:
    """The most spans open at one instant; one ending as another starts counts once."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def executing_spans(server: MageServer, run_ids: list[int]) -> list[tuple[datetime, datetime]]:
    """Each run from its first block's start to its last block's end: when it executed, not when it was queued."""
    spans = []
    for run_id in run_ids:
        blocks = server.api('GET', f'block_runs?pipeline_run_id={run_id}')['block_runs']
        spans.append((min(datetime.fromisoformat(block['started_at']) for block in blocks),
                      max(datetime.fromisoformat(block['completed_at']) for block in blocks)))
    return spans


class DiskSampler:
    """The peak size of the staged months (every `nyc_taxi_staging` folder under `root`), sampled every half second
    in a thread."""

    def __init__(self, root: Path) -> None:
        self.root, self.peak = root, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> DiskSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(0.5):
            try:
                total = sum(self._sizes())
            except FileNotFoundError:
                continue  # a run removed (or renamed) a stage while it was being walked: sample again
            self.peak = max(self.peak, total)

    def _sizes(self):
        for path in (path for staging in self.root.rglob(STAGING_DIR) for path in staging.rglob('*')):
            try:
                yield path.stat().st_size if path.is_file() else 0
            except FileNotFoundError:
                pass  # a run removed its staged month meanwhile


def measure_backfill(env: Mapping[str, str], pipeline: str, first: date, last: date,
                     variables: Mapping[str, Any]) -> BackfillMeasurement:
    """A monthly backfill of `pipeline` over first..last (inclusive) on a fresh `mage start`."""
    with MageServer(env) as server:
        backfill_id = server.create_backfill(pipeline, first, last, variables)
        mage_data = Path(server.env['MAGE_DATA_DIR'])
        with TreeSampler(server.process.pid, pss=True) as sampler, DiskSampler(mage_data) as disk:
            start = time.perf_counter()
            server.start_backfill(backfill_id)
            runs = server.finished_runs(backfill_id, TIMEOUT_S)
            wall = time.perf_counter() - start
        if any(run['status'] != 'completed' for run in runs):
            raise CommandFailed(f'backfill {first}..{last}: {[run["status"] for run in runs]}\n{server.log_tail()}')
        at_once = most_at_once(executing_spans(server, [run['id'] for run in runs]))
    return BackfillMeasurement(
        run=Measurement(wall, sampler.cpu_s(), sampler.peak_process / 2**20, sampler.peak_tree_pss / 2**20,
                        f'{len(runs)} runs'),
        runs=len(runs), most_at_once=at_once, staged_peak_mb=disk.peak / 2**20)
