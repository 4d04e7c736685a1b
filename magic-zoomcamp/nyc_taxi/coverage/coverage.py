"""What is loaded where: every month of the asked taxi types in every configured target, against the source's
files as they are now (one HEAD request a month) and today's transform: current, stale, missing or unavailable
(nyc_taxi.targets.month_state). `make coverage` prints it and writes reports/coverage.html; the `coverage`
pipeline shows it as its block's output."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, Callable, Mapping, Sequence

from nyc_taxi.coverage.coverage_row import CoverageRow
from nyc_taxi.coverage.months import months_between
from nyc_taxi.coverage.targets_held import Held, gcs_month_objects, gcs_partitions, postgres_months
from nyc_taxi.error_lines import first_line
from nyc_taxi.model.fingerprint import transform_fingerprint
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.sources.download import probe
from nyc_taxi.sources.month_source import MonthSource
from nyc_taxi.sources.source_version import SourceVersion
from nyc_taxi.targets.month_state import month_state

# HEAD requests at once.
PROBES_AT_ONCE = 8
# What a target's reader gives: its name and its months, for one taxi type.
TargetReader = Callable[[str], tuple[str, dict[date, Held]]]
# A target loaded by pickup date from GCS (BigQuery): its rows for a taxi type, the months and the fingerprint.
DatedTarget = Callable[[str, list[date], str], list[CoverageRow]]


# What the course's release holds of yellow and green (FHV: 2019 and later); the TLC's own files go on from 2009.
RELEASE_MONTHS = (date(2019, 1, 1), date(2021, 7, 1))
TLC_FIRST_MONTH = date(2022, 1, 1)
DEFAULT_TAXI_TYPES = ('yellow', 'green')


def asked_months(variables: Mapping[str, Any], source_name: str, today: date) -> list[date]:
    """The months a report covers: variables first_month and last_month ('YYYY-MM'), else the release's months
    (source release), or 2022-01 to last month (source tlc)."""
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    first, last = RELEASE_MONTHS if source_name == 'release' else (TLC_FIRST_MONTH, last_month)
    return months_between(_month_variable(variables, 'first_month', first), _month_variable(variables, 'last_month', last))


def asked_taxi_types(variables: Mapping[str, Any]) -> list[str]:
    """The variable taxi_types ('yellow,green', or a list), else yellow and green."""
    from nyc_taxi.model.schema import schema_for

    value = variables.get('taxi_types')
    names = value if isinstance(value, (list, tuple)) else str(value or '').split(',')
    chosen = [str(name).strip().lower() for name in names if str(name).strip()] or list(DEFAULT_TAXI_TYPES)
    for name in chosen:
        schema_for(name)  # refuses a taxi type there is none of, naming the four
    return chosen


def _month_variable(variables: Mapping[str, Any], name: str, default: date) -> date:
    value = variables.get(name)
    if value in (None, '', 'None', 'null'):
        return default
    try:
        return date.fromisoformat(f'{str(value).strip()[:7]}-01')
    except ValueError:
        raise ValueError(f'Invalid variables: {name}={value!r} must be a month, YYYY-MM') from None


def configured_targets(config: Mapping[str, Any]) -> tuple[list[TargetReader], list[DatedTarget], list[str]]:
    """The targets `config` (an io_config profile's values, or the environment) reaches, by month (Postgres, GCS)
    and by date (BigQuery), and a note for each it does not configure."""
    from nyc_taxi.resources.gcs import GcsSettings
    from nyc_taxi.targets.bigquery import BigQuerySettings
    from nyc_taxi.targets.postgres import PostgresSettings

    readers: list[TargetReader] = []
    dated: list[DatedTarget] = []
    notes: list[str] = []
    try:
        postgres = PostgresSettings.from_io_config(config)
        readers.append(lambda taxi_type: postgres_months(postgres, taxi_type))
    except Exception as error:
        notes.append(f'Postgres left out: {first_line(error)}')
    try:
        gcs = GcsSettings.from_io_config(config)
        filesystem = gcs.filesystem()
        readers.append(lambda taxi_type: gcs_month_objects(filesystem, gcs.bucket, taxi_type))
        readers.append(lambda taxi_type: gcs_partitions(filesystem, gcs.bucket, taxi_type))
    except Exception as error:
        notes.append(f'GCS left out: {first_line(error)}')
        return readers, dated, notes
    try:
        from nyc_taxi.coverage.bigquery_months import bigquery_rows

        bigquery_settings = BigQuerySettings.from_io_config(config)
        client = bigquery_settings.client()
        dated.append(lambda taxi_type, months, fingerprint: bigquery_rows(
            client, bigquery_settings, filesystem, gcs.bucket, taxi_type, months, fingerprint))
    except Exception as error:
        notes.append(f'BigQuery left out: {first_line(error)}')
    return readers, dated, notes


def coverage_rows(readers: Sequence[TargetReader], taxi_types: Sequence[str], months: Sequence[date],
                  source: MonthSource, drop_missing_passengers: bool = False, dated: Sequence[DatedTarget] = ()
                  ) -> tuple[list[CoverageRow], list[str]]:
    """A row per target, taxi type and month (the asked months, and any other that target holds), and notes
    (sources that did not answer)."""
    held = {(taxi_type, name): found for taxi_type in taxi_types for reader in readers
            for name, found in [reader(taxi_type)]}
    asked = {(taxi_type, month) for taxi_type in taxi_types for month in months}
    asked |= {(taxi_type, month) for (taxi_type, _), found in held.items() for month in found}
    notes: list[str] = []

    def ask(key: tuple[str, date]) -> SourceVersion | None:
        taxi_type, month = key
        url = source.url(MonthRequest(taxi_type=taxi_type, year=month.year, month=month.month))
        try:
            return probe(url)
        except Exception as error:  # one month's answer, not the report
            notes.append(f'{url}: {first_line(error)} (shown as unavailable)')
            return None

    with ThreadPoolExecutor(max_workers=PROBES_AT_ONCE) as pool:
        keys = sorted(asked)
        versions = dict(zip(keys, pool.map(ask, keys)))
    fingerprints = {taxi_type: transform_fingerprint(taxi_type, drop_missing_passengers) for taxi_type in taxi_types}
    rows = []
    for (taxi_type, target), found in held.items():
        for month in sorted(set(months) | set(found)):
            record, count = found.get(month, (None, None))
            version = versions[(taxi_type, month)]
            state = month_state(record, count, version, fingerprints[taxi_type])
            shown = record.version if record is not None and record.version is not None else version
            rows.append(CoverageRow(target, taxi_type, month, state.state.value, state.why, count,
                                    shown.describe() if shown is not None else None,
                                    record.loaded_at if record else None, record.loaded_by if record else None))
    for target in dated:
        for taxi_type in taxi_types:
            rows.extend(target(taxi_type, list(months), fingerprints[taxi_type]))
    return rows, notes
