"""A pipeline run under Mage's scheduler, measured: a backfill run executed by a real `mage start`.

This is the path of a trigger's or the Backfill tab's runs, nothing stood in for: the server is
started as `make ui` starts it (`python -m nyc_taxi.mage.cli start`, on a copy of the project, since
the scheduler rewrites triggers.yaml), the backfill is created and started through Mage's REST API as
the Backfill tab does (POST /api/pipelines/<p>/backfills, PUT status "initial": `start_backfill`
makes the PipelineRun), and Mage's scheduler process picks the run up on its next tick, hands it to its
process queue as one job (`run_pipeline_in_one_process: true`), whose worker pool forks a worker that
runs the blocks, `@test`s included, as block runs.

Measured from the PUT until the API reports the run completed: wall time (so it includes the
scheduler's tick, SCHEDULER_TRIGGER_INTERVAL=1 s here, and the pool's 0.5 s poll), and, every 20 ms,
the RSS of every process of `mage start` (server, scheduler, queue manager, worker pool, the worker, the
notebook kernel). The idle server is measured just before, over a couple of seconds.
"""
from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import URL

from benchmarks.measure import CommandFailed, Measurement, TreeSampler
from devstack.mage import WIDE_OUTPUT, mage_server_command
from devstack.paths import PROJECT_DIR
from devstack.processes import free_port, kill_process_group, stop_process_group, wait_for_http
from nyc_taxi.mage.state_database import (MAINTENANCE_DBNAME, SETTING as STATE_SETTING, configured_state_url,
                                          connection_args)

RUN_TIMEOUT_S = 900
POLL_S = 0.25


@dataclass(frozen=True)
class ScheduledMeasurement:
    run: Measurement  # peak_tree_rss_mb: RSS summed over all of `mage start`; peak_process_rss_mb: its largest process
    tree_pss_mb: float  # the same tree's peak PSS sum: pages shared by forked processes counted once
    idle_tree_rss_mb: float  # all of `mage start`, idle, just before the run
    idle_tree_pss_mb: float
    worker_rss_mb: float  # the largest process the run started (besides Mage's queue manager and worker pool)
    run_seconds: float  # the run's own started_at..completed_at in Mage's database


