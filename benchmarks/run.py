"""`python -m benchmarks.run`: every method, side by side on the same files and the same local Postgres.

Results go to benchmarks/results.json, the table to stdout and into docs/performance.md (between the
bench markers), the plot to docs/benchmark.png. Medians of REPEATS runs; the machine's cores are printed.
"""
from __future__ import annotations

import calendar
import json
import os
import re
import shutil
import sys
import statistics
import subprocess
import tempfile
import time
from datetime import date
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

import pyarrow.parquet as pq

from benchmarks.backfill import measure_backfill
from benchmarks.learner_blocks import COURSE_POSTGRES_EXPORTER, COURSE_TRANSFORMER, add_the_courses_blocks
from benchmarks.measure import CommandFailed, EmulatorSampler, Measurement, measure, python_command
from benchmarks.scheduled import MageServer, ScheduledMeasurement
from devstack.env_file import merged_environment, read_env_file
from devstack.mage import MEMORY_SETTINGS, environment_with, mage_executable
from devstack.paths import PROJECT_DIR, REPO_ROOT, stack_dir, stack_env_file
from devstack.sample_data import ensure_trip_file
from devstack.sample_fhv_csv import ensure_fhv_csv_file
from devstack.sample_month import SampleMonth
from devstack.sample_tlc_parquet import ensure_fhvhv_parquet_file, ensure_tlc_parquet_file
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for

