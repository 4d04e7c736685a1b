"""A backfill run again skips what is current, through `mage start` and Mage's Backfill model: no trip file
downloaded (the file server's log has no GET of one), no month replaced (each month's partition is the same
table, by its OID); a republished file reloads its month alone; force and a new transform reload."""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pyarrow.fs as pafs
import pytest

from benchmarks.scheduled import MageServer
from devstack.emulators import LOCAL_PROJECT
from devstack.http_server import base_url, start_file_server
from devstack.processes import free_port, stop_process_group
from devstack.sample_data import ensure_trip_file
from nyc_taxi.runs.request import MonthRequest
from tests.integration.expected import transformed
from tests.integration.pg import query
from nyc_taxi.coverage.coverage import configured_targets, coverage_rows
from nyc_taxi.coverage.months import months_between
from nyc_taxi.model.fingerprint import transform_fingerprint
from nyc_taxi.resources.gcs import GcsSettings
from nyc_taxi.sources.month_source import MonthSource

pytestmark = pytest.mark.integration
MONTHS = tuple(MonthRequest(taxi_type='green', year=2020, month=month) for month in range(1, 7))
SCHEMA = 'current_months'
ROWS = 2_000
JULY = MonthRequest(taxi_type='green', year=2020, month=7)


@pytest.fixture
def own_source(tmp_path: Path):
    """A file server of this test's own: its log counts the requests, and its files may change."""
    data = tmp_path / 'data'
    for request in MONTHS:
        ensure_trip_file(data, request, rows=ROWS)
    port, log = free_port(), tmp_path / 'http.log'
    pid = start_file_server(data, port, log)
    yield data, base_url(port), log
    stop_process_group(pid)


def requests_of(log: Path, method: str) -> list[str]:
    """The trip files asked for with `method`, in order."""
    return re.findall(rf'"{method} /green/(green_tripdata_\S+) HTTP', log.read_text())


def partitions(db) -> dict[date, int]:
    """Each month's partition of the trips table, by its OID: the same OID, the same table, never replaced."""
    rows = query(db, f"""SELECT pg_get_expr(c.relpartbound, c.oid), c.oid::bigint FROM pg_inherits i
                         JOIN pg_class c ON c.oid = i.inhrelid
                         WHERE i.inhparent = '"{SCHEMA}".green_taxi_trips'::regclass""")
    return {date.fromisoformat(bound.split("'")[1]): oid for bound, oid in rows}


def month_rows(db) -> dict[date, int]:
    return dict(query(db, f'SELECT source_month, count(*) FROM "{SCHEMA}".green_taxi_trips GROUP BY 1'))


def backfill(server: MageServer, months: tuple[MonthRequest, ...], pipeline: str = 'api_to_postgres',
             **variables) -> list[dict]:
    backfill_id = server.create_backfill(pipeline, months[0].month_start, months[-1].month_start,
                                         {'taxi_type': 'green', **variables})
    server.start_backfill(backfill_id)
    runs = server.finished_runs(backfill_id, timeout_s=600)
    failed = [run for run in runs if run['status'] != 'completed']
    assert not failed, run_logs(server, failed[0], pipeline)[-6000:]
    return runs


def run_logs(server: MageServer, run: dict, pipeline: str) -> str:
    logs = server.api('GET', f'pipelines/{pipeline}/logs?pipeline_run_id[]={run["id"]}')['logs'][0]
    return '\n'.join(entry['content'] for entry in logs['block_run_logs'])


def loader_log(server: MageServer, run: dict, pipeline: str = 'api_to_postgres',
               name: str = 'load_taxi_data_api.log') -> str:
    logs = server.api('GET', f'pipelines/{pipeline}/logs?pipeline_run_id[]={run["id"]}')['logs'][0]
    return '\n'.join(entry['content'] for entry in logs['block_run_logs'] if entry['name'] == name)


