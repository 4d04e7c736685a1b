"""`python -m devstack up|down|env|sample|pipeline|backfill|trigger-run|summary`: the local stack behind the Makefile."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable

from devstack import env_file, processes
from devstack.scheduled_runs import INTERVALS
from devstack.emulator_key import ensure_emulator_key
from devstack.emulators import (LOCAL_BUCKET, LOCAL_PROJECT, bigquery_settings, gcs_settings,
                                start_bigquery_emulator, start_gcs_emulator)
from devstack.http_server import base_url, start_file_server
from devstack.mage import run_pipeline
from devstack.paths import PROJECT_DIR, stack_dir, stack_env_file
from nyc_taxi.mage.state_database import SETTING as STATE_SETTING
from devstack.postgres_cluster import PostgresCluster
from devstack.sample_data import ensure_trip_file
from devstack.sample_fhv_csv import ensure_fhv_csv_file
from devstack.sample_fhvhv_csv import ensure_fhvhv_csv_file
from devstack.sample_month import SampleMonth
from devstack.sample_tlc_parquet import TRIP_DATA_DIR, ensure_tlc_parquet_file, tlc_trip_data_url
from devstack.sample_zones import ensure_zone_lookup
from nyc_taxi.sources.month_source import TLC_URL_VARIABLE, month_source
from nyc_taxi.runs.request import BASE_URL_VARIABLE, MonthRequest
from nyc_taxi.runs.month import choose_month
from nyc_taxi.runs.dates import execution_day, run_dates
from nyc_taxi.runs.schedule import RunSchedule

DEFAULT_POSTGRES_PORT = 54320
DEFAULT_HTTP_PORT = 8765
DEFAULT_GCS_PORT = 9023
DEFAULT_BIGQUERY_PORT = 9050
DEFAULT_SAMPLE_ROWS = 50_000
SERVICES = ('http', 'gcs', 'bigquery')
# The default month, a second one, green's, and the homework's quarter (green 2020-10..12, "Load a quarter").
DEMO_MONTHS = (MonthRequest(taxi_type='yellow', year=2021, month=1),
               MonthRequest(taxi_type='yellow', year=2021, month=2),
               MonthRequest(taxi_type='green', year=2021, month=1),
               *(MonthRequest(taxi_type='green', year=2020, month=month) for month in (10, 11, 12)))
# The release's FHV month of the course's FHV homework (2019), as CSV.
DEMO_FHV_MONTHS = (SampleMonth(taxi_type='fhv', year=2019, month=1),)
# High-volume FHV in both layouts: the release's CSV month the course's Spark week reads, and a TLC month.
DEMO_FHVHV_RELEASE_MONTHS = (SampleMonth(taxi_type='fhvhv', year=2021, month=1),)
# The TLC's own parquet months, one per schema a reader meets: Airport_fee (2023), airport_fee and
# cbd_congestion_fee with int32 codes (2025), float FHV zones (2019), green's null-typed ehail_fee (2022),
# fhvhv's 24 columns with a null-typed airport_fee (2021-06, the course's Spark month).
DEMO_TLC_MONTHS = (SampleMonth(taxi_type='yellow', year=2023, month=1),
                   SampleMonth(taxi_type='yellow', year=2025, month=1),
                   SampleMonth(taxi_type='fhv', year=2019, month=2),
                   SampleMonth(taxi_type='green', year=2022, month=1),
                   SampleMonth(taxi_type='fhvhv', year=2021, month=6))


def _settings() -> dict[str, str]:
    """The stack's settings with the real environment on top."""
    return env_file.merged_environment(os.environ, env_file.read_env_file(stack_env_file()))


def _cluster(port: int, password: str | None = None) -> PostgresCluster:
    """The stack's cluster; one made before keeps the password it was made with (an older stack's `postgres`)."""
    cluster = PostgresCluster(stack_dir() / 'postgres', port)
    if password and cluster.data_dir.exists():
        cluster.password = password
    return cluster