class MageServer:
    """`mage start` (with the project's fixes) on a copy of the project, in a process group of its own.

    With Mage's state in PostgreSQL (MAGE_DATABASE_CONNECTION_URL in `env`) the server gets a database of its
    own on that server, made by its start and dropped at the end: no server sees another's runs or schedules.
    Without it, Mage's sqlite file in the server's MAGE_DATA_DIR."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.work = Path(tempfile.mkdtemp(prefix='bench_mage_start_'))
        self.project = self.work / PROJECT_DIR.name
        shutil.copytree(PROJECT_DIR, self.project, ignore=shutil.ignore_patterns('__pycache__'))
        self.port = free_port()
        self.log = self.work / 'mage.log'
        (self.work / 'mage_data').mkdir()
        self.env = {**env, **WIDE_OUTPUT, 'MAGE_DATA_DIR': str(self.work / 'mage_data'),
                    'REQUIRE_USER_AUTHENTICATION': '0', 'SCHEDULER_TRIGGER_INTERVAL': '1'}
        state = configured_state_url(env)
        self.state_url = state.set(database=f'{state.database}_{secrets.token_hex(4)}') if state else None
        if self.state_url is not None:
            self.env[STATE_SETTING] = self.state_url.render_as_string(hide_password=False)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def __enter__(self) -> MageServer:
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process is not None:
            stop_process_group(self.process.pid)
            self.process = None
        if self.state_url is not None:
            drop_database(self.state_url)
        shutil.rmtree(self.work, ignore_errors=True)

    def kill_and_restart(self) -> None:
        """SIGKILL to the whole server (a crash, an OOM kill, a pulled plug), then a start as before."""
        kill_process_group(self.process)
        self.process = None
        self._start()

    def _start(self) -> None:
        with open(self.log, 'a') as out:
            self.process = subprocess.Popen(mage_server_command(self.project.name, self.port), cwd=self.work,
                                            env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for_http(f'{self.url}/api/status', timeout_s=180, process=self.process, log=self.log)
        self._wait_for_scheduler()

    def _wait_for_scheduler(self, timeout_s: float = 120) -> None:
        """Until the server's children include the scheduler and the process tree's size settles."""
        deadline = time.monotonic() + timeout_s
        previous = -1
        while time.monotonic() < deadline:
            sampler = TreeSampler(self.process.pid)
            sampler.sample_once()
            if len(sampler.processes()) >= 3 and abs(sampler.peak_tree - previous) < 5 * 2**20:
                return
            previous = sampler.peak_tree
            time.sleep(2)
        raise TimeoutError(f'mage start did not settle in {timeout_s} s:\n{self.log_tail()}')

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors='replace')[-chars:]

    def api(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> dict:
        # The frontend's public API key: Mage's REST API wants it on every request, with or without the login.
        from mage_ai.settings.server import OAUTH2_APPLICATION_CLIENT_ID as API_KEY

        separator = '&' if '?' in path else '?'
        request = urllib.request.Request(f'{self.url}/api/{path}{separator}api_key={API_KEY}', method=method,
                                         data=json.dumps(payload).encode() if payload is not None else None,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.loads(response.read())
        if body.get('error'):
            raise CommandFailed(f'{method} /api/{path}: {body["error"]}')
        return body

    def create_backfill(self, pipeline: str, first: date, last: date, variables: Mapping[str, Any]) -> int:
        """A monthly backfill of `pipeline` over first..last (inclusive), made as the Backfill tab makes it."""
        return self.api('POST', f'pipelines/{pipeline}/backfills', {'backfill': {
            'name': f'{pipeline} {first}..{last} {time.time_ns()}', 'interval_type': 'month', 'interval_units': 1,
            'start_datetime': f'{first}T00:00:00', 'end_datetime': f'{last}T00:00:00',
            'variables': dict(variables)}})['backfill']['id']

    def start_backfill(self, backfill_id: int) -> None:
        self.api('PUT', f'backfills/{backfill_id}', {'backfill': {'status': 'initial'}})

    def finished_runs(self, backfill_id: int, timeout_s: float = RUN_TIMEOUT_S) -> list[dict]:
        """The backfill's runs once every one of them has ended, however it ended."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            runs = self.api('GET', f'pipeline_runs?backfill_id={backfill_id}')['pipeline_runs']
            if runs and all(run['status'] in ('completed', 'failed', 'cancelled') for run in runs):
                return runs
            time.sleep(POLL_S)
        raise CommandFailed(f'backfill {backfill_id} not done after {timeout_s} s:\n{self.log_tail()}')

    def backfill_run(self, pipeline: str, execution_date: date, variables: Mapping[str, Any]) -> ScheduledMeasurement:
        """One backfill run of `pipeline` at `execution_date` (a month backfill over one date), measured."""
        backfill_id = self.create_backfill(pipeline, execution_date, execution_date, variables)
        idle = TreeSampler(self.process.pid, pss=True)
        for _ in range(20):
            idle.sample_once()
            time.sleep(0.1)
        with TreeSampler(self.process.pid, pss=True) as sampler:
            start = time.perf_counter()
            self.start_backfill(backfill_id)
            runs = self.finished_runs(backfill_id)
            if any(run['status'] != 'completed' for run in runs):
                raise CommandFailed(f'backfill run {runs[0]["status"]}:\n{self.log_tail()}')
            run = runs[0]
            wall = time.perf_counter() - start
        return ScheduledMeasurement(
            run=Measurement(wall, sampler.cpu_s(), sampler.peak_process / 2**20, sampler.peak_tree / 2**20,
                            self._run_log(run)),
            tree_pss_mb=sampler.peak_tree_pss / 2**20,
            idle_tree_rss_mb=idle.peak_tree / 2**20, idle_tree_pss_mb=idle.peak_tree_pss / 2**20,
            worker_rss_mb=sampler.peak_new_process / 2**20,
            run_seconds=_seconds_between(run.get('started_at'), run.get('completed_at')))

    def _run_log(self, run: Mapping[str, Any]) -> str:
        return json.dumps({'pipeline_run_id': run['id'], 'execution_date': run.get('execution_date')})


def _seconds_between(start: str | None, end: str | None) -> float:
    from datetime import datetime

    if not start or not end:
        return float('nan')
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def drop_database(url: URL) -> None:
    """Drops the database `url` names, closing whatever connections a killed server left."""
    connection = psycopg2.connect(**connection_args(url, MAINTENANCE_DBNAME))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(sql.Identifier(url.database)))
    finally:
        connection.close()
