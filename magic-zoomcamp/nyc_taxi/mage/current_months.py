"""Skip what is current: before downloading a month, the loader asks the source which version of the file it
holds (one HEAD request) and each target of the run's pipeline what it holds of the month (its ledger). When
every target holds the month from that very file under today's transform, nothing is downloaded or written.

Which runs skip, unless the `force` variable says otherwise (true: always load; false: skip what is current):
- runs of a schedule or a backfill skip: a backfill run again later loads only what changed;
- runs you start for a month yourself load it: a block in the editor (you run it to see the trips), `mage run` /
  `make pipeline`, Run@once and API triggers.

A pipeline skips only when every block below its loader is the project's and every exporter among them keeps a
ledger (TARGET_LEDGERS): a block of yours below the loader, or a pipeline without an exporter, always loads.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from pydantic import TypeAdapter, ValidationError

from nyc_taxi.logs import RunLogger, block_logger
from nyc_taxi.mage.load_records import PROJECTS_TRANSFORM
from nyc_taxi.mage.run_context import blocks_below, in_editor
from nyc_taxi.mage.schedule import run_schedule_from_kwargs
from nyc_taxi.model.fingerprint import transform_fingerprint
from nyc_taxi.model.transform import drop_missing_passenger_count
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.sources.download import probe
from nyc_taxi.sources.month_source import MonthSource
from nyc_taxi.staging.skipped import Skipped, skipped_in
from nyc_taxi.targets.load_record import LoadRecord
from nyc_taxi.targets.month_state import MonthState, State, month_state

FORCE_VARIABLE = 'force'

# What a target holds of a month: its record and its rows ((None, None): nothing).
MonthHeld = tuple[LoadRecord | None, int | None]
# None: the exporter writes nothing in this run (export_daily_trips_gcs without an execution_date).
LedgerReader = Callable[[Mapping[str, Any], MonthRequest], MonthHeld | None]


def _postgres_month(kwargs: Mapping[str, Any], request: MonthRequest) -> MonthHeld:
    from mage_ai.settings.repo import get_repo_path

    from nyc_taxi.resources.identifiers import trips_table_name
    from nyc_taxi.resources.io_config import DEFAULT_POSTGRES_PROFILE, load_profile
    from nyc_taxi.targets.postgres import PostgresSettings
    from nyc_taxi.targets.postgres_ledger import month_held

    profile = kwargs.get('config_profile') or DEFAULT_POSTGRES_PROFILE
    settings = PostgresSettings.from_io_config(load_profile(get_repo_path(), profile), profile)
    connection = settings.connect()
    try:
        return month_held(connection, settings.db_schema, trips_table_name(request.taxi_type), request.month_start)
    finally:
        connection.close()


def _bucket(key: str):
    from mage_ai.settings.repo import get_repo_path

    from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, open_bucket
    from nyc_taxi.resources.io_config import load_profile

    return open_bucket(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE), key)


def _gcs_month_object(kwargs: Mapping[str, Any], request: MonthRequest) -> MonthHeld:
    from nyc_taxi.targets import gcs_ledger
    from nyc_taxi.targets.parquet_exports import month_object_key

    settings, filesystem = _bucket(month_object_key(request))
    return gcs_ledger.month_held(filesystem, gcs_ledger.existing(filesystem,
                                                                 f'{settings.bucket}/{month_object_key(request)}'))


def _gcs_month_partitions(kwargs: Mapping[str, Any], request: MonthRequest) -> MonthHeld:
    from nyc_taxi.targets import gcs_ledger
    from nyc_taxi.targets.parquet_exports import PARTITIONED_PREFIX, partitioned_root

    settings, filesystem = _bucket(f'{PARTITIONED_PREFIX}/{request.taxi_type}/')
    return gcs_ledger.month_held(filesystem, gcs_ledger.month_files(
        filesystem, partitioned_root(settings.bucket, request.taxi_type), request.file_stem))


def _gcs_daily_object(kwargs: Mapping[str, Any], request: MonthRequest) -> MonthHeld | None:
    from nyc_taxi.runs.dates import execution_day
    from nyc_taxi.targets import gcs_ledger
    from nyc_taxi.targets.parquet_exports import daily_object_key

    day = execution_day(kwargs)
    if day is None:
        return None
    settings, filesystem = _bucket(daily_object_key(day, request.taxi_type))
    return gcs_ledger.month_held(filesystem, gcs_ledger.existing(
        filesystem, f'{settings.bucket}/{daily_object_key(day, request.taxi_type)}'))


# The exporters of the project's that keep a ledger, and how to read it.
TARGET_LEDGERS: dict[str, LedgerReader] = {'taxi_data_to_postgres': _postgres_month,
                                           'taxi_data_to_gcs_parquet': _gcs_month_object,
                                           'taxi_data_to_gcs_partitioned': _gcs_month_partitions,
                                           'export_daily_trips_gcs': _gcs_daily_object}
# The blocks of the project's that pass a skipped month on.
PASSING_ON = frozenset({PROJECTS_TRANSFORM})


def force_reload(kwargs: Mapping[str, Any]) -> bool:
    """The `force` variable (true, false, 1, 0, yes, no); unset: false for scheduled and backfill runs, true for
    the runs of one month you start yourself."""
    value = kwargs.get(FORCE_VARIABLE)
    if value in (None, '', 'None', 'null'):
        return in_editor(kwargs) or run_schedule_from_kwargs(kwargs).kind == 'manual'
    try:
        return TypeAdapter(bool).validate_python(value)
    except ValidationError:
        raise ValueError(f'Invalid pipeline variables: {FORCE_VARIABLE}={value!r} must be true (load the month '
                         'even where it is current) or false (skip it where it is)') from None


def skip_if_current(kwargs: Mapping[str, Any], request: MonthRequest, source: MonthSource, loader: str,
                    logger: RunLogger) -> Skipped | None:
    """A Skipped when this run need not load the month; None when it must (saying why, in the log)."""
    if force_reload(kwargs):
        return None
    below = blocks_below(kwargs, loader)
    others = sorted(below - PASSING_ON - TARGET_LEDGERS.keys())
    targets = sorted(below & TARGET_LEDGERS.keys())
    if others or not targets:
        logger.info('%s: loading, never skipped in this pipeline (%s)', request,
                    f'blocks below {loader} keep no record of what they wrote: {", ".join(others)}' if others
                    else f'no exporter of the project\'s below {loader}')
        return None
    held = {target: found for target in targets if (found := TARGET_LEDGERS[target](kwargs, request)) is not None}
    missing = [target for target, (_, rows) in held.items() if rows is None]
    if missing or not held:  # no need to ask the source
        logger.info('%s: loading (not in %s yet)', request, ', '.join(missing))
        return None
    version = probe(source.url(request))
    fingerprint = transform_fingerprint(request.taxi_type, drop_missing_passenger_count(kwargs))
    states = {target: month_state(record, rows, version, fingerprint) for target, (record, rows) in held.items()}
    not_current = {target: state for target, state in states.items() if state.state != State.CURRENT}
    if not_current:
        logger.info('%s: loading (%s)', request,
                    '; '.join(f'{target}: {state.why}' for target, state in not_current.items()))
        return None
    message = f'{request} {_oldest(states).why}: skipped; set force to reload'
    logger.info('%s', message)
    return Skipped(request.taxi_type, str(request), message, version.describe(),
                   {target: state.rows or 0 for target, state in states.items()})


def _oldest(states: Mapping[str, MonthState]) -> MonthState:
    """The state whose load is the oldest: the month is unchanged since then in every target."""
    return min(states.values(), key=lambda state: state.record.loaded_at if state.record and state.record.loaded_at
               else datetime.min.replace(tzinfo=timezone.utc))


def skipped_above(data: Any, block: str, kwargs: Mapping[str, Any]) -> Skipped | None:
    """The Skipped `block` was handed, if the loader skipped the month (and the log says so)."""
    skipped = skipped_in(data)
    if skipped is not None:
        block_logger(kwargs, block).info('nothing to do: %s', skipped.message)
    return skipped