def up(args: argparse.Namespace) -> None:
    state = stack_dir()
    previous = env_file.read_env_file(stack_env_file())
    cluster = _cluster(int(previous.get('POSTGRES_PORT') or 0) or DEFAULT_POSTGRES_PORT, previous.get('POSTGRES_PASSWORD'))
    if not (cluster.data_dir.exists() and cluster.is_running()):
        cluster.port = processes.free_port(cluster.port)
    cluster.start()

    data_dir = state / 'data'
    ensure_demo_files(data_dir, args.rows)
    http_port = _ensure_service(state, 'http', int(previous.get('TAXI_DATA_PORT') or 0) or DEFAULT_HTTP_PORT,
                                lambda port, log, pid_file: start_file_server(data_dir, port, log, pid_file))

    gcs_port = _ensure_service(state, 'gcs', int(previous.get('GCS_EMULATOR_PORT') or 0) or DEFAULT_GCS_PORT,
                               lambda port, log, pid_file: start_gcs_emulator(port, LOCAL_BUCKET, state / 'gcs', log, pid_file))

    gcs_root = str((state / 'gcs').resolve())
    if previous.get(BIGQUERY_GCS_ROOT) != gcs_root:
        # An emulator an older `make up` started cannot load from GCS: start it anew, on the GCS emulator's root.
        processes.stop_from_pid_file(state / 'pids' / 'bigquery.pid')
    bigquery_port = _ensure_service(
        state, 'bigquery', int(previous.get('BIGQUERY_EMULATOR_PORT') or 0) or DEFAULT_BIGQUERY_PORT,
        lambda port, log, pid_file: start_bigquery_emulator(port, processes.free_port(), state, state / 'gcs', log, pid_file))

    settings = {**cluster.settings(), 'TAXI_DATA_PORT': str(http_port), BASE_URL_VARIABLE: base_url(http_port),
                TLC_URL_VARIABLE: tlc_trip_data_url(base_url(http_port)),
                'GCS_EMULATOR_PORT': str(gcs_port), **gcs_settings(gcs_port),
                'BIGQUERY_EMULATOR_PORT': str(bigquery_port), **bigquery_settings(bigquery_port),
                BIGQUERY_GCS_ROOT: gcs_root,
                'GOOGLE_SERVICE_ACC_KEY_FILEPATH': str(ensure_emulator_key(state / 'keys' / 'emulators.json',
                                                                           LOCAL_PROJECT))}
    env_file.write_env_file(stack_env_file(), settings)
    print(f'Local stack up: Postgres on 127.0.0.1:{cluster.port} ({cluster.data_dir}), taxi files on '
          f'{base_url(http_port)} ({data_dir}; the TLC-style parquet months under /{TRIP_DATA_DIR}), GCS emulator '
          f'on :{gcs_port}, BigQuery emulator on :{bigquery_port}; settings in {stack_env_file()}')


def ensure_demo_files(data_dir: Path, rows: int) -> None:
    """The files `up` serves, each kind in its public URL layout: release CSVs (yellow/, green/, fhv/,
    fhvhv/), the TLC's parquet months (trip-data/) and the zone lookup (misc/)."""
    for request in DEMO_MONTHS:
        ensure_trip_file(data_dir, request, rows=rows)
    for month in DEMO_FHV_MONTHS:
        ensure_fhv_csv_file(data_dir, month, rows=rows)
    for month in DEMO_FHVHV_RELEASE_MONTHS:
        ensure_fhvhv_csv_file(data_dir, month, rows=rows)
    for month in DEMO_TLC_MONTHS:
        ensure_tlc_parquet_file(data_dir, month, rows=rows)
    ensure_zone_lookup(data_dir)


# Where the running BigQuery emulator reads gs:// URIs from (stack.env): the GCS emulator's files.
BIGQUERY_GCS_ROOT = 'BIGQUERY_EMULATOR_GCS_ROOT'


def _ensure_service(state: Path, name: str, port: int, start: Callable[[int, Path, Path], int]) -> int:
    """Keeps a service `up` started before if it still answers on its port, else starts it anew."""
    pid_file = state / 'pids' / f'{name}.pid'
    if pid_file.exists() and _listening(port):
        return port
    processes.stop_from_pid_file(pid_file)
    port = processes.free_port(port)
    start(port, state / 'logs' / f'{name}.log', pid_file)
    return port


