"""Blocks in Mage's editor, as the course works: run one at a time, re-run any of them alone, look at the trips.

Each test runs its steps through tests/editor_server.py: one real notebook kernel started by Mage's kernel
manager, each block's code built as a click on its run button builds it, on a copy of the project that is
a git repository of its own (the editor saves pipelines), against the real local stack.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from devstack.mage import environment_with
from devstack.paths import PROJECT_DIR, REPO_ROOT
from nyc_taxi.staging.stage import EDITOR_STAGING_DIR
from nyc_taxi.staging.stage_files import staged_batches
from tests.conftest import YELLOW_FEB, YELLOW_JAN
from tests.integration.expected import transformed
from tests.integration.pg import month_fingerprint, query
from tests.project_clone import clone_project, git_status

pytestmark = pytest.mark.integration
SCHEMA = 'editor'
BUCKET = 'editor-runs'
# As from a learner's shell, whatever the caller's: the folder they came from and a long setting of no secret,
# both prefixes of paths in the kernel's output (its warnings name files under .venv). Mage masked both.
LEARNERS_SHELL = {'OLDPWD': str(REPO_ROOT.parent), 'PWD': str(REPO_ROOT),
                  'LEARNERS_TOOLS_DIR': str(REPO_ROOT / '.venv' / 'lib')}


@dataclass(frozen=True)
class BlockRun:
    text: str
    error: str | None
    outputs: list[dict[str, Any]]

    def output(self, variable: str) -> dict[str, Any]:
        return next(output for output in self.outputs if output.get('variable_uuid') == variable)


@dataclass(frozen=True)
class Editor:
    project: Path
    mage_data: Path
    bucket: str
    dataset: str
    run: Callable[..., list[BlockRun]]  # steps, and settings= for the kernel's environment

    def staged(self, pipeline: str) -> dict[str, int]:
        """Per block of `pipeline`, how many editor stages it has on disk."""
        root = self.mage_data / PROJECT_DIR.name / EDITOR_STAGING_DIR / pipeline
        return {block.name: len(list(block.iterdir())) for block in sorted(root.iterdir())} if root.exists() else {}

    def git_status(self) -> str:
        return git_status(self.project.parent)


@pytest.fixture
def editor(stack_settings, new_bucket, tmp_path) -> Editor:
    """The project as a user clones it (its own git repository), and a function that runs editor steps on it."""
    project = clone_project(tmp_path / 'clone')
    mage_data = tmp_path / 'mage_data'
    suffix = tmp_path.name[-12:].lower()
    bucket = new_bucket(f'{BUCKET}-{suffix.replace("_", "-")}')
    dataset = f'editor_{suffix.replace("-", "_")}'
    env = environment_with({**stack_settings, **LEARNERS_SHELL, 'POSTGRES_SCHEMA': SCHEMA, 'GCS_BUCKET': bucket, 'BQ_DATASET': dataset,
                            'MAGE_REPO_PATH': str(project), 'MAGE_DATA_DIR': str(mage_data)})

    def run(*steps: dict[str, Any], settings: dict[str, str] | None = None) -> list[BlockRun]:
        results_file = tmp_path / 'results.json'
        done = subprocess.run([sys.executable, '-m', 'tests.editor_server', json.dumps(list(steps)), str(results_file)],
                              env={**env, **(settings or {})}, cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return [BlockRun(**result) for result in json.loads(results_file.read_text())]

    return Editor(project, mage_data, bucket, dataset, run)


def block(pipeline: str, uuid: str, **flags: Any) -> dict[str, Any]:
    return {'pipeline': pipeline, 'block': uuid, **flags}


def assert_ran(runs: list[BlockRun]) -> None:
    for index, run in enumerate(runs):
        assert run.error is None, f'step {index}: {run.error[-3000:]}'
        assert '****' not in run.text, f'step {index} shows asterisks: {run.text[-2000:]}'


def test_api_to_postgres_block_by_block_then_each_block_again_alone(editor, db, trip_data_dir):
    runs = editor.run(*(block('api_to_postgres', uuid) for uuid in (
        'load_taxi_data_api', 'transform_taxi_data', 'taxi_data_to_postgres',
        'taxi_data_to_postgres', 'taxi_data_to_postgres', 'transform_taxi_data', 'taxi_data_to_postgres')),
        {'pipeline': 'api_to_postgres', 'save': True})
    assert_ran(runs)
    loader, transformer = runs[0], runs[1]

    # The previews: trips first, as the stock template shows them; the transformer's summary beside them.
    trips = loader.output('output_0')
    assert trips['type'] == 'table' and 'tpep_pickup_datetime' in trips['sample_data']['columns']
    assert len(trips['sample_data']['rows']) == 10
    assert loader.output('output_1')['text_data']['trips'] == 3_000  # the month's size, stated
    clean = transformer.output('output_0')['sample_data']['columns']
    assert 'tpep_pickup_date' in clean and 'pu_location_id' in clean
    assert 'rows_in' in transformer.output('output_1')['sample_data']['columns']
    assert '3/3 tests passed' in transformer.text

    # Every export replaced the month: it is there once, exactly.
    count, _ = month_fingerprint(db, SCHEMA, 'yellow_taxi_trips', YELLOW_JAN.month_start)
    assert count == len(transformed(trip_data_dir, YELLOW_JAN))
    assert query(db, f'SELECT count(*) FROM {SCHEMA}.yellow_taxi_trips') == [(count,)]
    assert f'{count} rows of yellow 2021-01 now in {SCHEMA}.yellow_taxi_trips on postgresql://' in runs[-2].text

    # One stage per block that stages, its newest output; and nothing for git to see.
    assert editor.staged('api_to_postgres') == {'load_taxi_data_api': 1, 'transform_taxi_data': 1}
    assert editor.git_status() == ''


def test_api_to_gcs_three_exporters_each_alone_twice_then_execute_with_all_upstream_blocks(editor, gcs_filesystem):
    exporters = ('taxi_data_to_gcs_parquet', 'taxi_data_to_gcs_partitioned', 'export_daily_trips_gcs')
    runs = editor.run(block('api_to_gcs', 'load_taxi_data_api'), block('api_to_gcs', 'transform_taxi_data'),
                      *(block('api_to_gcs', exporter) for exporter in exporters for _ in range(2)),
                      block('api_to_gcs', 'taxi_data_to_gcs_parquet', run_upstream=True),
                      {'pipeline': 'api_to_gcs', 'save': True})
    assert_ran(runs)
    month_object = f'nyc_taxi/yellow/{YELLOW_JAN.file_stem}.parquet'
    assert f'to gs://{editor.bucket}/{month_object}' in runs[2].text

    # The editor runs with execution_date = now: the January month holds no trip of today, so no daily object.
    today = date.today()
    daily = runs[6]
    assert 'nothing written' in daily.text and f'picked up on {today}' in daily.text
    assert not gcs_filesystem.get_file_info(
        f'{editor.bucket}/{today:%Y/%m/%d}/yellow/daily-trips.parquet').is_file

    assert editor.staged('api_to_gcs') == {'load_taxi_data_api': 1, 'transform_taxi_data': 1}
    assert editor.git_status() == ''


def set_pipeline_variables(project: Path, pipeline: str, **variables: Any) -> None:
    """What the editor's Variables tab saves: the pipeline's variables in its metadata.yaml."""
    path = project / 'pipelines' / pipeline / 'metadata.yaml'
    config = yaml.safe_load(path.read_text())
    config['variables'].update(variables)
    path.write_text(yaml.safe_dump(config))


def test_gcs_to_bigquery_block_by_block_runs_in_bigquery_with_one_staging_table_per_block(editor, bigquery_emulator):
    from google.cloud import bigquery

    from nyc_taxi.targets.bigquery import BigQuerySettings

    set_pipeline_variables(editor.project, 'gcs_to_bigquery', start_date='2021-01-01', end_date='2021-01-31')
    runs = editor.run(block('api_to_gcs', 'load_taxi_data_api'), block('api_to_gcs', 'transform_taxi_data'),
                      block('api_to_gcs', 'taxi_data_to_gcs_partitioned'),
                      *(block('gcs_to_bigquery', uuid) for uuid in (
                          'load_taxi_data_gcs', 'transform_taxi_data', 'taxi_data_to_bigquery', 'transform_taxi_data',
                          'transform_taxi_data', 'taxi_data_to_bigquery', 'load_taxi_data_gcs')))
    assert_ran(runs)
    loader, transformer = runs[3], runs[4]
    trips = loader.output('output_0')
    assert trips['type'] == 'table' and len(trips['sample_data']['rows']) == 10
    assert 'tpep_pickup_date' in trips['sample_data']['columns']
    assert 'bytes' in loader.output('output_1')['sample_data']['columns']  # per date: objects, rows, bytes
    staged = loader.output('output_2')['text_data']
    assert staged['trips'] > 2500 and '__gcs_to_bigquery__load_taxi_data_gcs__editor_' in staged['table_id']
    assert 'rows_in' in transformer.output('output_1')['sample_data']['columns']
    assert '3/3 tests passed' in transformer.text and 'in BigQuery: local-project.' in transformer.text

    client = BigQuerySettings.from_io_config({**bigquery_emulator, 'BQ_DATASET': editor.dataset}).client()
    (count,) = next(iter(client.query(f'SELECT count(*) FROM `local-project.{editor.dataset}.yellow_taxi_trips`')
                         .result()))
    assert count == staged['trips']  # both exports replaced the month: it is there once
    # One staging table per block, its newest output: the earlier ones went when the block ran again.
    tables = sorted(table.table_id.split('__')[2] for table in client.list_tables(
        bigquery.DatasetReference('local-project', editor.dataset)) if '__' in table.table_id)
    assert tables == ['load_taxi_data_gcs', 'transform_taxi_data']


def test_a_block_whose_upstream_output_is_gone_says_which_block_to_run(editor):
    runs = editor.run(block('api_to_postgres', 'load_taxi_data_api'))
    assert_ran(runs)
    shutil.rmtree(editor.mage_data / PROJECT_DIR.name / EDITOR_STAGING_DIR / 'api_to_postgres' / 'load_taxi_data_api')
    (gone,) = editor.run(block('api_to_postgres', 'transform_taxi_data'))
    assert 'Run load_taxi_data_api again, or run this block with "Execute with all upstream blocks"' in gone.error
    assert 'FileNotFoundError: [Errno' not in gone.error


def test_a_block_before_its_upstream_ran_is_refused_by_mage_naming_the_block(editor):
    (refused,) = editor.run(block('api_to_postgres', 'taxi_data_to_postgres'))
    assert "Please run upstream blocks ['transform_taxi_data']" in refused.error


def test_the_example_block_of_your_own_equals_pandas_on_the_whole_month(editor, trip_data_dir, mage_run):
    runs = editor.run(*(block('explore_trips', uuid) for uuid in (
        'load_taxi_data_api', 'transform_taxi_data', 'keep_trips_with_passengers')))
    assert_ran(runs)
    expected = transformed(trip_data_dir, YELLOW_JAN)
    expected = expected[expected['passenger_count'] > 0]
    kept = runs[2]
    assert kept.output('output_1')['text_data']['trips'] == len(expected) > 0
    assert '1/1 tests passed' in kept.text
    staged = next((editor.mage_data / PROJECT_DIR.name / EDITOR_STAGING_DIR / 'explore_trips' /
                   'keep_trips_with_passengers').glob('*/clean.arrow'))
    assert sum(batch.num_rows for batch in staged_batches(staged)) == len(expected)

    result = mage_run('explore_trips', {'year': 2021, 'month': 1})
    assert result.returncode == 0 and f'{len(expected)} of {len(transformed(trip_data_dir, YELLOW_JAN))} yellow ' \
                                      f'2021-01 trips kept' in result.output, result.output[-3000:]


def add_block(project: Path, pipeline: str, uuid: str, code: str, below: str | None,
              kind: str = 'transformers') -> None:
    """A block of one's own below `below` (or at the top), as the editor's block buttons add one."""
    (project / kind / f'{uuid}.py').write_text(code)
    path = project / 'pipelines' / pipeline / 'metadata.yaml'
    config = yaml.safe_load(path.read_text())
    for entry in config['blocks']:
        if entry['uuid'] == below:
            entry['downstream_blocks'].append(uuid)
    config['blocks'].append({'uuid': uuid, 'name': uuid, 'type': kind[:-1], 'language': 'python',
                             'upstream_blocks': [below] if below else [], 'downstream_blocks': []})
    path.write_text(yaml.safe_dump(config))


PLAIN_BLOCK = """if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer


