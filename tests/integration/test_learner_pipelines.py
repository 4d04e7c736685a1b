"""A learner's own pipeline runs under the project's `mage start` as stock Mage runs it: each block once per run.

The pipeline is made through Mage's REST API as the UI makes it (Mage's defaults: its blocks are scheduled
one by one), with a loader, the course's transformer and an exporter that appends to Postgres on the `dev`
profile, as the course's exporter can. It runs by Run@once, then by a monthly backfill over three dates;
then the same with the pipeline set to run in one process (its settings page). The project's fix for
crashed runs once reset every started block of such a pipeline at every scheduler tick: its blocks ran 2-6
times a run, and its exporter appended twice.
"""
from __future__ import annotations

import os
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from benchmarks.scheduled import MageServer
from tests.integration.pg import query
from tests.integration.waiting import wait_until

pytestmark = pytest.mark.integration
SCHEMA = 'learner_pipelines'
STARTS_SETTING = 'LEARNER_BLOCK_STARTS'
KEPT_ROWS = 2  # of the loader's 3, the course's filter keeps those with passengers

RECORD_START = f'''
def record_start(kwargs):
    with open(os.environ['{STARTS_SETTING}'], 'a') as starts:
        starts.write(f"{{kwargs.get('pipeline_run_id')}} {{kwargs['block_uuid']}}\\n")
'''
LOADER = '''import os
import time

import pandas as pd

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader
''' + RECORD_START + '''

@data_loader
def load_data(*args, **kwargs):
    record_start(kwargs)
    time.sleep(3)  # a few of the scheduler's ticks (1 s here) while it runs
    return pd.DataFrame({'trip_id': [1, 2, 3], 'passenger_count': [1, 0, 2]})
'''
TRANSFORMER = '''import os

if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer
''' + RECORD_START + '''

@transformer
def transform(data, *args, **kwargs):
    record_start(kwargs)
    data = data[data['passenger_count'] > 0].copy()
    data['execution_date'] = str(kwargs.get('execution_date'))
    return data
'''
EXPORTER = '''import os
from os import path

from mage_ai.io.config import ConfigFileLoader
from mage_ai.io.postgres import Postgres
from mage_ai.settings.repo import get_repo_path

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter
''' + RECORD_START + '''

@data_exporter
def export_data_to_postgres(df, **kwargs) -> None:
    record_start(kwargs)
    config_path = path.join(get_repo_path(), 'io_config.yaml')
    with Postgres.with_config(ConfigFileLoader(config_path, 'dev')) as loader:
        loader.export(df, os.environ['POSTGRES_SCHEMA'], kwargs['pipeline_uuid'], index=False, if_exists='append')
'''


def make_pipeline(server: MageServer, name: str) -> tuple[str, list[str]]:
    """A pipeline made as the UI makes it: its uuid and its blocks' uuids."""
    pipeline = server.api('POST', 'pipelines', {'pipeline': {'name': name, 'type': 'python'}})['pipeline']['uuid']
    blocks, upstream = [], []
    for kind, content in (('data_loader', LOADER), ('transformer', TRANSFORMER), ('data_exporter', EXPORTER)):
        block = server.api('POST', f'pipelines/{pipeline}/blocks', {'block': {
            'name': f'{pipeline} {kind}', 'type': kind, 'language': 'python', 'content': content,
            'upstream_blocks': upstream}})['block']['uuid']
        blocks.append(block)
        upstream = [block]
    return pipeline, blocks


def run_once(server: MageServer, pipeline: str, variables: dict | None = None) -> dict:
    """Run@once, as the Triggers page makes it; the run once it has ended."""
    server.api('POST', f'pipelines/{pipeline}/pipeline_schedules', {'pipeline_schedule': {
        'name': 'run once', 'schedule_type': 'time', 'schedule_interval': '@once', 'status': 'active',
        'start_time': datetime.now(tz=timezone.utc).strftime('%Y-%m-%d %H:%M:%S'), 'variables': variables or {}}})

    def ended() -> list[dict]:
        runs = server.api('GET', f'pipeline_runs?pipeline_uuid={pipeline}')['pipeline_runs']
        return [run for run in runs if run['status'] in ('completed', 'failed', 'cancelled')]

    wait_until(ended, timeout_s=300, every_s=0.5)
    return ended()[0]