def _listening(port: int) -> bool:
    try:
        processes.wait_for_port(port, timeout_s=0.5)
        return True
    except TimeoutError:
        return False


def down(args: argparse.Namespace) -> None:
    state = stack_dir()
    stopped = [name for name in ('mage', *SERVICES) if processes.stop_from_pid_file(state / 'pids' / f'{name}.pid')]
    cluster = _cluster(int(env_file.read_env_file(stack_env_file()).get('POSTGRES_PORT') or 0))
    cluster.stop()
    print(f'Local stack down (stopped: {", ".join(stopped + ["postgres"])})')


def show_env(args: argparse.Namespace) -> None:
    for key, value in env_file.read_env_file(stack_env_file()).items():
        print(f'export {key}={os.environ.get(key, value)}')


def sample(args: argparse.Namespace) -> None:
    request = MonthRequest(taxi_type=args.taxi_type, year=args.year, month=args.month)
    path = ensure_trip_file(stack_dir() / 'data', request, rows=args.rows, seed=args.seed)
    print(path)


def pipeline(args: argparse.Namespace) -> None:
    variables = json.loads(args.vars) if args.vars else {}
    print(f'==> mage run {args.name} {json.dumps(variables)}', flush=True)
    result = run_pipeline(args.name, variables, _settings(), stack_dir() / 'mage_data')
    if result.returncode != 0:
        sys.exit(f'Pipeline {args.name} failed (exit {result.returncode}); see the output above.')


def _mage_in_this_process() -> None:
    """Mage reads its settings, its data dir and its project from os.environ when it is imported.

    Its state goes to a sqlite file of this stack's own, not to the stack's Postgres state: a `make ui` server
    on that state would take this process's runs for its own and execute them a second time."""
    os.environ.update(_settings())
    os.environ['MAGE_DATA_DIR'] = str(stack_dir() / 'mage_data')
    os.environ['MAGE_REPO_PATH'] = str(PROJECT_DIR)
    os.environ[STATE_SETTING] = ''


def backfill(args: argparse.Namespace) -> None:
    """Runs a backfill in this process, as the Backfill tab would; exits non-zero if a run failed."""
    from datetime import datetime

    _mage_in_this_process()
    from devstack.scheduled_runs import run_backfill

    outcomes = run_backfill(args.pipeline, datetime.fromisoformat(args.start), datetime.fromisoformat(args.end),
                            json.loads(args.vars) if args.vars else {}, interval=args.interval)
    print(f'Backfill of {args.pipeline}, {args.start}..{args.end}, one run per {args.interval}:')
    for outcome in outcomes:
        print(f'  {outcome.execution_date:%Y-%m-%d}  {_what_the_run_loaded(args.pipeline, outcome)}  {outcome.status}',
              flush=True)
    if not all(outcome.completed for outcome in outcomes):
        sys.exit(f'Backfill of {args.pipeline} had failed runs; see the logs under {stack_dir() / "mage_data"}')


def trigger_run(args: argparse.Namespace) -> None:
    """Runs now what a trigger with this interval would run at DATE (e.g. @monthly on 2021-01-01)."""
    from datetime import datetime

    _mage_in_this_process()
    from devstack.scheduled_runs import run_as_trigger

    outcome = run_as_trigger(args.pipeline, args.interval, datetime.fromisoformat(args.date),
                             json.loads(args.vars) if args.vars else {})
    print(f'{args.interval} trigger of {args.pipeline} at {args.date}:')
    print(f'  {outcome.execution_date:%Y-%m-%d}  {_what_the_run_loaded(args.pipeline, outcome)}  {outcome.status}')
    if not outcome.completed:
        sys.exit(f'The run of {args.pipeline} failed; see the logs under {stack_dir() / "mage_data"}')