REPEATS = int(os.environ.get('BENCH_REPEATS', 3))
YELLOW_ROWS = 1_369_765  # yellow_tripdata_2021-01.csv.gz
GREEN_ROWS = 500_000
YELLOW_MONTHS = [MonthRequest(taxi_type='yellow', year=2020, month=month) for month in (1, 2, 3, 4)]
GREEN_MONTH = MonthRequest(taxi_type='green', year=2020, month=1)
# The size of yellow_tripdata_2019-01: the months the course loads, 5.6x the one above.
LARGE_ROWS = 7_667_792
LARGE_MONTH = MonthRequest(taxi_type='yellow', year=2019, month=1)
# The size of fhv_tripdata_2019-01 (~23M trips), generated as another month so that it does not replace
# the local stack's small FHV demo month; and a 7.7M-row month of the TLC's own parquet (2024 layout).
LARGE_FHV_ROWS = 23_000_000
LARGE_FHV_MONTH = MonthRequest(taxi_type='fhv', year=2019, month=6)
LARGE_TLC_MONTH = MonthRequest(taxi_type='yellow', year=2024, month=1)
TLC_ROW_GROUP_ROWS = 1_048_576  # pyarrow's default, what the TLC's files hold too
# The size of fhvhv_tripdata_2019-03 (23.9M trips, 24 columns), the largest month the TLC published, in the
# TLC's parquet layout of 2019 (1M-row groups), generated as that month.
LARGE_FHVHV_ROWS = 24_000_000
LARGE_FHVHV_MONTH = MonthRequest(taxi_type='fhvhv', year=2019, month=3)
# The size of fhvhv_tripdata_2020-04 (4.3M trips), the smallest fhvhv month: gcs_to_bigquery's stand-in for the
# 24M-row month, which the BigQuery emulator cannot hold (it died cleaning it, an INSERT ... SELECT of 24M rows,
# at ~15 GB). Mage's own tree does no per-row work in gcs_to_bigquery, so its peak does not grow with the month.
BIGQUERY_FHVHV_ROWS = 4_300_000
BIGQUERY_FHVHV_MONTH = MonthRequest(taxi_type='fhvhv', year=2020, month=4)
# The BigQuery emulator holds a loaded month in memory: past this it is stopped, so that the machine keeps
# working, and the row says so (its memory is not ours; BigQuery's is not this machine's).
EMULATOR_LIMIT_MB = int(os.environ.get('BENCH_EMULATOR_LIMIT_MB', 15_000))
# A backfill of the release's whole green archive, 2019-01..2021-07 (31 months), of moderate months, through
# `mage start`: with the default PIPELINE_RUNS_AT_ONCE, and with every month at once (what Mage did by default).
BACKFILL_MONTHS = tuple(MonthRequest(taxi_type='green', year=2019 + (index // 12), month=index % 12 + 1)
                        for index in range(31))
BACKFILL_ROWS = int(os.environ.get('BENCH_BACKFILL_ROWS', 500_000))
BACKFILL_FOLDER = f'bench-backfill-{BACKFILL_ROWS}'
# The "keep current" group: a year of those months, backfilled twice.
KEEP_CURRENT_MONTHS = 12
# The demo's size: a month of the course's sample scale, in the bench's own month.
# Blocks of a learner's below the transformer: the course's month's size, and a larger month.
YOURS_MONTH = MonthRequest(taxi_type='yellow', year=2020, month=7)
YOURS_LARGE_MONTH = MonthRequest(taxi_type='yellow', year=2020, month=8)
YOURS_LARGE_ROWS = 3_000_000
SMALL_ROWS = 50_000
SMALL_MONTH = MonthRequest(taxi_type='yellow', year=2020, month=6)
# One run each for the 23M-row FHV month and the parquet month: minutes a run, and the memory is the point.
LARGE_REPEATS = int(os.environ.get('BENCH_LARGE_REPEATS', 1))
RESULTS = REPO_ROOT / 'benchmarks' / 'results.json'
PLOT = REPO_ROOT / 'docs' / 'benchmark.png'
TABLE_PAGE = REPO_ROOT / 'docs' / 'performance.md'
BENCH_SCHEMA = 'bench'
# The last commit whose gcs_to_bigquery moved the trips through Mage (read from GCS, cleaned, uploaded).
OLD_PATH_COMMIT = '35438ba'
SCHEDULER_METHOD = 'ours: api_to_postgres (mage start scheduler, backfill run; tree PSS)'


@dataclass
class Row:
    group: str
    method: str
    rows: int
    wall_s: float
    cpu_s: float
    peak_process_rss_mb: float
    peak_tree_rss_mb: float
    step_s: float | None = None
    runs: int = 1
    note: str | None = None  # printed under the table


def median_of(runs: list[Measurement], group: str, method: str, rows: int) -> Row:
    steps = [json.loads(line)['step_s'] for run in runs for line in run.stdout.splitlines()
             if line.startswith('{"step_s"')]
    return Row(group, method, rows, statistics.median(r.wall_s for r in runs), statistics.median(r.cpu_s for r in runs),
               max(r.peak_process_rss_mb for r in runs), max(r.peak_tree_rss_mb for r in runs),
               statistics.median(steps) if steps else None, len(runs))


def repeat(action: Callable[[], Measurement], times: int = REPEATS) -> list[Measurement]:
    return [action() for _ in range(times)]


class Bench:
    def __init__(self) -> None:
        self.settings = merged_environment(os.environ, read_env_file(stack_env_file()))
        if 'POSTGRES_PORT' not in self.settings:
            raise SystemExit('No local stack settings: run `make up` first (make bench does)')
        # The same process settings for every method: the comparison is of the code, not the allocator.
        self.env = environment_with({**self.settings, **MEMORY_SETTINGS, 'POSTGRES_SCHEMA': BENCH_SCHEMA,
                                     'BQ_DATASET': 'bench', 'PGPASSWORD': self.settings['POSTGRES_PASSWORD']})
        self.mage_data = Path(tempfile.mkdtemp(prefix='bench_mage_'))
        self.data_dir = stack_dir() / 'data'
        self.rows: list[Row] = []

    def file(self, request: MonthRequest, source: str = 'release') -> Path:
        month = SampleMonth(request.taxi_type, request.year, request.month)
        if request.taxi_type == 'fhvhv':
            return ensure_fhvhv_parquet_file(self.data_dir, month, rows=_rows(request), seed=2020)
        if source == 'tlc':
            return ensure_tlc_parquet_file(self.data_dir, month, rows=_rows(request), seed=2020,
                                           row_group_rows=TLC_ROW_GROUP_ROWS)
        if request.taxi_type == 'fhv':
            return ensure_fhv_csv_file(self.data_dir, month, rows=_rows(request), seed=2020)
        return ensure_trip_file(self.data_dir, request, rows=_rows(request), seed=2020)

    def psql(self, sql: str) -> None:
        measure(['psql', '-v', 'ON_ERROR_STOP=1', '-q', '-h', self.settings['POSTGRES_HOST'], '-p',
                 self.settings['POSTGRES_PORT'], '-U', self.settings['POSTGRES_USER'], '-d',
                 self.settings['POSTGRES_DBNAME'], '-c', sql], env=self.env)

    def floor(self, request: MonthRequest) -> list[Measurement]:
        """gunzip | psql \\copy into an empty table of the file's own columns: the machine's limit."""
        columns = ', '.join(f'"{name}" {_floor_type(name, kind)}'
                            for name, kind in schema_for(request.taxi_type).source_columns.items())
        return self._copy_floor(request, self.file(request), columns)

    def parquet_floor(self, request: MonthRequest) -> list[Measurement]:
        """A TLC parquet month's floor: its own columns written once as plain CSV (not timed; gzip would take
        20 minutes for 24M rows of 24 columns), then psql \\copy of that file: the machine's limit for loading
        those rows and columns into Postgres, with no decompression at all."""
        parquet = self.file(request, 'tlc')
        csv_file = self.data_dir / 'bench-floor' / f'{parquet.stem}.csv'
        if not csv_file.exists():
            write_csv(parquet, csv_file)
        columns = ', '.join(f'"{field.name}" {_parquet_floor_type(field.type)}' for field in pq.read_schema(parquet))
        return self._copy_floor(request, csv_file, columns, reader='cat')

    def _copy_floor(self, request: MonthRequest, csv_file: Path, columns: str, reader: str = 'gunzip -c'
                    ) -> list[Measurement]:
        table = f'{BENCH_SCHEMA}.floor_{request.taxi_type}'
        self.psql(f'CREATE SCHEMA IF NOT EXISTS {BENCH_SCHEMA}; DROP TABLE IF EXISTS {table}; '
                  f'CREATE TABLE {table} ({columns})')
        command = (f'{reader} {csv_file} | psql -v ON_ERROR_STOP=1 -q -h {self.settings["POSTGRES_HOST"]} '
                   f'-p {self.settings["POSTGRES_PORT"]} -U {self.settings["POSTGRES_USER"]} '
                   f'-d {self.settings["POSTGRES_DBNAME"]} -c "\\copy {table} FROM STDIN CSV HEADER"')
        runs = []
        for _ in range(REPEATS):
            self.psql(f'TRUNCATE {table}')
            runs.append(measure(command, env=self.env, shell=True))
        return runs

    def method(self, name: str, request: MonthRequest, *args: str, **settings: str) -> Measurement:
        return measure(python_command('-m', 'benchmarks.methods', name, str(self.file(request)), *args),
                       env={**self.env, **settings})

    def pipeline(self, request: MonthRequest, name: str = 'api_to_postgres', source: str = 'release',
                 project: Path = PROJECT_DIR, with_fixes: bool = False, **settings: str) -> Measurement:
        """`mage run` of `name` on `request`'s month; `with_fixes`: through nyc_taxi.mage.cli, as `make pipeline`
        runs it (the groups measured before it kept plain `mage run`, for comparison with their earlier rows)."""
        self.file(request, source)
        variables = {'taxi_type': request.taxi_type, 'year': request.year, 'month': request.month, 'source': source}
        if name == 'gcs_to_bigquery':  # the month's own dates
            first, last = _month_days(request)
            variables = {'taxi_type': request.taxi_type, 'start_date': str(first), 'end_date': str(last)}
        # Another project's blocks import its own nyc_taxi: PYTHONPATH comes before the venv's editable install.
        package = {} if project == PROJECT_DIR else {'PYTHONPATH': str(project)}
        mage = [sys.executable, '-m', 'nyc_taxi.mage.cli'] if with_fixes else [mage_executable()]
        return measure([*mage, 'run', str(project), name, '--runtime-vars', json.dumps(variables)],
                       env={**self.env, 'MAGE_DATA_DIR': str(self.mage_data), **package, **settings})

    def scheduled(self, request: MonthRequest) -> ScheduledMeasurement:
        """api_to_postgres for `request`'s month as a backfill run executed by a fresh `mage start`'s scheduler
        (benchmarks/scheduled.py), forced: the `mage run` before it loaded the month, which a backfill run would
        otherwise skip as current (nyc_taxi/mage/current_months.py)."""
        with MageServer(self.env) as mage:
            scheduled = mage.backfill_run('api_to_postgres', request.month_start,
                                          {'taxi_type': request.taxi_type, 'force': True})
        print(f'  scheduler run: wall {scheduled.run.wall_s:.1f} s, tree {scheduled.tree_pss_mb:.0f} MB PSS '
              f'({scheduled.run.peak_tree_rss_mb:.0f} MB RSS summed), idle {scheduled.idle_tree_pss_mb:.0f} MB PSS, '
              f'worker {scheduled.worker_rss_mb:.0f} MB RSS', flush=True)
        return scheduled

    def large(self) -> None:
        """The full-size month through all three pipelines, streamed: peak memory of the whole process tree."""
        request = LARGE_MONTH
        self.add('large yellow', 'floor: gunzip | psql \\copy', request, self.floor(request))
        # `mage run` and a scheduler run of the same pipeline, taken in turn so that both see the same machine.
        runs, scheduled = [], []
        for _ in range(REPEATS):
            runs.append(self.pipeline(request))
            scheduled.append(self.scheduled(request))
        self.add('large yellow', 'ours: api_to_postgres (mage run)', request, runs)
        # The tree's memory is its PSS: Mage's scheduler forks its worker pool and the pool the worker, which
        # share most of their pages; an RSS sum would count those pages once per process.
        self.add('large yellow', SCHEDULER_METHOD, request,
                 [replace(run.run, peak_tree_rss_mb=run.tree_pss_mb) for run in scheduled],
                 note=_scheduler_note(scheduled))
        self.add('large yellow', 'ours: api_to_gcs (mage run)', request,
                 repeat(lambda: self.pipeline(request, 'api_to_gcs')))

    def backfill(self) -> None:
        """api_to_postgres backfilled over the 31 months, PIPELINE_RUNS_AT_ONCE at its default and at 31."""
        source = self._backfill_source(BACKFILL_MONTHS)
        first, last = BACKFILL_MONTHS[0].month_start, BACKFILL_MONTHS[-1].month_start
        size = f'{len(BACKFILL_MONTHS)} months x {BACKFILL_ROWS / 1e6:.2g}M rows'
        for runs_at_once in ('2', str(len(BACKFILL_MONTHS))):
            self.psql(f'DROP TABLE IF EXISTS {BENCH_SCHEMA}.green_taxi_trips CASCADE')
            settings = {**self.env, **source, 'PIPELINE_RUNS_AT_ONCE': runs_at_once}
            result = measure_backfill(settings, 'api_to_postgres', first, last, {'taxi_type': 'green'})
            method = f'ours: backfill, {size}, PIPELINE_RUNS_AT_ONCE={runs_at_once} (mage start; tree PSS)'
            row = median_of([result.run], 'backfill', method, BACKFILL_ROWS * len(BACKFILL_MONTHS))
            row.note = (f'{method}: {result.most_at_once} runs executed at once at most; the staged months peaked '
                        f'at {result.staged_peak_mb:,.0f} MB on disk')
            self.rows.append(row)
            print(f'backfill {method}: wall {result.run.wall_s:.0f} s, {result.run.peak_tree_rss_mb:.0f} MB PSS, '
                  f'{result.most_at_once} at once, staged {result.staged_peak_mb:,.0f} MB', flush=True)

    def _backfill_source(self, months: tuple[MonthRequest, ...]) -> dict[str, str]:
        """The backfill groups' months, generated (once) in a folder of their own, apart from the local stack's demo
        months (which share some of these dates): the TAXI_DATA_BASE_URL that serves them."""
        for request in months:
            ensure_trip_file(self.data_dir / BACKFILL_FOLDER, request, rows=BACKFILL_ROWS, seed=2020)
        return {'TAXI_DATA_BASE_URL': f'{self.settings["TAXI_DATA_BASE_URL"].rstrip("/")}/{BACKFILL_FOLDER}'}

    def keep_current(self) -> None:
        """A year of full-size green months backfilled into an empty table, then the same backfill again, each on a
        fresh `mage start`: the second pass asks the source one HEAD per month and the target its ledger, and skips
        every month (nyc_taxi/mage/current_months.py). Bytes downloaded: the trip files the file server's log shows
        a GET of, at their size."""
        folder = BACKFILL_FOLDER
        months = BACKFILL_MONTHS[:KEEP_CURRENT_MONTHS]
        settings = {**self.env, **self._backfill_source(months)}
        size = f'{len(months)} months x {BACKFILL_ROWS / 1e6:.2g}M rows'
        self.psql(f'DROP TABLE IF EXISTS {BENCH_SCHEMA}.green_taxi_trips CASCADE')
        http_log = stack_dir() / 'logs' / 'http.log'
        for label in ('first pass, an empty table', 'second pass, nothing changed'):
            seen = len(http_log.read_text(errors='replace').splitlines())
            result = measure_backfill(settings, 'api_to_postgres', months[0].month_start, months[-1].month_start,
                                      {'taxi_type': 'green'})
            asked = http_log.read_text(errors='replace').splitlines()[seen:]
            downloads = [name for line in asked for name in re.findall(rf'"GET /{folder}/green/(\S+) HTTP', line)]
            heads = sum(f'"HEAD /{folder}/green/' in line for line in asked)
            downloaded = sum((self.data_dir / folder / 'green' / name).stat().st_size for name in downloads)
            method = f'ours: backfill of {size}, {label} (mage start; tree PSS)'
            row = median_of([result.run], 'keep current', method, BACKFILL_ROWS * len(months))
            row.note = (f'{method}: {len(downloads)} trip files downloaded ({downloaded / 1e6:,.0f} MB), {heads} HEAD '
                        f'requests, {result.runs} runs')
            self.rows.append(row)
            print(f'keep current, {label}: wall {result.run.wall_s:.0f} s, {result.run.peak_tree_rss_mb:.0f} MB PSS, '
                  f'{len(downloads)} files / {downloaded / 1e6:,.0f} MB downloaded, {heads} HEAD', flush=True)

    def blocks_of_yours(self) -> None:
        """The course's pandas transformer and the course's Postgres exporter (Mage's own class), blocks of a
        learner's added below api_to_postgres's transformer: the month handed over as one DataFrame
        (nyc_taxi/mage/fixes/blocks_of_yours.py), at the course's size and at a larger one, by `make pipeline`
        and by a run of `mage start`'s scheduler (whose tree's memory is its PSS)."""
        group, method = 'blocks of yours', "course's filter + Mage's Postgres exporter below transform_taxi_data"
        project = Path(tempfile.mkdtemp(prefix='bench_yours_')) / PROJECT_DIR.name
        shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns('__pycache__'))
        add_the_courses_blocks(project)
        for request, times in ((YOURS_MONTH, REPEATS), (YOURS_LARGE_MONTH, LARGE_REPEATS)):
            # The larger month is over NYC_TAXI_PANDAS_MAX_TRIPS's default: raised, to measure what it would cost.
            self.add(group, f'{method}, {_rows(request) / 1e6:.2f}M trips (make pipeline)', request,
                     repeat(lambda: self.pipeline(request, project=project, with_fixes=True,
                                                  NYC_TAXI_PANDAS_MAX_TRIPS=str(YOURS_LARGE_ROWS)), times))
        scheduled = []
        for _ in range(REPEATS):
            with MageServer(self.env) as mage:
                below = mage.api('POST', 'pipelines/api_to_postgres/blocks', {'block': {
                    'name': 'homework as in the video', 'type': 'transformer', 'language': 'python',
                    'content': COURSE_TRANSFORMER, 'upstream_blocks': ['transform_taxi_data']}})['block']['uuid']
                mage.api('POST', 'pipelines/api_to_postgres/blocks', {'block': {
                    'name': 'export homework', 'type': 'data_exporter', 'language': 'python',
                    'content': COURSE_POSTGRES_EXPORTER, 'upstream_blocks': [below]}})
                scheduled.append(mage.backfill_run('api_to_postgres', YOURS_MONTH.month_start, {'taxi_type': 'yellow'}))
        scheduler_method = f'{method}, {_rows(YOURS_MONTH) / 1e6:.2f}M trips (mage start scheduler; tree PSS)'
        self.add(group, scheduler_method, YOURS_MONTH,
                 [replace(run.run, peak_tree_rss_mb=run.tree_pss_mb) for run in scheduled],
                 note=_scheduler_note(scheduled, scheduler_method))
        shutil.rmtree(project.parent, ignore_errors=True)

    def other_sources(self, only: set[str]) -> None:
        """The bounded-memory check for FHV (the largest month users load) and for the TLC's parquet files."""
        if not only or 'fhv' in only:
            request = LARGE_FHV_MONTH
            self.add('large fhv', 'floor: gunzip | psql \\copy', request, self.floor(request))
            for name in ('api_to_postgres', 'api_to_gcs'):
                self.add('large fhv', f'ours: {name} (mage run)', request,
                         repeat(lambda: self.pipeline(request, name), LARGE_REPEATS))
        if not only or 'fhvhv' in only:
            request = LARGE_FHVHV_MONTH
            self.add('large fhvhv', 'floor: the same trips as CSV, psql \\copy', request,
                     self.parquet_floor(request))
            for name in ('api_to_postgres', 'api_to_gcs'):
                self.add('large fhvhv', f'ours: {name}, source tlc (mage run)', request,
                         repeat(lambda: self.pipeline(request, name, source='tlc'), LARGE_REPEATS))
        if not only or 'gcs_to_bigquery_fhvhv' in only:
            # The old path predates fhvhv: nothing to compare with.
            self.gcs_to_bigquery('gcs_to_bigquery fhvhv', ((BIGQUERY_FHVHV_MONTH, LARGE_REPEATS),), old_path=False)
        if not only or 'tlc' in only:
            request = LARGE_TLC_MONTH
            for name in ('api_to_postgres', 'api_to_gcs'):
                self.add('large tlc parquet', f'ours: {name}, source tlc (mage run)', request,
                         repeat(lambda: self.pipeline(request, name, source='tlc'), LARGE_REPEATS))

    def gcs_to_bigquery(self, group: str, months: tuple[tuple[MonthRequest, int], ...], old_path: bool = True) -> None:
        """gcs_to_bigquery on BigQuery's engine for each month: Mage's whole process tree against `mage run
        test_config` (Mage and the project's imports, no data) in the same bench run, the old path (the trips
        through one process, OLD_PATH_COMMIT) beside it, and the emulator's own CPU and memory apart."""
        baseline = median_of(repeat(lambda: measure([mage_executable(), 'run', str(PROJECT_DIR), 'test_config'],
                                                    env={**self.env, 'MAGE_DATA_DIR': str(self.mage_data)})),
                             group, 'baseline: test_config (mage run)', 0)
        self.rows.append(baseline)
        print(f'{group}: baseline test_config, tree peak {baseline.peak_tree_rss_mb:.0f} MB', flush=True)
        for request, repeats in months:
            first, last = _month_days(request)
            if not self._month_in_gcs(request):
                self.pipeline(request, 'api_to_gcs', source='tlc' if request.taxi_type == 'fhvhv' else 'release')
            # The emulator keeps what it held in memory after a dataset is dropped (16 GB after the yellow
            # months' runs): each month starts on a fresh one, so its peak is that month's.
            restart_bigquery_emulator()
            # It may come back on another port, if the old one's was not free yet.
            stack = read_env_file(stack_env_file())
            self.env.update({key: stack[key] for key in ('BIGQUERY_EMULATOR_HOST', 'BIGQUERY_EMULATOR_PORT')})
            runs, emulator = [], []
            for _ in range(repeats):
                # A first load each time (a dataset of its own, dropped after): the emulator runs a re-load's MERGE
                # as a nested loop (7.4M x 7.4M rows), and holds every dataset in memory.
                dataset = f'bench_{request.taxi_type}_{time.time_ns()}'
                with EmulatorSampler(stack_dir(), limit_mb=EMULATOR_LIMIT_MB) as sampler:
                    try:
                        runs.append(self.pipeline(request, 'gcs_to_bigquery', BQ_DATASET=dataset))
                    except CommandFailed:
                        if not sampler.stopped:
                            raise
                emulator.append(sampler.result())
                if sampler.stopped:
                    restart_bigquery_emulator()
                    stack = read_env_file(stack_env_file())
                    self.env.update({key: stack[key] for key in ('BIGQUERY_EMULATOR_HOST', 'BIGQUERY_EMULATOR_PORT')})
                    print(f'{group}: the BigQuery emulator passed {EMULATOR_LIMIT_MB:,} MB RSS and was stopped; '
                          f'no run of this month to report', flush=True)
                    break
                self._drop_dataset(dataset)
            if not runs:
                continue
            size = f'{_rows(request) / 1e6:.2g}M' if _rows(request) >= 1e6 else f'{_rows(request) // 1000}k'
            method = f'ours: gcs_to_bigquery, {size} {request.taxi_type} (mage run)'
            grown = max(run.peak_tree_rss_mb for run in runs) - baseline.peak_tree_rss_mb
            self.add(group, method, request, runs, note=(
                f'{method}: Mage\'s tree peaked {grown:+.0f} MB against test_config; the BigQuery emulator (not ours, '
                f'apart) used {statistics.median(cpu for cpu, _ in emulator):.0f} s of CPU and peaked at '
                f'{max(peak for _, peak in emulator):,.0f} MB RSS'))
            if old_path and request != SMALL_MONTH:
                old = []
                with old_project() as project:
                    for _ in range(repeats):
                        dataset = f'bench_old_{request.taxi_type}_{time.time_ns()}'
                        old.append(self.pipeline(request, 'gcs_to_bigquery', project=project, BQ_DATASET=dataset))
                        self._drop_dataset(dataset)
                self.add(group, f'old path ({OLD_PATH_COMMIT[:7]}): {size} {request.taxi_type}, trips through Mage',
                         request, old)

    def _month_in_gcs(self, request: MonthRequest) -> bool:
        from nyc_taxi.resources.gcs import GcsSettings
        from nyc_taxi.sources.partition_files import range_files

        first, last = _month_days(request)
        gcs = GcsSettings.from_io_config(self.env)
        try:
            return bool(range_files(gcs.filesystem(), gcs.bucket, request.taxi_type, first, last).files)
        except (FileNotFoundError, ValueError):
            return False

    def _drop_dataset(self, dataset: str) -> None:
        from nyc_taxi.targets.bigquery import BigQuerySettings

        settings = BigQuerySettings.from_io_config({**self.env, 'BQ_DATASET': dataset})
        settings.client().delete_dataset(f'{settings.project}.{dataset}', delete_contents=True, not_found_ok=True)

    def add(self, group: str, method: str, request: MonthRequest, runs: list[Measurement],
            note: str | None = None) -> None:
        row = median_of(runs, group, method, _rows(request))
        row.note = note
        self.rows.append(row)
        print(f'{group:<22} {method:<34} wall {row.wall_s:7.2f} s  cpu {row.cpu_s:7.2f} s  '
              f'peak {row.peak_process_rss_mb:6.0f} MB  step {row.step_s or 0:6.2f} s  '
              f'(each run: {", ".join(f"{run.wall_s:.1f}" for run in runs)} s)', flush=True)

    def run(self, only: set[str]) -> None:
        yellow, *later_months = YELLOW_MONTHS
        month = str(yellow.month_start)
        self.psql(f'DROP SCHEMA IF EXISTS {BENCH_SCHEMA} CASCADE')
        if not only or 'large' in only:
            self.large()
        self.other_sources(only)
        if not only or 'gcs_to_bigquery' in only:
            self.gcs_to_bigquery('gcs_to_bigquery', ((SMALL_MONTH, REPEATS), (LARGE_MONTH, REPEATS)))
        if not only or 'backfill' in only:
            self.backfill()
        if not only or 'gcs_to_bigquery_fhv' in only:
            self.gcs_to_bigquery('gcs_to_bigquery fhv', ((LARGE_FHV_MONTH, LARGE_REPEATS),))
        if not only or 'yours' in only:
            self.blocks_of_yours()
        if not only or 'current' in only:
            self.keep_current()
        if only and 'postgres' not in only:
            return self._cloud(yellow, month, only)

        for request in (*YELLOW_MONTHS, GREEN_MONTH):
            self.file(request)

        self.add('postgres yellow', 'floor: gunzip | psql \\copy', yellow, self.floor(yellow))
        self.add('postgres yellow', 'stock Mage: read_csv + export', yellow,
                 repeat(lambda: self.method('stock_mage', yellow, 'tpep', 'stock_yellow')))
        self.add('postgres yellow', 'pandas to_sql, chunks of 100k', yellow,
                 repeat(lambda: self.method('pandas_to_sql', yellow, 'tpep', 'to_sql_yellow')))
        self.add('postgres yellow', 'ours: exporter step', yellow,
                 repeat(lambda: self.method('ours_export', yellow, 'yellow', month)))
        self.add('postgres yellow', 'ours: api_to_postgres (mage run)', yellow, repeat(lambda: self.pipeline(yellow)))

        self.add('postgres green', 'floor: gunzip | psql \\copy', GREEN_MONTH, self.floor(GREEN_MONTH))
        self.add('postgres green', 'stock Mage: read_csv + export', GREEN_MONTH,
                 repeat(lambda: self.method('stock_mage', GREEN_MONTH, 'lpep', 'stock_green')))
        self.add('postgres green', 'ours: api_to_postgres (mage run)', GREEN_MONTH,
                 repeat(lambda: self.pipeline(GREEN_MONTH)))

        # Scaling: months loaded as separate runs, one after the other.
        scaling = [self.pipeline(request) for request in later_months]
        first = next(row for row in self.rows if row.method == 'ours: api_to_postgres (mage run)')
        for months in (2, 4):
            runs = scaling[: months - 1]
            self.rows.append(Row('scaling', f'{months} months, separate runs', YELLOW_ROWS * months,
                                 first.wall_s + sum(r.wall_s for r in runs), first.cpu_s + sum(r.cpu_s for r in runs),
                                 max([first.peak_process_rss_mb] + [r.peak_process_rss_mb for r in runs]),
                                 max([first.peak_tree_rss_mb] + [r.peak_tree_rss_mb for r in runs])))
            print(f'scaling {months} months: {self.rows[-1].wall_s:.1f} s, peak {self.rows[-1].peak_process_rss_mb:.0f} MB')

        self._cloud(yellow, month, only)
        self.psql(f'DROP SCHEMA IF EXISTS {BENCH_SCHEMA} CASCADE')

    def _cloud(self, yellow: MonthRequest, month: str, only: set[str]) -> None:
        if self.settings.get('STORAGE_EMULATOR_HOST') and (not only or 'gcs' in only):
            self.add('gcs yellow', 'ours: write_to_dataset, replace month', yellow,
                     repeat(lambda: self.method('gcs_partitioned', yellow, 'yellow', month)))
            self.add('gcs yellow', 'per-day DataFrame.to_parquet loop', yellow,
                     repeat(lambda: self.method('gcs_per_day_loop', yellow, 'yellow', month)))
        if self.settings.get('BIGQUERY_EMULATOR_HOST') and (not only or 'bigquery' in only):
            self.add('bigquery yellow', 'ours: load job from GCS, SQL, MERGE', yellow,
                     repeat(lambda: self.method('bigquery_ours', yellow, 'yellow', month)))
            self.add('bigquery yellow', 'load_table_from_dataframe', yellow,
                     repeat(lambda: self.method('bigquery_load_dataframe', yellow, 'yellow', month)))


def _scheduler_note(runs: list[ScheduledMeasurement], method: str = SCHEDULER_METHOD) -> str:
    def span(values) -> str:
        values = list(values)
        low, high = min(values), max(values)
        return f'{low:,.0f}' if round(low) == round(high) else f'{low:,.0f}-{high:,.0f}'

    return (f'{method}: the tree is all of `mage start` (web server, scheduler, notebook kernel, queue '
            f'manager, worker pool, and the worker running the blocks), its peak PSS '
            f'{span(r.tree_pss_mb for r in runs)} MB, of which the idle server {span(r.idle_tree_pss_mb for r in runs)} MB '
            f'(RSS summed over its processes: {span(r.run.peak_tree_rss_mb for r in runs)} MB, idle '
            f'{span(r.idle_tree_rss_mb for r in runs)} MB); the worker peaked at {span(r.worker_rss_mb for r in runs)} '
            f'MB RSS. Wall time from '
            f'starting the backfill to the run completed; Mage records the run itself as '
            f'{span(r.run_seconds for r in runs)} s. {len(runs)} runs, each on a fresh server.')


def restart_bigquery_emulator() -> None:
    from devstack.processes import stop_from_pid_file

    stop_from_pid_file(stack_dir() / 'pids' / 'bigquery.pid')
    subprocess.run([python_command()[0], '-m', 'devstack', 'up'], cwd=REPO_ROOT, check=True, capture_output=True)


@contextmanager
def old_project() -> Iterator[Path]:
    """The Mage project as it was before gcs_to_bigquery ran in BigQuery, checked out of git beside this one."""
    directory = Path(tempfile.mkdtemp(prefix='bench_old_'))
    subprocess.run(['git', 'worktree', 'add', '--detach', str(directory / 'tree'), OLD_PATH_COMMIT], cwd=REPO_ROOT,
                   check=True, capture_output=True)
    try:
        yield directory / 'tree' / PROJECT_DIR.name
    finally:
        subprocess.run(['git', 'worktree', 'remove', '--force', str(directory / 'tree')], cwd=REPO_ROOT, check=False)


def _month_days(request: MonthRequest) -> tuple[date, date]:
    return request.month_start, request.month_start.replace(day=calendar.monthrange(request.year, request.month)[1])


def _rows(request: MonthRequest) -> int:
    if request == SMALL_MONTH:
        return SMALL_ROWS
    if request == LARGE_FHV_MONTH:
        return LARGE_FHV_ROWS
    if request == LARGE_FHVHV_MONTH:
        return LARGE_FHVHV_ROWS
    if request == BIGQUERY_FHVHV_MONTH:
        return BIGQUERY_FHVHV_ROWS
    if request in (LARGE_MONTH, LARGE_TLC_MONTH):
        return LARGE_ROWS
    if request == YOURS_LARGE_MONTH:
        return YOURS_LARGE_ROWS
    return GREEN_ROWS if request.taxi_type == 'green' else YELLOW_ROWS


def write_csv(parquet: Path, csv_file: Path) -> None:
    """The parquet file's rows as one CSV with a header, a row group at a time."""
    import pyarrow.csv as pacsv

    csv_file.parent.mkdir(parents=True, exist_ok=True)
    partial = csv_file.with_name(csv_file.name + '.partial')
    source = pq.ParquetFile(parquet)
    with pacsv.CSVWriter(str(partial), source.schema_arrow) as writer:
        for batch in source.iter_batches(batch_size=TLC_ROW_GROUP_ROWS):
            writer.write_batch(batch)
    partial.replace(csv_file)


def _parquet_floor_type(kind) -> str:
    import pyarrow as pa

    if pa.types.is_integer(kind):
        return 'BIGINT'
    if pa.types.is_timestamp(kind):
        return 'TIMESTAMP'
    if pa.types.is_string(kind):
        return 'TEXT'
    return 'DOUBLE PRECISION'  # doubles, and columns typed null (empty in the CSV)


def _floor_type(name: str, kind) -> str:
    from nyc_taxi.targets.postgres import POSTGRES_TYPES

    # The file writes these integer codes as "1.0", which BIGINT refuses.
    if name in ('passenger_count', 'RatecodeID', 'payment_type', 'trip_type', 'VendorID', 'PUlocationID',
                'DOlocationID', 'SR_Flag'):
        return 'DOUBLE PRECISION'
    return POSTGRES_TYPES[kind]


def markdown(rows: list[Row]) -> str:
    floors = {row.group: row.wall_s for row in rows if row.method.startswith('floor')}
    lines = ['| group | method | wall s | CPU s | peak RSS (largest process) MB | peak RSS (process tree) MB '
             '| load step s | rows/s | × floor |',
             '|---|---|---:|---:|---:|---:|---:|---:|---:|']
    for row in rows:
        floor = floors.get(row.group)
        ratio = f'{row.wall_s / floor:.1f}' if floor else ''
        step = f'{row.step_s:.2f}' if row.step_s is not None else ''
        cpu = f'{row.cpu_s:.2f}' if row.cpu_s else ''
        method = row.method.replace('|', '\\|')
        lines.append(f'| {row.group} | {method} | {row.wall_s:.2f} | {cpu} | '
                     f'{row.peak_process_rss_mb:.0f} | {row.peak_tree_rss_mb:.0f} | {step} | '
                     f'{row.rows / row.wall_s:,.0f} | {ratio} |')
    notes = [f'- {row.group}, {row.note}' for row in rows if row.note]
    return '\n'.join(lines + ([''] + notes if notes else []))


def plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    shown = [row for row in rows if row.group != 'scaling']
    labels = [f'{row.group}\n{row.method}' for row in shown]
    figure, (times, memory) = plt.subplots(1, 2, figsize=(15, 0.45 * len(shown) + 2), sharey=True)
    positions = range(len(shown))
    times.barh(positions, [row.wall_s for row in shown], color='tab:blue')
    times.set_xscale('log')
    times.set_xlabel('wall time, s (log scale, median)')
    memory.barh(positions, [row.peak_tree_rss_mb for row in shown], color='tab:orange')
    memory.set_xlabel('peak RSS of the whole process tree, MB')
    times.set_yticks(list(positions), labels, fontsize=8)
    times.invert_yaxis()
    figure.suptitle(f'Loading one NYC-taxi month ({YELLOW_ROWS:,} and {LARGE_ROWS:,} yellow / {GREEN_ROWS:,} green '
                    f'rows), {os.cpu_count()} cores')
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)


