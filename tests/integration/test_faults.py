"""Crashes, outages and races against the real stack: the targets end up exactly right or untouched."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import psycopg2
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from benchmarks.scheduled import MageServer
from devstack.emulators import LOCAL_BUCKET
from devstack.processes import kill_process_group
from devstack.sample_data import ensure_trip_file
from nyc_taxi.targets.bigquery import BigQuerySettings
from nyc_taxi.resources.gcs import GcsSettings
from nyc_taxi.sources.gcs_partitions import read_date_range
from nyc_taxi.mage.state_database import SETTING as STATE_SETTING
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.staging.stage import STAGING_DIR
from tests.integration.expected import month_vars, transformed
from tests.integration.waiting import wait_until
from tests.integration.pg import month_fingerprint, query
from tests.integration.bigquery_equivalence import arrow_path_trips, bigquery_trips, fingerprint
from tests.integration.rows_per_date import bigquery_rows_per_date, gcs_rows_per_date

pytestmark = pytest.mark.integration

# Big enough that the COPY lasts long enough to be interrupted, small enough to stay quick.
LARGE = MonthRequest(taxi_type='yellow', year=2021, month=8)
LARGE_ROWS = 300_000
SMALL_JAN = MonthRequest(taxi_type='yellow', year=2021, month=1)
# Several of the scheduler's ticks (1 s under MageServer) without its state, shorter than the first retry's 10 s.
OUTAGE_S = 5


@pytest.fixture(scope='module')
def large_month(trip_data_dir: Path) -> MonthRequest:
    ensure_trip_file(trip_data_dir, LARGE, rows=LARGE_ROWS)
    return LARGE


def copy_in_progress(connection) -> bool:
    return query(connection, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'magic-zoomcamp' "
                             "AND query LIKE 'COPY%%'")[0][0] > 0


def finish(process: subprocess.Popen) -> tuple[int, str]:
    output, _ = process.communicate(timeout=300)
    return process.returncode, output


def test_postgres_stopped_mid_copy_then_restarted_keeps_the_old_month_and_a_rerun_completes(
        large_month, mage_run, mage_start, db, postgres_cluster, trip_data_dir):
    schema = 'crash_stop'
    assert mage_run('api_to_postgres', month_vars(SMALL_JAN), POSTGRES_SCHEMA=schema).returncode == 0
    before = month_fingerprint(db, schema, 'yellow_taxi_trips', SMALL_JAN.month_start)
    watcher = psycopg2.connect(**_dsn(postgres_cluster))
    watcher.autocommit = True

    process = mage_start('api_to_postgres', month_vars(large_month), POSTGRES_SCHEMA=schema)
    wait_until(lambda: copy_in_progress(watcher))
    postgres_cluster.stop(mode='immediate')
    code, output = finish(process)
    postgres_cluster.start()

    assert code != 0
    assert 'failed, the table is unchanged' in output or 'server closed the connection' in output, output[-3000:]
    with psycopg2.connect(**_dsn(postgres_cluster)) as connection:
        connection.autocommit = True
        assert month_fingerprint(connection, schema, 'yellow_taxi_trips', SMALL_JAN.month_start) == before
        assert query(connection, f'SELECT count(*) FROM {schema}.yellow_taxi_trips WHERE source_month = %s',
                     (large_month.month_start,)) == [(0,)]
    result = mage_run('api_to_postgres', month_vars(large_month), POSTGRES_SCHEMA=schema)
    assert result.returncode == 0, result.output[-3000:]
    with psycopg2.connect(**_dsn(postgres_cluster)) as connection:
        count, _ = month_fingerprint(connection, schema, 'yellow_taxi_trips', large_month.month_start)
    assert count == len(transformed(trip_data_dir, large_month))


@pytest.mark.parametrize('state_on_the_same_server', [False, True], ids=['state apart', 'state on the same server'])
def test_postgres_restarted_during_a_backfill_runs_copy_is_retried_and_the_month_lands_once(
        large_month, stack_settings, postgres_cluster, trip_data_dir, state_on_the_same_server):
    """As the Backfill tab runs it; the trips' server restarts, with Mage's own state elsewhere (its sqlite file),
    or on that same server as docker-compose keeps it, away for OUTAGE_S: the scheduler skips its ticks
    meanwhile instead of dying and killing the run (nyc_taxi/mage/fixes/state_sessions.py)."""
    schema = 'retried_with_state' if state_on_the_same_server else 'retried'
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': schema}
    if not state_on_the_same_server:
        env[STATE_SETTING] = ''
    with MageServer(env) as server:
        backfill_id = server.create_backfill('api_to_postgres', large_month.month_start, large_month.month_start,
                                             {'taxi_type': large_month.taxi_type})
        watcher = psycopg2.connect(**_dsn(postgres_cluster))
        watcher.autocommit = True
        server.start_backfill(backfill_id)
        wait_until(lambda: copy_in_progress(watcher), timeout_s=300)
        postgres_cluster.stop(mode='immediate')
        time.sleep(OUTAGE_S if state_on_the_same_server else 0)
        postgres_cluster.start()
        (run,) = server.finished_runs(backfill_id, timeout_s=600)
        log = server.log.read_text(errors='replace')
    assert run['status'] == 'completed', log[-3000:]
    retried = [line for line in log.splitlines() if 'failed with a transient error' in line]
    assert len(retried) == 1 and 'Attempt 1 of 3' in retried[0] and 'server closed the connection' in retried[0]
    assert ('the scheduler skips this tick' in log) == state_on_the_same_server
    with psycopg2.connect(**_dsn(postgres_cluster)) as connection:
        assert query(connection, f'SELECT source_month, count(*) FROM {schema}.yellow_taxi_trips GROUP BY 1') == [
            (large_month.month_start, len(transformed(trip_data_dir, large_month)))]


def test_postgres_away_for_longer_than_the_retries_fails_the_run_and_keeps_the_month_for_a_rerun(
        stack_settings, postgres_cluster, mage_run, db, trip_data_dir):
    """The trips' server is down through the whole retry schedule (10 s, then 20 s): three attempts, each failure
    but the last logged as retried, then the run fails; the month already loaded is as it was, and a run once the
    server is back lands the month once."""
    schema = 'outage_beyond_retries'
    assert mage_run('api_to_postgres', month_vars(SMALL_JAN), POSTGRES_SCHEMA=schema).returncode == 0
    before = month_fingerprint(db, schema, 'yellow_taxi_trips', SMALL_JAN.month_start)
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': schema, STATE_SETTING: ''}
    with MageServer(env) as server:
        backfill_id = server.create_backfill('api_to_postgres', SMALL_JAN.month_start, SMALL_JAN.month_start,
                                             {'taxi_type': SMALL_JAN.taxi_type})
        postgres_cluster.stop(mode='fast')
        try:
            server.start_backfill(backfill_id)
            (run,) = server.finished_runs(backfill_id, timeout_s=300)
        finally:
            postgres_cluster.start()
        log = server.log.read_text(errors='replace')
        assert run['status'] == 'failed', log[-3000:]
        retried = [line for line in log.splitlines() if 'failed with a transient error' in line]
        assert [('Attempt 1 of 3' in line, 'Attempt 2 of 3' in line) for line in retried] == [
            (True, False), (False, True)], log[-3000:]
        with psycopg2.connect(**_dsn(postgres_cluster)) as connection:
            assert month_fingerprint(connection, schema, 'yellow_taxi_trips', SMALL_JAN.month_start) == before

        rerun_id = server.create_backfill('api_to_postgres', SMALL_JAN.month_start, SMALL_JAN.month_start,
                                          {'taxi_type': SMALL_JAN.taxi_type})
        server.start_backfill(rerun_id)
        assert [run['status'] for run in server.finished_runs(rerun_id, timeout_s=300)] == ['completed']
    with psycopg2.connect(**_dsn(postgres_cluster)) as connection:
        assert month_fingerprint(connection, schema, 'yellow_taxi_trips', SMALL_JAN.month_start) == before
        assert query(connection, f'SELECT count(*) FROM {schema}.yellow_taxi_trips')[0][0] == len(
            transformed(trip_data_dir, SMALL_JAN))


def test_a_backfill_run_that_no_retry_can_fix_fails_at_once_and_its_log_opens_with_the_projects_message(
        stack_settings):
    """A month the source does not have: one attempt, the run fails, and in the run's logs (Mage's logs API, what
    the Logs view shows) the failed block's first error says what failed and what to do: the 404, the months
    the local file server lists. Mage's traceback of it no longer opens with "no running event loop"."""
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': 'not_retried'}
    with MageServer(env) as server:
        backfill_id = server.create_backfill('api_to_postgres', date(2031, 1, 1), date(2031, 1, 1),
                                             {'taxi_type': 'yellow'})
        server.start_backfill(backfill_id)
        (run,) = server.finished_runs(backfill_id, timeout_s=120)
        logs = server.api('GET', f'pipelines/api_to_postgres/logs?pipeline_run_id[]={run["id"]}')['logs'][0]
        log = server.log.read_text(errors='replace')
    assert run['status'] == 'failed'
    assert 'failed with a transient error' not in log
    (loader_log,) = [entry['content'] for entry in logs['block_run_logs'] if entry['name'] == 'load_taxi_data_api.log']
    entries = [json.loads(line.split(' ', 1)[1]) for line in loader_log.splitlines() if ' {"' in line[:30]]
    errors = [entry for entry in entries if entry['level'] in ('ERROR', 'EXCEPTION', 'CRITICAL')]
    first = errors[0]['message']
    assert 'yellow_tripdata_2031-01.csv.gz answered 404 Not Found: there is no such file. This server lists' in first
    assert 'not retried' in first, first
    (failure,) = [entry for entry in errors if entry['level'] == 'EXCEPTION']
    assert 'no running event loop' not in failure['error']
    assert failure['error'].rstrip().splitlines()[-1].startswith('nyc_taxi.sources.download.DownloadError: http')


