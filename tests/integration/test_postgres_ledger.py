"""The Postgres ledger: each month's record is its partition's comment, written with the month and gone with it."""
from __future__ import annotations

from typing import Iterator

import pyarrow as pa
import pytest

from nyc_taxi.sources.source_version import SourceVersion
from nyc_taxi.targets.load_record import LoadRecord
from nyc_taxi.targets.postgres import PostgresError, replace_month_batches
from nyc_taxi.targets.postgres_ledger import loaded_months
from tests.integration.pg import query
from tests.integration.test_postgres_writer import FEB, JAN, TABLE, YELLOW, batch, settings  # noqa: F401 fixture

pytestmark = pytest.mark.integration
URL = 'http://127.0.0.1:8765/trip-data/yellow_tripdata_2021-01.parquet'
FIRST = SourceVersion(URL, None, 'Mon, 07 Dec 2026 10:00:00 GMT', 1_234)
REPUBLISHED = SourceVersion(URL, '"abc"', 'Tue, 08 Dec 2026 10:00:00 GMT', 1_300)


def record(version: SourceVersion | None) -> LoadRecord:
    return LoadRecord(version, 'fingerprint1', 'api_to_postgres run 7')


def write(settings, batches, month=JAN, loaded: LoadRecord | None = None) -> int:
    return replace_month_batches(settings, batches, YELLOW, 'ledger', TABLE, month, 2, loaded)


@pytest.fixture
def ledger_settings(settings, db):  # noqa: F811 the writer's fixture
    query_none(db, 'DROP SCHEMA IF EXISTS ledger CASCADE')
    return settings


def query_none(connection, statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def ledger(settings) -> dict:
    connection = settings.connect()
    try:
        return loaded_months(connection, 'ledger', TABLE)
    finally:
        connection.close()


def test_a_month_and_its_record_are_written_together_and_replaced_together(ledger_settings):
    assert write(ledger_settings, [batch(500, 1)], JAN, record(FIRST)) == 500
    write(ledger_settings, [batch(300, 2)], FEB, None)
    months = ledger(ledger_settings)
    assert set(months) == {JAN, FEB} and months[FEB] is None  # a month written without a record has none
    january = months[JAN]
    assert (january.version, january.transform_fingerprint, january.rows, january.loaded_by) == (
        FIRST, 'fingerprint1', 500, 'api_to_postgres run 7')
    assert january.loaded_at is not None and january.current_for(FIRST, 'fingerprint1')
    assert not january.current_for(REPUBLISHED, 'fingerprint1') and not january.current_for(FIRST, 'other rules')

    write(ledger_settings, [batch(700, 3)], JAN, record(REPUBLISHED))
    january = ledger(ledger_settings)[JAN]
    assert (january.version, january.rows) == (REPUBLISHED, 700)


def test_a_failed_load_leaves_the_month_and_its_record_as_they_were(ledger_settings, db):
    write(ledger_settings, [batch(500, 1)], JAN, record(FIRST))
    before = ledger(ledger_settings)[JAN]

    def breaks_midway() -> Iterator[pa.RecordBatch]:
        yield batch(1000, 4)
        raise ValueError('the source went away')

    with pytest.raises(PostgresError, match='the table is unchanged'):
        write(ledger_settings, breaks_midway(), JAN, record(REPUBLISHED))
    assert ledger(ledger_settings)[JAN] == before
    assert query(db, 'SELECT count(*) FROM ledger.yellow_taxi_trips WHERE source_month = %s', (JAN,)) == [(500,)]


def test_a_dropped_month_takes_its_record_with_it(ledger_settings, db):
    write(ledger_settings, [batch(500, 1)], JAN, record(FIRST))
    query_none(db, 'DROP TABLE ledger.yellow_taxi_trips_2021_01')
    assert JAN not in ledger(ledger_settings)
    query_none(db, 'DROP TABLE ledger.yellow_taxi_trips')
    assert ledger(ledger_settings) == {}