def _what_the_run_loaded(pipeline_name: str, outcome) -> str:
    """The month or dates a backfill run covered, by the blocks' own rules, and the rows its target now holds."""
    from devstack.summary import bigquery_range_rows, gcs_month_object_rows, postgres_month_rows
    from nyc_taxi.runs.dates import run_dates
    from nyc_taxi.runs.month import choose_month, taxi_type_of
    schedule = outcome.schedule
    settings = _settings()
    try:
        if pipeline_name == 'gcs_to_bigquery':
            first, last = run_dates(outcome.variables, schedule)
            rows, _ = bigquery_range_rows(taxi_type_of(outcome.variables), first, last, settings)
            return f'{taxi_type_of(outcome.variables)} {first}..{last}  {rows:>10,} rows in BigQuery'
        request = choose_month(outcome.variables, schedule).request
        if pipeline_name == 'api_to_gcs':
            return f'{request}  {gcs_month_object_rows(request, settings):>10,} rows in the month object'
        return f'{request}  {postgres_month_rows(request, settings):>10,} rows in Postgres'
    except Exception as error:  # a failed run may have left nothing to count: say so, keep the status line
        return f'(nothing to count: {str(error).splitlines()[0][:120]})'


def ui(args: argparse.Namespace) -> None:
    """`mage start` on 127.0.0.1:PORT with the stack's settings, until Ctrl-C or `make down` stops it.

    Mage runs in a process group of its own, away from the terminal's Ctrl-C: its server shrugs off
    SIGINT (it only restarts the scheduler that the signal killed), so this process takes the Ctrl-C and
    stops Mage's whole group with SIGTERM. `make down` does the same through the PID file.
    """
    from devstack.mage import mage_server_command, pipeline_environment

    project = Path(args.project).resolve()
    pid_file = stack_dir() / 'pids' / 'mage.pid'
    processes.stop_from_pid_file(pid_file)  # a Mage an earlier `make ui` left holds the port and the DB
    print(f'Mage UI on http://127.0.0.1:{args.port} (login admin@admin.com / admin unless DEFAULT_OWNER_* say '
          'otherwise; REQUIRE_USER_AUTHENTICATION=0 turns the login off). Ctrl-C stops it.', flush=True)
    # A `kill` of this process stops Mage too; set before Mage starts, so no moment leaves Mage behind.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    mage = subprocess.Popen(mage_server_command(project.name, args.port), cwd=project.parent,
                            env=pipeline_environment(_settings(), stack_dir() / 'mage_data'),
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(f'{mage.pid}\n')
        mage.wait()
    except KeyboardInterrupt:
        print('Stopping Mage ...', flush=True)
    finally:
        processes.stop_process_group(mage.pid)
        pid_file.unlink(missing_ok=True)
    print('Mage stopped.')


def summary(args: argparse.Namespace) -> None:
    from devstack.summary import (source_report, summarize_bigquery_range, summarize_gcs_month,
                                  summarize_postgres_month)

    variables = json.loads(args.vars) if args.vars else {}
    request = choose_month(variables, RunSchedule()).request
    settings = _settings()
    source = month_source(variables, settings)
    report = source_report(request, source)
    checks = {'api_to_postgres': lambda: summarize_postgres_month(request, source, settings, report),
              'api_to_gcs': lambda: summarize_gcs_month(request, settings, report, execution_day(variables)),
              'gcs_to_bigquery': lambda: summarize_bigquery_range(request.taxi_type, *run_dates(variables), settings)}
    failed = False
    texts = []
    for pipeline_name in args.pipelines.split(','):
        ok, text = checks[pipeline_name]()
        print(text)
        texts.append(text)
        failed |= not ok
    if args.report:
        from devstack.report import write_report

        print(f'Report: {write_report(request, settings, texts, Path(args.report))}')
    if failed:
        sys.exit(1)


