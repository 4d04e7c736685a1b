"""The Postgres target: settings from the io_config profile, and a month-replacing Arrow writer (binary COPY)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable, Iterator, Mapping

import pandas as pd
import psycopg2
import psycopg2.extensions
import pyarrow as pa
from pydantic import BaseModel, SecretStr

from nyc_taxi.model.arrow import check_clean_columns, clean_arrow_schema, clean_batches
from nyc_taxi.resources.identifiers import checked_identifier
from nyc_taxi.resources.io_config import is_unset
from nyc_taxi.model.schema import TripFileSchema
from nyc_taxi.staging.stream_sizes import StreamSizes, read_ahead
from nyc_taxi.targets.binary_copy import BatchesFailed, copy_in_parallel
from nyc_taxi.targets.load_record import LoadRecord
from nyc_taxi.targets.postgres_ledger import month_partition, record_load

SOURCE_MONTH = 'source_month'
APPLICATION_NAME = 'magic-zoomcamp'
# Rows per Arrow batch from a DataFrame: the writer holds one batch and its encoding at a time.
ROWS_PER_BATCH = 100_000
# Batches read (a staged file's record batches) ahead of those being encoded and sent.
READ_AHEAD_BATCHES = 2

POSTGRES_TYPES: dict[pa.DataType, str] = {
    pa.int16(): 'SMALLINT',
    pa.int32(): 'INTEGER',
    pa.float64(): 'DOUBLE PRECISION',
    pa.string(): 'TEXT',
    pa.timestamp('s'): 'TIMESTAMP',
    pa.date32(): 'DATE',
}

_INFORMATION_SCHEMA_NAMES = {
    'SMALLINT': 'smallint',
    'INTEGER': 'integer',
    'DOUBLE PRECISION': 'double precision',
    'TEXT': 'text',
    'TIMESTAMP': 'timestamp without time zone',
    'DATE': 'date',
}

# io_config.yaml key -> settings field; each key is filled from the environment variable of the same name.
_IO_CONFIG_KEYS = {
    'POSTGRES_HOST': 'host',
    'POSTGRES_PORT': 'port',
    'POSTGRES_DBNAME': 'dbname',
    'POSTGRES_USER': 'user',
    'POSTGRES_PASSWORD': 'password',
    'POSTGRES_SCHEMA': 'db_schema',
}


class PostgresError(RuntimeError):
    """The database refused or could not be reached; the message names host, table and setting."""


class PostgresSettings(BaseModel):
    host: str
    port: int
    dbname: str
    user: str
    password: SecretStr
    db_schema: str
    connect_timeout: int = 10

    @classmethod
    def from_io_config(cls, config: Mapping[str, Any], profile: str = 'dev') -> 'PostgresSettings':
        """Builds settings from a rendered io_config profile, refusing values left unset.

        Mage renders an unset `env_var(...)` as the string 'None': that is treated as missing.
        """
        values: dict[str, Any] = {}
        missing = []
        for key, field in _IO_CONFIG_KEYS.items():
            value = config.get(key)
            if is_unset(value):
                missing.append(key)
            else:
                values[field] = value
        if missing:
            raise PostgresError(
                f'io_config.yaml profile {profile!r} has no value for {", ".join(missing)}: set the environment '
                'variable(s) of the same name (copy dev.env to .env, or run `make up` for the local stack)'
            )
        timeout = config.get('POSTGRES_CONNECT_TIMEOUT')
        if not is_unset(timeout):
            values['connect_timeout'] = timeout
        values['db_schema'] = checked_identifier(str(values['db_schema']), 'POSTGRES_SCHEMA')
        return cls(**values)

    def describe(self) -> str:
        return f'postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}'

    def connect(self) -> psycopg2.extensions.connection:
        """A psycopg2 connection, autocommit off: what the writers write through, and the summaries query."""
        try:
            return psycopg2.connect(
                host=self.host, port=self.port, dbname=self.dbname, user=self.user,
                password=self.password.get_secret_value(), connect_timeout=self.connect_timeout,
                application_name=APPLICATION_NAME,
            )
        except psycopg2.OperationalError as error:
            raise self._cannot_connect(error) from error

    def _cannot_connect(self, error: Exception) -> PostgresError:
        return PostgresError(f'Cannot connect to {self.describe()}: {str(error).strip()} (check the POSTGRES_* settings)')


def replace_month(
    settings: PostgresSettings,
    trips: pd.DataFrame,
    schema: TripFileSchema,
    db_schema: str,
    table: str,
    month: date,
) -> int:
    """replace_month_batches for a frame of transformed trips, converted to Arrow a slice at a time."""
    try:
        check_clean_columns(trips, schema)
    except ValueError as error:
        raise PostgresError(str(error)) from error
    return replace_month_batches(settings, clean_batches(trips, schema, ROWS_PER_BATCH), schema, db_schema,
                                 table, month)


def replace_month_batches(
    settings: PostgresSettings,
    batches: Iterable[pa.RecordBatch] | pa.RecordBatchReader,
    schema: TripFileSchema,
    db_schema: str,
    table: str,
    month: date,
    streams: int = StreamSizes().copy_streams,
    record: LoadRecord | None = None,
) -> int:
    """Makes `db_schema.table` hold exactly the trips in `batches` for the source file of `month`; returns rows written.
    `record` (what was loaded, from where, by which run) becomes the month's entry in the table's ledger
    (nyc_taxi.targets.postgres_ledger), in the transaction that swaps the month in.

    `batches` (record batches, or a reader of them) have the clean Arrow schema of `schema`
    (nyc_taxi.model.arrow.clean_arrow_schema); they are read once, a couple ahead, and each goes to
    the server as binary COPY (nyc_taxi.targets.binary_copy) before the next is encoded, so memory
    holds a few batches and their encodings, whatever the size of the month.

    The table is partitioned by LIST (source_month), one partition per monthly source file, so a
    file's trips that fall outside their month still belong to it. The new rows go into a fresh
    table of their own, `<partition>_loading`, over `streams` connections at once (the server inserts
    on a core per connection); no reader sees that table, which is not part of `table` until, in one
    transaction, it takes the old partition's place. Readers see the old month or the new one, never
    both or neither. Everything runs under an advisory lock on the table, held by the session that
    swaps, taken before anything else: concurrent writers of the table (the same month from a trigger
    and a backfill, or two months racing to create the schema) take turns instead of interleaving or
    failing. A failure anywhere (the server, a connection, a batch that raises or has another schema)
    drops the fresh table and leaves `table` exactly as it was; the fresh tables of a run that died
    (killed, or its server gone) are dropped by the table's next writer. Schema and table are created
    when missing (the schema before the rows are loaded, the table with the swap).
    """
    db_schema = checked_identifier(db_schema, 'schema name')
    table = checked_identifier(table, 'table name')
    arrow_schema = clean_arrow_schema(schema)
    if isinstance(batches, pa.RecordBatchReader):
        _check_batch_schema(batches.schema, arrow_schema, schema, f'{db_schema}.{table}')
    partition = month_partition(table, month)
    staging = f'{partition}_loading'
    target, month_literal = qualified(db_schema, table), f"DATE '{month.isoformat()}'"
    lock_key = f'{db_schema}.{table}'
    control = settings.connect()
    # A reader, even one of pyarrow's, does not check its batches against its schema, and the encoder
    # must not meet a batch of other types than the COPY's columns: every batch is checked on its way.
    # The next batches are read (from their file) on another thread while these encode and send.
    ahead = read_ahead(batches, READ_AHEAD_BATCHES)
    checked = _checked_batches(ahead, arrow_schema, schema, lock_key)
    loaders: list[psycopg2.extensions.connection] = []
    try:
        with control.cursor() as cursor:
            cursor.execute('SELECT pg_advisory_lock(hashtext(%s))', (lock_key,))
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS {quoted(db_schema)}')
            if _table_exists(cursor, db_schema, table):
                _fit_table_shape(cursor, db_schema, table, schema, alter=False)
            _drop_fresh_tables(cursor, db_schema, table)
            # The CHECK lets ATTACH PARTITION skip scanning the rows; the default fills source_month,
            # which the batches do not carry.
            cursor.execute(
                f'CREATE TABLE {qualified(db_schema, staging)} ({_column_definitions(schema.clean_columns)}, '
                f'{quoted(SOURCE_MONTH)} DATE NOT NULL DEFAULT {month_literal} CONSTRAINT '
                f'{quoted(f"{partition}_{SOURCE_MONTH}")} CHECK ({quoted(SOURCE_MONTH)} = {month_literal}))')
        control.commit()
        for _ in range(max(1, streams)):
            loaders.append(settings.connect())  # one by one: those made before a refused one are closed below
        rows = copy_in_parallel(loaders, qualified(db_schema, staging), checked, arrow_schema)
        for loader in loaders:
            loader.commit()
        with control.cursor() as cursor:
            cursor.execute(_create_table_sql(target, schema.clean_columns))
            _fit_table_shape(cursor, db_schema, table, schema)
            cursor.execute(f'DROP TABLE IF EXISTS {qualified(db_schema, partition)}')
            cursor.execute(f'ALTER TABLE {qualified(db_schema, staging)} RENAME TO {quoted(partition)}')
            cursor.execute(f'ALTER TABLE {target} ATTACH PARTITION {qualified(db_schema, partition)} '
                           f'FOR VALUES IN ({month_literal})')
            if record is not None:
                record_load(cursor, db_schema, partition, record, rows)
        control.commit()
        return rows
    except (psycopg2.Error, BatchesFailed) as error:
        _abandon(settings, control, loaders, db_schema, staging)
        # A batch that failed to come is named itself, not as the COPY it aborted.
        cause = error.__cause__ if isinstance(error, BatchesFailed) else error
        raise PostgresError(f'Loading {month:%Y-%m} into {db_schema}.{table} failed, the table is unchanged: '
                            f'{str(cause).strip()}') from cause
    except BaseException:
        _abandon(settings, control, loaders, db_schema, staging)
        raise
    finally:
        ahead.close()  # stops the reading thread now, not when the failed stream is garbage
        for connection in (*loaders, control):
            connection.close()  # also releases the advisory lock


def _abandon(settings: PostgresSettings, control: psycopg2.extensions.connection,
             loaders: list[psycopg2.extensions.connection], db_schema: str, staging: str) -> None:
    """Best effort after a failure: roll everything back and drop the fresh table (on a new connection if
    the control one is gone; if the server is gone too, the table's next writer drops it)."""
    for connection in loaders:
        roll_back(connection)
    roll_back(control)
    drop = f'DROP TABLE IF EXISTS {qualified(db_schema, staging)}'
    for connect in (lambda: control, settings.connect):
        try:
            connection = connect()
            with connection.cursor() as cursor:
                cursor.execute(drop)
            connection.commit()
            if connection is not control:
                connection.close()
            return
        except (psycopg2.Error, PostgresError):
            continue


def _table_exists(cursor: psycopg2.extensions.cursor, db_schema: str, table: str) -> bool:
    cursor.execute('SELECT to_regclass(%s) IS NOT NULL', (qualified(db_schema, table),))
    return bool(cursor.fetchone()[0])


def _drop_fresh_tables(cursor: psycopg2.extensions.cursor, db_schema: str, table: str) -> None:
    """Drops every `<table>_<YYYY_MM>_loading` left in the schema: the lock on `table` is held, so they are
    fresh tables of runs that died before they could drop their own."""
    cursor.execute("SELECT tablename::text FROM pg_tables WHERE schemaname = %s AND tablename ~ %s",
                   (db_schema, f'^{re.escape(table)}_[0-9]{{4}}_[0-9]{{2}}_loading$'))
    for (name,) in cursor.fetchall():
        cursor.execute(f'DROP TABLE IF EXISTS {qualified(db_schema, name)}')


def _checked_batches(batches: Iterable[pa.RecordBatch], arrow_schema: pa.Schema, schema: TripFileSchema,
                     target: str) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        _check_batch_schema(batch.schema, arrow_schema, schema, target)
        yield batch


def _check_batch_schema(actual: pa.Schema, expected: pa.Schema, schema: TripFileSchema, target: str) -> None:
    if not actual.equals(expected):
        raise PostgresError(f'The batches for {target} have the schema\n{actual}\nnot the clean schema of '
                            f'{schema.taxi_type} trips:\n{expected}')


def roll_back(connection: psycopg2.extensions.connection) -> None:
    """Best effort: on a dead connection the server has already rolled the transaction back."""
    try:
        connection.rollback()
    except psycopg2.Error:
        pass


def quoted(identifier: str) -> str:
    """A PostgreSQL quoted identifier (names reach here checked, or from the schema module)."""
    return '"' + identifier.replace('"', '""') + '"'


def qualified(db_schema: str, name: str) -> str:
    return f'{quoted(db_schema)}.{quoted(name)}'


def _column_definitions(columns: Mapping[str, pa.DataType]) -> str:
    return ', '.join(f'{quoted(name)} {POSTGRES_TYPES[kind]}' for name, kind in columns.items())


def _create_table_sql(target: str, columns: Mapping[str, pa.DataType]) -> str:
    return (f'CREATE TABLE IF NOT EXISTS {target} ({_column_definitions(columns)}, {quoted(SOURCE_MONTH)} DATE '
            f'NOT NULL) PARTITION BY LIST ({quoted(SOURCE_MONTH)})')


def _fit_table_shape(cursor: psycopg2.extensions.cursor, db_schema: str, table: str,
                    schema: TripFileSchema, alter: bool = True) -> None:
    """Adds the schema's later columns that the table lacks (a table made by an earlier version, or by
    older months; only checks that they may be added unless `alter`), and refuses any other
    difference, naming the column: the new month's table has exactly the schema's columns, in their
    types. Adding nullable columns to the partitioned table changes no row."""
    expected = {name: POSTGRES_TYPES[kind] for name, kind in schema.clean_columns.items()}
    expected[SOURCE_MONTH] = 'DATE'
    cursor.execute(
        'SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace '
        'WHERE n.nspname = %s AND c.relname = %s', (db_schema, table))
    (kind,) = cursor.fetchone()
    cursor.execute(
        'SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = %s AND '
        'table_name = %s ORDER BY ordinal_position', (db_schema, table))
    actual = dict(tuple(row) for row in cursor.fetchall())
    problems = [f'{name} is {actual_type}, not {_INFORMATION_SCHEMA_NAMES[expected[name]]}'
                for name, actual_type in actual.items()
                if name in expected and actual_type != _INFORMATION_SCHEMA_NAMES[expected[name]]]
    problems += [f'has {name} {actual_type}, which {schema.taxi_type} trips do not have'
                 for name, actual_type in actual.items() if name not in expected]
    later = {schema.clean_name(name) for name in schema.later_columns}
    problems += [f'lacks {name}' for name in expected if name not in actual and name not in later]
    if kind != 'p':
        problems.append(f'is not partitioned by {SOURCE_MONTH}')
    if problems:
        raise PostgresError(
            f'{db_schema}.{table} exists but is not the table this pipeline writes: {"; ".join(problems)}. The '
            'table is unchanged. Drop or rename it, or set POSTGRES_SCHEMA to another schema.')
    for name in expected:
        if alter and name not in actual:
            cursor.execute(f'ALTER TABLE {qualified(db_schema, table)} ADD COLUMN {quoted(name)} {expected[name]}')