def update_table_page(table: str) -> None:
    page = TABLE_PAGE
    text = page.read_text()
    block = f'<!-- bench:start -->\n{table}\n<!-- bench:end -->'
    if '<!-- bench:start -->' in text:
        text = re.sub(r'<!-- bench:start -->.*?<!-- bench:end -->', lambda _: block, text, flags=re.S)
        page.write_text(text)


def main() -> None:
    """BENCH_ONLY=gcs,bigquery re-measures those groups and keeps the others from results.json;
    BENCH_ONLY=report only redraws the table and the plot from it."""
    only = {group for group in os.environ.get('BENCH_ONLY', '').split(',') if group}
    rows = []
    if only != {'report'}:
        bench = Bench()
        bench.run(only)
        rows = bench.rows
    if only and RESULTS.exists():
        kept = [Row(**row) for row in json.loads(RESULTS.read_text())]
        measured = {row.group for row in rows}
        # Re-measured groups take their old place in the table, not the end of it.
        order = list(dict.fromkeys(row.group for row in kept))
        rows = sorted([row for row in kept if row.group not in measured] + rows,
                      key=lambda row: order.index(row.group) if row.group in order else len(order))
    RESULTS.write_text(json.dumps([asdict(row) for row in rows], indent=2) + '\n')
    table = markdown(rows)
    print(table)
    plot(rows, PLOT)
    update_table_page(table)
    print(f'\nResults: {RESULTS}; plot: {PLOT}; table updated in {TABLE_PAGE}. Machine: {os.cpu_count()} cores.')


if __name__ == '__main__':
    main()