def coverage(args: argparse.Namespace) -> None:
    """What is loaded where (nyc_taxi/coverage): printed, and as a page with a heatmap in REPORT/coverage.html."""
    from datetime import date, datetime, timezone

    from nyc_taxi.coverage.coverage import asked_months, asked_taxi_types, configured_targets, coverage_rows
    from nyc_taxi.coverage.report_html import coverage_html, coverage_text
    from nyc_taxi.model.transform import drop_missing_passenger_count

    variables = json.loads(args.vars) if args.vars else {}
    settings = _settings()
    source = month_source(variables, settings)
    readers, dated, notes = configured_targets(settings)
    rows, more = coverage_rows(readers, asked_taxi_types(variables), asked_months(variables, source.name, date.today()),
                               source, drop_missing_passenger_count(variables), dated)
    print(coverage_text(rows))
    for note in (*notes, *more):
        print(f'note: {note}')
    page = Path(args.report) / 'coverage.html'
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(coverage_html(rows, datetime.now(tz=timezone.utc), {source.name: source.base_url}))
    print(f'Report: {page}')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog='python -m devstack', description=__doc__)
    commands = parser.add_subparsers(required=True)
    command = commands.add_parser('up', help='start Postgres and the taxi file server, write .local/stack.env')
    command.add_argument('--rows', type=int, default=int(os.environ.get('SAMPLE_ROWS', DEFAULT_SAMPLE_ROWS)))
    command.set_defaults(func=up)
    commands.add_parser('down', help='stop everything `up` started').set_defaults(func=down)
    commands.add_parser('env', help='print the stack settings as export lines').set_defaults(func=show_env)
    command = commands.add_parser('sample', help='generate one trip file into .local/data')
    command.add_argument('--taxi-type', default='yellow')
    command.add_argument('--year', type=int, default=2021)
    command.add_argument('--month', type=int, default=1)
    command.add_argument('--rows', type=int, default=DEFAULT_SAMPLE_ROWS)
    command.add_argument('--seed', type=int, default=42)
    command.set_defaults(func=sample)
    command = commands.add_parser('pipeline', help='run a pipeline with `mage run` against the stack')
    command.add_argument('name')
    command.add_argument('vars', nargs='?', default='')
    command.set_defaults(func=pipeline)
    command = commands.add_parser('ui', help='start the Mage UI against the stack (foreground)')
    command.add_argument('--port', type=int, default=6789)
    command.add_argument('--project', default=str(PROJECT_DIR), help='the Mage project (default: magic-zoomcamp)')
    command.set_defaults(func=ui)
    command = commands.add_parser('backfill', help="run a backfill through Mage's Backfill model and scheduler")
    command.add_argument('pipeline')
    command.add_argument('--interval', default='day', choices=INTERVALS, help='one run per this step (default: day)')
    command.add_argument('start', help='first execution date, e.g. 2021-01-02')
    command.add_argument('end', help='last execution date (inclusive)')
    command.add_argument('vars', nargs='?', default='')
    command.set_defaults(func=backfill)
    command = commands.add_parser('trigger-run', help='run now what a trigger would run at a date')
    command.add_argument('pipeline')
    command.add_argument('interval', help='@monthly, @daily, @once, ... (as in triggers.yaml)')
    command.add_argument('date', help='the execution date, e.g. 2021-01-01')
    command.add_argument('vars', nargs='?', default='', help="the trigger's variables (JSON)")
    command.set_defaults(func=trigger_run)
    command = commands.add_parser('summary', help='compare what pipelines wrote for a month with its source file')
    command.add_argument('vars', nargs='?', default='')
    command.add_argument('--pipelines', default='api_to_postgres', help='comma-separated: api_to_postgres,api_to_gcs,gcs_to_bigquery')
    command.add_argument('--report', default='', help='also write DIR/last_run.html with charts')
    command.set_defaults(func=summary)
    command = commands.add_parser('coverage', help='what is loaded where: each month in each target, against the source')
    command.add_argument('vars', nargs='?', default='', help='{"taxi_types": "yellow,green", "source": "release", '
                                                             '"first_month": "2019-01", "last_month": "2021-07"}')
    command.add_argument('--report', default='reports', help='writes DIR/coverage.html')
    command.set_defaults(func=coverage)
    args = parser.parse_args(argv)
    args.func(args)
