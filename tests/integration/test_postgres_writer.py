"""The Postgres writer's Arrow entry point against a real server: streaming, failures, connection settings."""
from __future__ import annotations

from datetime import date
from typing import Iterator

import numpy as np
import pyarrow as pa
import pytest
from pydantic import SecretStr

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.targets.postgres import PostgresError, PostgresSettings, replace_month_batches
from nyc_taxi.model.schema import schema_for
from tests.integration.pg import month_fingerprint, query

pytestmark = pytest.mark.integration

YELLOW = schema_for('yellow')
ARROW_SCHEMA = clean_arrow_schema(YELLOW)
JAN, FEB = date(2021, 1, 1), date(2021, 2, 1)
TABLE = 'yellow_taxi_trips'


def batch(rows: int, seed: int) -> pa.RecordBatch:
    """Fresh arrays every call (nothing shared between batches), in the clean yellow schema."""
    values = np.random.default_rng(seed)
    start = np.datetime64('2021-01-01T00:00:00', 'us') + values.integers(0, 31 * 86_400, rows).astype('timedelta64[s]')
    columns = []
    for name, kind in zip(ARROW_SCHEMA.names, ARROW_SCHEMA.types):
        if pa.types.is_int16(kind):
            columns.append(pa.array(values.integers(1, 6, rows), pa.int16()))
        elif pa.types.is_floating(kind):
            columns.append(pa.array(values.random(rows) * 50))
        elif pa.types.is_string(kind):
            columns.append(pa.array(np.where(values.random(rows) < 0.5, 'N', 'Y')))
        elif pa.types.is_timestamp(kind):
            columns.append(pa.array(start + (np.timedelta64(600, 's') if 'dropoff' in name else 0), kind))
        else:
            columns.append(pa.array(start.astype('datetime64[D]'), kind))
    return pa.RecordBatch.from_arrays(columns, schema=ARROW_SCHEMA)


@pytest.fixture
def settings(postgres_cluster) -> PostgresSettings:
    return PostgresSettings.from_io_config(postgres_cluster.settings(db_schema='writer'))


def write(settings: PostgresSettings, batches, month: date = JAN, streams: int = 2) -> int:
    return replace_month_batches(settings, batches, YELLOW, settings.db_schema, TABLE, month, streams)


def rss_mb() -> float:
    with open('/proc/self/statm') as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def test_a_month_streams_batch_by_batch_in_bounded_memory(settings, db):
    """30 batches of 100,000 rows: ~300 MB as one table; the writer holds one batch at a time."""
    batches, rows = 30, 100_000
    seen: list[float] = []

    def produce() -> Iterator[pa.RecordBatch]:
        for index in range(batches):
            yield batch(rows, index)
            seen.append(rss_mb())

    assert write(settings, produce()) == batches * rows
    assert len(seen) == batches, 'every batch was read'
    total_mb = batches * batch(rows, 0).nbytes / 2**20
    growth = max(seen) - seen[2]
    assert growth < total_mb / 3, f'RSS grew {growth:.0f} MB while writing {total_mb:.0f} MB of batches'
    assert query(db, 'SELECT count(*) FROM writer.yellow_taxi_trips WHERE source_month = %s', (JAN,)) == [
        (batches * rows,)]


def test_a_reader_is_taken_as_it_is_and_types_stay_exact(settings, db):
    reader = pa.RecordBatchReader.from_batches(ARROW_SCHEMA, iter([batch(1000, 1), batch(500, 2)]))
    assert write(settings, reader, FEB) == 1500
    types = dict(query(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                           "'writer' AND table_name = %s", (TABLE,)))
    assert (types['vendor_id'], types['trip_distance'], types['tpep_pickup_datetime'], types['tpep_pickup_date'],
            types['store_and_fwd_flag'], types['source_month']) == (
        'smallint', 'double precision', 'timestamp without time zone', 'date', 'text', 'date')


def test_a_failing_batch_stream_leaves_the_month_as_it_was(settings, db):
    write(settings, [batch(2000, 3)])
    before = month_fingerprint(db, 'writer', TABLE, JAN)

    def breaks_midway() -> Iterator[pa.RecordBatch]:
        yield batch(100_000, 4)
        raise ValueError('the source went away')

    with pytest.raises(PostgresError, match=r'failed, the table is unchanged: the source went away$'):
        write(settings, breaks_midway())
    other_schema = batch(10, 5).cast(pa.schema([field.with_type(pa.int32()) if field.name == 'vendor_id' else field
                                                for field in ARROW_SCHEMA]))
    with pytest.raises(PostgresError, match=r'failed, the table is unchanged: The batches for writer.yellow_taxi_trips '
                                            r'have the schema\n(.*\n)*vendor_id: int32'):
        write(settings, [batch(10, 6), other_schema])
    with pytest.raises(PostgresError, match='not the clean schema of yellow trips'):
        write(settings, pa.RecordBatchReader.from_batches(other_schema.schema, iter([other_schema])))

    assert month_fingerprint(db, 'writer', TABLE, JAN) == before
    assert query(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'writer' AND tablename LIKE '%%_loading'") == [
        (0,)]


def test_any_password_reaches_the_server_and_a_wrong_one_is_named(settings, db):
    password = "it's a \\ pass word"
    query(db, "DROP ROLE IF EXISTS writer_odd; CREATE ROLE writer_odd LOGIN SUPERUSER PASSWORD %s; SELECT 1",
          (password,))
    odd = settings.model_copy(update={'user': 'writer_odd', 'password': SecretStr(password)})
    assert write(odd, [batch(10, 7)]) == 10

    wrong = settings.model_copy(update={'password': SecretStr('not-the-password')})
    with pytest.raises(PostgresError, match=r'Cannot connect to postgresql://postgres@127\.0\.0\.1:\d+/'):
        wrong.connect()


def test_two_streams_load_what_one_does(settings, db):
    batches = [batch(20_000, seed) for seed in range(10, 17)]
    assert write(settings, batches, streams=1) == 140_000
    one = month_fingerprint(db, 'writer', TABLE, JAN)
    assert write(settings, batches, streams=2) == 140_000
    assert month_fingerprint(db, 'writer', TABLE, JAN) == one


def test_a_first_load_that_fails_leaves_no_table_and_a_dead_runs_fresh_table_is_dropped(postgres_cluster, db):
    settings = PostgresSettings.from_io_config(postgres_cluster.settings(db_schema='writer_first'))

    def breaks_midway() -> Iterator[pa.RecordBatch]:
        yield batch(50_000, 8)
        raise ValueError('the source went away')

    with pytest.raises(PostgresError, match='the source went away'):
        write(settings, breaks_midway())
    assert query(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'writer_first'") == [(0,)]

    # What a killed run leaves: its month's fresh table, committed, never attached.
    query(db, 'CREATE TABLE writer_first.yellow_taxi_trips_2020_05_loading (vendor_id smallint); SELECT 1')
    assert write(settings, [batch(100, 9)]) == 100
    assert query(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'writer_first' ORDER BY 1") == [
        ('yellow_taxi_trips',), ('yellow_taxi_trips_2021_01',)]