def runs_of(server: MageServer, pipeline: str) -> list[dict]:
    run = run_once(server, pipeline)
    backfill_id = server.create_backfill(pipeline, date(2021, 1, 1), date(2021, 3, 1), {})
    server.start_backfill(backfill_id)
    return [run, *server.finished_runs(backfill_id, timeout_s=300)]


@pytest.mark.parametrize('one_process', [False, True], ids=['block by block', 'in one process'])
def test_a_learners_pipeline_runs_each_block_once_per_run_and_appends_once(stack_settings, db, tmp_path: Path,
                                                                          one_process: bool):
    starts = tmp_path / 'block_starts'
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': SCHEMA, STARTS_SETTING: str(starts)}
    with MageServer(env) as server:
        pipeline, blocks = make_pipeline(server, 'my first pipeline' + (' one process' if one_process else ''))
        if one_process:
            server.api('PUT', f'pipelines/{pipeline}', {'pipeline': {'run_pipeline_in_one_process': True}})
        runs = runs_of(server, pipeline)
        log = server.log_tail(200_000)

    assert [run['status'] for run in runs] == ['completed'] * 4, log[-4000:]
    started = Counter(tuple(line.split()) for line in starts.read_text().splitlines())
    expected = {(str(run['id']), block): 1 for run in runs for block in blocks}
    assert dict(started) == expected
    assert 'started again in a new process' not in log
    rows = query(db, f'SELECT execution_date, count(*) FROM "{SCHEMA}"."{pipeline}" GROUP BY 1')
    assert sorted(count for _, count in rows) == [KEPT_ROWS] * 4


COURSE_TRANSFORMER = """if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer


@transformer
def transform(data, *args, **kwargs):
    return data[data['passenger_count'] > 0]
"""


def test_the_courses_pandas_line_in_a_block_of_yours_in_api_to_postgres_runs_once_and_exports_the_kept_trips(
        stack_settings, db, trip_data_dir, tmp_path: Path):
    """Blocks of a learner's added to the project's api_to_postgres as the editor adds them (REST API): the course's
    transformer below transform_taxi_data, the course's Postgres exporter below it; then Run@once of the month.
    The learner's table holds exactly the month's trips with passengers, and the project's exporter its month."""
    from tests.conftest import YELLOW_JAN
    from tests.integration.expected import transformed
    from tests.integration.pg import month_fingerprint

    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': SCHEMA, STARTS_SETTING: str(tmp_path / 'block_starts')}
    with MageServer(env) as server:
        transformer = server.api('POST', 'pipelines/api_to_postgres/blocks', {'block': {
            'name': 'homework as in the video', 'type': 'transformer', 'language': 'python',
            'content': COURSE_TRANSFORMER, 'upstream_blocks': ['transform_taxi_data']}})['block']['uuid']
        server.api('POST', 'pipelines/api_to_postgres/blocks', {'block': {
            'name': 'export homework', 'type': 'data_exporter', 'language': 'python',
            'content': EXPORTER.replace("kwargs['pipeline_uuid']", "'homework_trips'"),
            'upstream_blocks': [transformer]}})
        run = run_once(server, 'api_to_postgres', {'taxi_type': 'yellow', 'year': 2021, 'month': 1})
        log = server.log_tail(20_000)
    assert run['status'] == 'completed', log
    expected = transformed(trip_data_dir, YELLOW_JAN)
    kept = int((expected['passenger_count'] > 0).sum())
    assert query(db, f'SELECT count(*), min(passenger_count) FROM "{SCHEMA}".homework_trips') == [(kept, 1)]
    assert month_fingerprint(db, SCHEMA, 'yellow_taxi_trips', YELLOW_JAN.month_start)[0] == len(expected)