def test_sigkill_during_the_postgres_copy_leaves_nothing_and_a_rerun_converges(
        large_month, mage_run, mage_start, db, trip_data_dir, mage_data_dir):
    schema = 'crash_kill'
    process = mage_start('api_to_postgres', month_vars(large_month), POSTGRES_SCHEMA=schema)
    wait_until(lambda: copy_in_progress(db))
    kill_process_group(process)
    # The server notices the dead client and rolls its COPYs back. The month's fresh table stays, empty and
    # never attached, and the table itself was not created yet: readers see nothing of the killed run.
    wait_until(lambda: not copy_in_progress(db), timeout_s=30, every_s=0.1)
    fresh = f'yellow_taxi_trips_{large_month.month_start:%Y_%m}_loading'
    assert query(db, "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)) == [(fresh,)]
    assert query(db, f'SELECT count(*) FROM {schema}.{fresh}') == [(0,)]

    staging = mage_data_dir / 'magic-zoomcamp' / STAGING_DIR / 'api_to_postgres'
    assert list(staging.glob('*'))  # the killed run's staged month, until a run finds its owner gone

    result = mage_run('api_to_postgres', month_vars(large_month), POSTGRES_SCHEMA=schema)
    assert result.returncode == 0, result.output[-3000:]
    count, _ = month_fingerprint(db, schema, 'yellow_taxi_trips', large_month.month_start)
    assert count == len(transformed(trip_data_dir, large_month))
    assert list(staging.glob('*')) == []  # the re-run removed it, then its own stage once exported
    assert query(db, "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename LIKE '%%_loading'",
                 (schema,)) == [(0,)]


def test_two_runs_of_the_same_month_at_once_load_it_once(large_month, mage_start, db, trip_data_dir, tmp_path):
    schema = 'race'
    # Each run its own Mage state, as a trigger's and a backfill's runs have their own partitions.
    first = mage_start('api_to_postgres', month_vars(large_month), tmp_path / 'first', POSTGRES_SCHEMA=schema)
    second = mage_start('api_to_postgres', month_vars(large_month), tmp_path / 'second', POSTGRES_SCHEMA=schema)
    results = [finish(first), finish(second)]
    assert [code for code, _ in results] == [0, 0], [output[-2000:] for _, output in results]
    count, _ = month_fingerprint(db, schema, 'yellow_taxi_trips', large_month.month_start)
    assert count == len(transformed(trip_data_dir, large_month))
    assert query(db, f'SELECT count(*) FROM {schema}.yellow_taxi_trips') == [(count,)]


def _kill_after_transform(process: subprocess.Popen, delay_s: float, after_block: str = 'transform_taxi_data') -> None:
    """SIGKILLs the run `delay_s` after `after_block` (its transform) finished, while the blocks below it work."""
    def watch() -> None:
        for line in process.stdout:
            if f'{after_block}:' in line:
                time.sleep(delay_s)
                kill_process_group(process)
                return
    threading.Thread(target=watch, daemon=True).start()
    process.wait(timeout=300)


def gcs_month_state(filesystem: pafs.FileSystem) -> dict[str, int]:
    infos = filesystem.get_file_info(pafs.FileSelector(f'{LOCAL_BUCKET}/nyc_taxi_data/yellow', recursive=True,
                                                       allow_not_found=True))
    return {info.path: info.size for info in infos
            if info.type == pafs.FileType.File and 'yellow_tripdata_2021-08-' in info.path}


@pytest.mark.parametrize('delay_s', [0.4])
def test_sigkill_during_gcs_exports_then_rerun_converges(large_month, mage_run, mage_start, gcs_filesystem,
                                                         trip_data_dir, delay_s):
    _kill_after_transform(mage_start('api_to_gcs', month_vars(large_month)), delay_s)
    assert mage_run('api_to_gcs', month_vars(large_month)).returncode == 0
    files = gcs_month_state(gcs_filesystem)
    rows = sum(pq.ParquetFile(gcs_filesystem.open_input_file(path)).metadata.num_rows for path in files)
    assert rows == len(transformed(trip_data_dir, large_month))
    assert mage_run('api_to_gcs', month_vars(large_month)).returncode == 0
    assert gcs_month_state(gcs_filesystem) == files


@pytest.fixture(scope='module')
def january_in_gcs(mage_run) -> None:
    assert mage_run('api_to_gcs', month_vars(SMALL_JAN)).returncode == 0


@pytest.mark.parametrize('after_block, delay_s', [('load_taxi_data_gcs', 0.0), ('transform_taxi_data', 0.0),
                                                  ('transform_taxi_data', 0.3)])
def test_sigkill_of_gcs_to_bigquery_after_any_block_then_rerun_converges(january_in_gcs, mage_run, mage_start,
                                                                        gcs_filesystem, bigquery_emulator,
                                                                        after_block, delay_s):
    """BigQuery's jobs run on its side: a killed client leaves a staging table (it expires) or a MERGE that
    finishes anyway, never half a range; the re-run replaces the range whole. (The small month: the emulator
    runs a re-load's MERGE as a nested loop.)"""
    dataset = f'crash_{after_block}_{int(delay_s * 10)}'
    january = {'start_date': '2021-01-01', 'end_date': '2021-01-31'}
    _kill_after_transform(mage_start('gcs_to_bigquery', january, BQ_DATASET=dataset), delay_s, after_block)
    assert mage_run('gcs_to_bigquery', january, BQ_DATASET=dataset).returncode == 0
    bq = BigQuerySettings.from_io_config(bigquery_emulator).client()
    assert bigquery_rows_per_date(bq, dataset) == gcs_rows_per_date(gcs_filesystem, date(2021, 1, 1),
                                                                     date(2021, 1, 31))
    assert fingerprint(bigquery_trips(bq, dataset, 'yellow', date(2021, 1, 1), date(2021, 1, 31)), 'yellow') == \
        fingerprint(arrow_path_trips(gcs_filesystem, LOCAL_BUCKET, 'yellow', date(2021, 1, 1), date(2021, 1, 31)),
                    'yellow')


def _dsn(cluster) -> dict:
    return dict(host='127.0.0.1', port=cluster.port, user=cluster.user, password=cluster.password,
                dbname=cluster.dbname)


def test_emulators_restarted_give_a_clear_error_then_a_clean_rerun(mage_run, tmp_path):
    """Emulators of our own, restarted on the same ports (GCS keeps its files on disk, BigQuery comes back empty)."""
    from devstack.emulators import bigquery_settings, gcs_settings, start_bigquery_emulator, start_gcs_emulator
    from devstack.processes import free_port, stop_process_group

    gcs_port, bigquery_port = free_port(), free_port()
    settings = {**gcs_settings(gcs_port), **bigquery_settings(bigquery_port), 'GCS_RETRY_SECONDS': '2',
                'BQ_RETRY_SECONDS': '2', 'BQ_DATASET': 'restarts'}

    def start_both() -> list[int]:
        return [start_gcs_emulator(gcs_port, LOCAL_BUCKET, tmp_path / 'gcs', tmp_path / 'gcs.log'),
                start_bigquery_emulator(bigquery_port, free_port(), tmp_path, tmp_path / 'gcs', tmp_path / 'bigquery.log')]

    january = {'start_date': '2021-01-01', 'end_date': '2021-01-31'}
    pids = start_both()
    assert mage_run('api_to_gcs', month_vars(SMALL_JAN), **settings).returncode == 0
    for pid in pids:
        stop_process_group(pid)

    result = mage_run('gcs_to_bigquery', january, **settings)
    assert result.returncode != 0 and 'Cannot reach gs://nyc-taxi-local' in result.output, result.output[-2000:]

    pids = start_both()
    try:
        assert mage_run('api_to_gcs', month_vars(SMALL_JAN), **settings).returncode == 0
        result = mage_run('gcs_to_bigquery', january, **settings)
        assert result.returncode == 0, result.output[-2000:]
        bq = BigQuerySettings.from_io_config(settings).client()
        rows = list(bq.query('SELECT count(*) FROM `local-project.restarts.yellow_taxi_trips`').result())[0][0]
        filesystem = GcsSettings.from_io_config(settings).filesystem()
        assert rows == read_date_range(filesystem, LOCAL_BUCKET, 'yellow', date(2021, 1, 1), date(2021, 1, 31)).num_rows
    finally:
        for pid in pids:
            stop_process_group(pid)