@transformer
def transform(data, *args, **kwargs):
    return {body}
"""


LEARNERS_EXPORTER = """import os
from os import path

from mage_ai.io.config import ConfigFileLoader
from mage_ai.io.postgres import Postgres
from mage_ai.settings.repo import get_repo_path

if 'data_exporter' not in globals():
    from mage_ai.data_preparation.decorators import data_exporter


@data_exporter
def export_data_to_postgres(df, **kwargs) -> None:
    config_path = path.join(get_repo_path(), 'io_config.yaml')
    with Postgres.with_config(ConfigFileLoader(config_path, 'dev')) as loader:
        loader.export(df, os.environ['POSTGRES_SCHEMA'], '{table}', index=False, if_exists='append')
"""


def test_the_courses_pandas_line_below_the_transformer_gets_the_month_and_a_learners_exporter_writes_it(
        editor, db, trip_data_dir):
    """The course's transformer, written as the course writes it, below transform_taxi_data, and the course's
    Postgres exporter (Mage's own class) below it: the table holds exactly the month's trips with passengers."""
    table = 'homework_trips'
    add_block(editor.project, 'explore_trips', 'homework_as_in_the_video', below='transform_taxi_data',
              code=PLAIN_BLOCK.format(body="data[data['passenger_count'] > 0]"))
    add_block(editor.project, 'explore_trips', 'export_homework', below='homework_as_in_the_video',
              code=LEARNERS_EXPORTER.replace('{table}', table), kind='data_exporters')
    runs = editor.run(*(block('explore_trips', uuid) for uuid in (
        'load_taxi_data_api', 'transform_taxi_data', 'homework_as_in_the_video', 'export_homework')))
    assert_ran(runs)
    expected = transformed(trip_data_dir, YELLOW_JAN)
    kept = int((expected['passenger_count'] > 0).sum())
    assert 0 < kept < len(expected)
    assert query(db, f'SELECT count(*), min(passenger_count) FROM {SCHEMA}.{table}') == [(kept, 1)]


def test_data_0_or_data_minus_1_in_a_block_of_yours_is_refused_never_the_preview(editor):
    """What one tries on a list of outputs: the block's input is the month's DataFrame, whose columns are names."""
    add_block(editor.project, 'explore_trips', 'on_the_first_output', below='transform_taxi_data',
              code=PLAIN_BLOCK.format(body="data[0]"))
    add_block(editor.project, 'explore_trips', 'homework_on_the_last_output', below='transform_taxi_data',
              code=PLAIN_BLOCK.format(body="data[-1][data[-1]['passenger_count'] > 0]"))
    runs = editor.run(*(block('explore_trips', uuid) for uuid in (
        'load_taxi_data_api', 'transform_taxi_data', 'on_the_first_output', 'homework_on_the_last_output')))
    assert_ran(runs[:2])
    for refused in runs[2:]:
        assert refused.error and 'KeyError' in refused.error
        assert not refused.outputs  # nothing, the preview least of all, goes on as if it were the month


def test_over_the_pandas_limit_the_courses_line_fails_naming_the_size_the_setting_and_map_trips(editor):
    add_block(editor.project, 'explore_trips', 'homework_as_in_the_video', below='transform_taxi_data',
              code=PLAIN_BLOCK.format(body="data[data['passenger_count'] > 0]"))
    runs = editor.run(*(block('explore_trips', uuid) for uuid in (
        'load_taxi_data_api', 'transform_taxi_data', 'homework_as_in_the_video', 'keep_trips_with_passengers')),
        settings={'NYC_TAXI_PANDAS_MAX_TRIPS': '100'})
    assert_ran(runs[:2])
    refused = runs[2]
    trips = runs[1].output('output_2')['text_data']['trips']
    assert refused.error and f'{trips:,} trips' in refused.error and 'NYC_TAXI_PANDAS_MAX_TRIPS=100' in refused.error
    assert 'map_trips(data, function, **kwargs)' in refused.error and not refused.outputs
    assert_ran(runs[3:])  # map_trips, at any size


def test_the_seeds_connection_checks_pass_in_the_editor(editor, gcs_filesystem):
    """The seed checks GCS with Mage's "Google Cloud Storage" data loader template (its bucket and key filled in)
    and BigQuery with a SELECT 1; test_config has a check block for each (BigQuery's with the official client)."""
    from mage_ai.data_preparation.templates.template import fetch_template_source

    month_object = f'nyc_taxi/yellow/{YELLOW_JAN.file_stem}.parquet'
    with gcs_filesystem.open_output_stream(f'{editor.bucket}/{month_object}') as out:
        pq.write_table(pa.table({'trip': [1, 2, 3]}), out)
    template = fetch_template_source('data_loader', {'template_path': 'data_loaders/google_cloud_storage.py'})
    assert "bucket_name = 'your_bucket_name'" in template
    add_block(editor.project, 'test_config', 'load_from_google_cloud_storage', below=None, kind='data_loaders',
              code=template.replace('your_bucket_name', editor.bucket).replace('your_object_key', month_object))
    runs = editor.run(*(block('test_config', uuid) for uuid in (
        'test_postgres_connection', 'test_gcs_connection', 'test_bigquery_connection',
        'load_from_google_cloud_storage')))
    assert_ran(runs)
    assert runs[2].output('output_0')['sample_data']['rows'][0][-1] == 1  # SELECT 1
    assert runs[3].output('output_0')['shape'][0] == 3  # the object's rows, through Mage's own class



PRINTS_SETTINGS = """import os

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader


@data_loader
def print_settings(*args, **kwargs):
    for name in ('OLDPWD', 'LEARNERS_TOOLS_DIR', 'POSTGRES_HOST', 'POSTGRES_PASSWORD', 'MAGE_DATABASE_CONNECTION_URL'):
        print(f'{name}={os.environ.get(name)}')
"""


def test_the_editor_shows_a_learners_folders_and_settings_and_masks_their_secrets(editor, stack_settings):
    """A block of a learner's own pipeline prints the folder they came from, a long setting, the database's host,
    its password and Mage's state URL (which holds the password): all shown but the password."""
    pipeline = editor.project / 'pipelines' / 'my_settings'
    pipeline.mkdir()
    (pipeline / 'metadata.yaml').write_text(yaml.safe_dump({'name': 'my settings', 'uuid': 'my_settings', 'type':
                                                             'python', 'blocks': [{'name': 'print_settings', 'uuid':
                                                             'print_settings', 'type': 'data_loader', 'language':
                                                             'python', 'upstream_blocks': [], 'downstream_blocks': []}]}))
    (editor.project / 'data_loaders' / 'print_settings.py').write_text(PRINTS_SETTINGS)
    (run,) = editor.run(block('my_settings', 'print_settings'))
    assert run.error is None, run.error
    password = stack_settings['POSTGRES_PASSWORD']
    assert len(password) >= 8 and password not in run.text and '*' * len(password) in run.text
    for name in ('OLDPWD', 'LEARNERS_TOOLS_DIR'):
        assert f'{name}={LEARNERS_SHELL[name]}\n' in run.text
    assert f"POSTGRES_HOST={stack_settings['POSTGRES_HOST']}\n" in run.text
    assert f"@{stack_settings['POSTGRES_HOST']}:{stack_settings['POSTGRES_PORT']}/" in run.text  # the state URL


def test_an_exporter_run_alone_after_the_month_changed_writes_nothing_and_names_both_months(editor, db, trip_data_dir):
    """Load and export 2021-02, then 2021-01; set month back to 2 and run only the exporter: it is handed January's
    trips, and neither month changes (it once replaced February with them)."""
    chain = [block('api_to_postgres', uuid) for uuid in ('load_taxi_data_api', 'transform_taxi_data',
                                                          'taxi_data_to_postgres')]
    for request in (YELLOW_FEB, YELLOW_JAN):
        set_pipeline_variables(editor.project, 'api_to_postgres', year=request.year, month=request.month)
        assert_ran(editor.run(*chain))
    before = {request: month_fingerprint(db, SCHEMA, 'yellow_taxi_trips', request.month_start)
              for request in (YELLOW_JAN, YELLOW_FEB)}
    assert before[YELLOW_FEB][0] == len(transformed(trip_data_dir, YELLOW_FEB))

    set_pipeline_variables(editor.project, 'api_to_postgres', month=2)
    (refused,) = editor.run(chain[-1])
    assert refused.error and 'yellow 2021-01 trips' in refused.error and 'ask for yellow 2021-02' in refused.error
    assert 'set month back to 1' in refused.error
    assert {request: month_fingerprint(db, SCHEMA, 'yellow_taxi_trips', request.month_start)
            for request in (YELLOW_JAN, YELLOW_FEB)} == before