def test_a_backfill_run_again_skips_current_months_and_reloads_only_what_changed(own_source, stack_settings, db):
    data, url, log = own_source
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': SCHEMA, 'TAXI_DATA_BASE_URL': url}
    expected = {request.month_start: len(transformed(data, request)) for request in MONTHS}
    with MageServer(env) as server:
        backfill(server, MONTHS)
        assert sorted(requests_of(log, 'GET')) == sorted(request.file_name for request in MONTHS)
        assert month_rows(db) == expected
        first = partitions(db)

        # Again: one HEAD per month, no download, no month replaced, and each run's loader says why.
        runs = backfill(server, MONTHS)
        assert len(requests_of(log, 'GET')) == len(MONTHS)
        assert sorted(requests_of(log, "HEAD")) == sorted(request.file_name for request in MONTHS)  # none before
        assert partitions(db) == first and month_rows(db) == expected
        for run in runs:
            said = loader_log(server, run)
            assert re.search(r'green 2020-0\d unchanged since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(Last-Modified .+ '
                             r'bytes\): skipped; set force to reload', said), said[-3000:]

        # The TLC republishes March: the next pass downloads March alone and replaces March alone.
        march = MONTHS[2]
        path = data / 'green' / march.file_name
        path.unlink()
        ensure_trip_file(data, march, rows=ROWS + 7, seed=7)
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))  # Last-Modified has whole seconds
        expected[march.month_start] = len(transformed(data, march))
        backfill(server, MONTHS)
        assert requests_of(log, 'GET')[len(MONTHS):] == [march.file_name]
        healed = partitions(db)
        assert {month for month in first if healed[month] != first[month]} == {march.month_start}
        assert month_rows(db) == expected

        # force reloads a current month.
        backfill(server, MONTHS[:1], force=True)
        assert requests_of(log, 'GET')[len(MONTHS) + 1:] == [MONTHS[0].file_name]
        forced = partitions(db)
        assert forced[MONTHS[0].month_start] != healed[MONTHS[0].month_start]

        # What is loaded where: the six months current with their rows; a month the source has and Postgres not
        # is missing, one it has not is unavailable; a file republished since its load is stale.
        ensure_trip_file(data, JULY, rows=ROWS)
        may = data / 'green' / MONTHS[4].file_name
        os.utime(may, (may.stat().st_atime, may.stat().st_mtime + 120))
        readers, _, notes = configured_targets(env)
        rows, unanswered = coverage_rows(readers, ['green'], months_between(date(2020, 1, 1), date(2020, 8, 1)),
                                         MonthSource('release', url))
        in_postgres = {row.month: (row.state, row.rows) for row in rows if row.target.startswith('postgres')}
        assert in_postgres == {**{request.month_start: ('current', expected[request.month_start])
                                  for request in MONTHS},
                               MONTHS[4].month_start: ('stale', expected[MONTHS[4].month_start]),
                               JULY.month_start: ('missing', None), date(2020, 8, 1): ('unavailable', None)}
        assert not notes and not unanswered

        # A new transform (its fingerprint) makes every month stale: the next pass loads them all.
        fingerprint = server.project / 'nyc_taxi' / 'model' / 'fingerprint.py'
        fingerprint.write_text(fingerprint.read_text().replace('TRANSFORM_VERSION = 1', 'TRANSFORM_VERSION = 2'))
        server.env['PYTHONPATH'] = str(server.project)  # the server's own copy of the package, not the venv's
        server.kill_and_restart()
        backfill(server, MONTHS)
        assert len(requests_of(log, 'GET')) == 2 * len(MONTHS) + 2
        assert all(oid != forced[month] for month, oid in partitions(db).items())
        assert month_rows(db) == expected


def generations(filesystem, bucket: str) -> dict[str, int]:
    """Every object in the bucket by its generation: GCS gives a rewritten object a new one."""
    infos = filesystem.get_file_info(pafs.FileSelector(bucket, recursive=True))
    found = {}
    for info in infos:
        if info.type == pafs.FileType.File:
            with filesystem.open_input_stream(info.path) as stream:
                found[info.path] = int(stream.metadata()['generation'])
    return found


def test_api_to_gcs_run_again_leaves_every_object_as_it_was_and_rewrites_a_republished_month_alone(
        own_source, stack_settings, new_bucket):
    data, url, log = own_source
    bucket = new_bucket('current-months')
    env = {**os.environ, **stack_settings, 'GCS_BUCKET': bucket, 'TAXI_DATA_BASE_URL': url}
    filesystem = GcsSettings.from_io_config(env).filesystem()
    months = MONTHS[:3]
    with MageServer(env) as server:
        backfill(server, months, 'api_to_gcs')
        first = generations(filesystem, bucket)
        # Each month: its object, its date files, the daily object of its run's date (the 1st).
        assert sum('/nyc_taxi/green/' in path for path in first) == len(months)
        assert sum(path.endswith('daily-trips.parquet') for path in first) == len(months)

        runs = backfill(server, months, 'api_to_gcs')
        assert len(requests_of(log, 'GET')) == len(months)
        assert generations(filesystem, bucket) == first
        assert all('skipped; set force to reload' in loader_log(server, run, 'api_to_gcs') for run in runs)

        february = months[1]
        path = data / 'green' / february.file_name
        path.unlink()
        ensure_trip_file(data, february, rows=ROWS + 11, seed=11)
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))
        backfill(server, months, 'api_to_gcs')
        assert requests_of(log, 'GET')[len(months):] == [february.file_name]
        after = generations(filesystem, bucket)
        changed = {path for path in after if after[path] != first.get(path)}
        assert changed and all(february.file_stem in path or '2020/02/01/' in path for path in changed), changed
        assert f'{bucket}/nyc_taxi/green/{february.file_stem}.parquet' in changed
        assert f'{bucket}/2020/02/01/green/daily-trips.parquet' in changed


def test_the_coverage_pipeline_shows_each_month_as_its_blocks_output(mage_run, stack_settings):
    result = mage_run('coverage', {'taxi_types': 'green', 'first_month': '2020-09', 'last_month': '2020-12'},
                      POSTGRES_SCHEMA='coverage_pipeline')
    assert result.returncode == 0, result.output[-5000:]
    # The session's file server has green 2020-10..12, not 2020-09; this schema holds none of them.
    assert 'missing: 2020-10..2020-12 (not loaded)' in result.output
    assert 'unavailable: 2020-09\n' in result.output, result.output[-3000:]


def ledger(bq, dataset: str) -> dict[date, tuple[str, str]]:
    """The BigQuery ledger's green dates: who loaded each, and from which objects."""
    rows = bq.query(f"SELECT pickup_date, loaded_by, source_objects FROM `{LOCAL_PROJECT}.{dataset}.nyc_taxi_loads` "
                    "WHERE trips_table = 'green_taxi_trips'").result()
    return {row[0]: (row[1], row[2]) for row in rows}


def test_gcs_to_bigquery_run_again_skips_dates_loaded_from_the_same_objects_and_reloads_changed_ones(
        own_source, stack_settings, new_bucket, bq):
    data, url, log = own_source
    env = {**os.environ, **stack_settings, 'GCS_BUCKET': new_bucket('current-dates'), 'TAXI_DATA_BASE_URL': url,
           'BQ_DATASET': 'current_dates'}
    months = MONTHS[:3]
    with MageServer(env) as server:
        backfill(server, months, 'api_to_gcs')
        # Runs on the 1st load the month before: 2020-02-01..2020-04-01 loads January to March.
        after = tuple(MonthRequest(taxi_type='green', year=2020, month=month) for month in (2, 3, 4))
        backfill(server, after, 'gcs_to_bigquery')
        first = ledger(bq, 'current_dates')
        assert {day.month for day in first} >= {1, 2, 3}

        runs = backfill(server, after, 'gcs_to_bigquery')
        assert ledger(bq, 'current_dates') == first
        for run in runs:
            said = loader_log(server, run, 'gcs_to_bigquery', 'load_taxi_data_gcs.log')
            assert 'GCS objects, the generations loaded): skipped; set force to reload' in said, said[-3000:]

        # March republished and written to GCS again: its dates (and February's last, which holds some March
        # pickups) load again; January's are left as they were.
        march = months[2]
        path = data / 'green' / march.file_name
        path.unlink()
        ensure_trip_file(data, march, rows=ROWS + 3, seed=3)
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))
        backfill(server, (march,), 'api_to_gcs')
        backfill(server, after, 'gcs_to_bigquery')
        healed = ledger(bq, 'current_dates')

        # What is loaded where, BigQuery's months against the objects in GCS: all current, with their rows.
        _, dated, notes = configured_targets(env)
        (bigquery_target,) = dated
        rows = {row.month: (row.state, row.rows) for row in bigquery_target(
            'green', [request.month_start for request in months], transform_fingerprint('green'))}
        in_bigquery: dict[date, int] = {}
        for day, count in bq.query('SELECT lpep_pickup_date, COUNT(*) FROM '
                                   f'`{LOCAL_PROJECT}.current_dates.green_taxi_trips` GROUP BY 1').result():
            in_bigquery[day.replace(day=1)] = in_bigquery.get(day.replace(day=1), 0) + count
        assert rows == {month: ('current', in_bigquery[month]) for month in rows} and not notes
        january = [day for day in first if day.month == 1 and day.year == 2020]
        assert all(healed[day] == first[day] for day in january)
        assert all(healed[day] != first[day] for day in first if day.month == 3 and day.year == 2020)
