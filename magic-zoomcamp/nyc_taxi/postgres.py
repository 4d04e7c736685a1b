"""The Postgres target: settings from the io_config profile, and a month-replacing COPY writer."""
from __future__ import annotations

from contextlib import closing
from datetime import date
from typing import Any, Mapping

import pandas as pd
import psycopg2
import psycopg2.extensions
import pyarrow as pa
from psycopg2 import sql
from pydantic import BaseModel, SecretStr

from nyc_taxi.arrow import check_clean_columns
from nyc_taxi.copy_stream import BinaryCopyStream
from nyc_taxi.identifiers import checked_identifier
from nyc_taxi.io_config import is_unset
from nyc_taxi.schema import TripFileSchema

SOURCE_MONTH = 'source_month'
COPY_READ_BYTES = 1 << 20

POSTGRES_TYPES: dict[pa.DataType, str] = {
    pa.int16(): 'SMALLINT',
    pa.float64(): 'DOUBLE PRECISION',
    pa.string(): 'TEXT',
    pa.timestamp('s'): 'TIMESTAMP',
    pa.date32(): 'DATE',
}

_INFORMATION_SCHEMA_NAMES = {
    'SMALLINT': 'smallint',
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
        try:
            return psycopg2.connect(
                host=self.host, port=self.port, dbname=self.dbname, user=self.user,
                password=self.password.get_secret_value(), connect_timeout=self.connect_timeout,
                application_name='magic-zoomcamp',
            )
        except psycopg2.OperationalError as error:
            raise PostgresError(
                f'Cannot connect to {self.describe()}: {str(error).strip()} (check the POSTGRES_* settings)'
            ) from error


def replace_month(
    connection: psycopg2.extensions.connection,
    trips: pd.DataFrame,
    schema: TripFileSchema,
    db_schema: str,
    table: str,
    month: date,
) -> int:
    """Makes `db_schema.table` hold exactly `trips` for the source file of `month`; returns rows written.

    The table is partitioned by LIST (source_month), one partition per monthly source file, so a
    file's trips that fall outside their month still belong to it. The new rows are COPYed into a
    fresh table that then takes the old partition's place, all in one transaction under an
    advisory lock on the table, taken before anything else: readers see the old month or the new
    one, never both or neither; a failure anywhere leaves the table exactly as it was; concurrent
    writers of the table (the same month from a trigger and a backfill, or two months racing to
    create the schema) take turns instead of interleaving or failing. Schema and table are created
    when missing.
    """
    db_schema = checked_identifier(db_schema, 'schema name')
    table = checked_identifier(table, 'table name')
    partition = f'{table}_{month:%Y_%m}'
    columns = schema.clean_columns
    try:
        check_clean_columns(trips, schema)  # before the transaction: the COPY thread would find it late
    except ValueError as error:
        raise PostgresError(str(error)) from error
    target = sql.Identifier(db_schema, table)
    staging = sql.Identifier(db_schema, f'{partition}_loading')
    qualified_partition = sql.Identifier(db_schema, partition)
    month_literal = sql.Literal(month)
    column_list = sql.SQL(', ').join(sql.Identifier(name) for name in columns)

    try:
        with connection:
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL('SELECT pg_advisory_xact_lock(hashtext({}))').format(
                    sql.Literal(f'{db_schema}.{table}')))
                cursor.execute(sql.SQL('CREATE SCHEMA IF NOT EXISTS {}').format(sql.Identifier(db_schema)))
                cursor.execute(_create_table_sql(target, columns))
                _check_table_shape(cursor, db_schema, table, _expected_columns(columns))
                cursor.execute(sql.SQL('CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS)').format(staging, target))
                cursor.execute(sql.SQL(
                    'ALTER TABLE {staging} ALTER COLUMN {month_column} SET DEFAULT {month}, '
                    'ADD CONSTRAINT {check} CHECK ({month_column} = {month})'
                ).format(staging=staging, month_column=sql.Identifier(SOURCE_MONTH), month=month_literal,
                         check=sql.Identifier(f'{partition}_{SOURCE_MONTH}')))
                with closing(BinaryCopyStream(trips, schema)) as stream:
                    cursor.copy_expert(
                        sql.SQL('COPY {} ({}) FROM STDIN WITH (FORMAT binary, FREEZE)').format(staging, column_list)
                        .as_string(cursor),
                        stream,
                        size=COPY_READ_BYTES,
                    )
                rows = cursor.rowcount
                cursor.execute(sql.SQL('DROP TABLE IF EXISTS {}').format(qualified_partition))
                cursor.execute(sql.SQL('ALTER TABLE {} RENAME TO {}').format(staging, sql.Identifier(partition)))
                cursor.execute(sql.SQL('ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})').format(
                    target, qualified_partition, month_literal))
        return rows
    except psycopg2.Error as error:
        raise PostgresError(f'Loading {month:%Y-%m} into {db_schema}.{table} failed, the table is unchanged: '
                            f'{str(error).strip()}') from error


def _create_table_sql(target: sql.Identifier, columns: Mapping[str, pa.DataType]) -> sql.Composed:
    definitions = [sql.SQL('{} {}').format(sql.Identifier(name), sql.SQL(POSTGRES_TYPES[kind]))
                   for name, kind in columns.items()]
    definitions.append(sql.SQL('{} DATE NOT NULL').format(sql.Identifier(SOURCE_MONTH)))
    return sql.SQL('CREATE TABLE IF NOT EXISTS {} ({}) PARTITION BY LIST ({})').format(
        target, sql.SQL(', ').join(definitions), sql.Identifier(SOURCE_MONTH))


def _expected_columns(columns: Mapping[str, pa.DataType]) -> list[tuple[str, str]]:
    """(name, information_schema data_type) of every column the writer creates."""
    return [(name, _INFORMATION_SCHEMA_NAMES[POSTGRES_TYPES[kind]]) for name, kind in columns.items()] + [
        (SOURCE_MONTH, 'date')]


def _check_table_shape(cursor: psycopg2.extensions.cursor, db_schema: str, table: str,
                       expected_columns: list[tuple[str, str]]) -> None:
    """Refuses a table with other columns or types: binary COPY needs every type to match exactly."""
    cursor.execute(
        'SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace '
        'WHERE n.nspname = %s AND c.relname = %s', (db_schema, table))
    (kind,) = cursor.fetchone()
    cursor.execute(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND '
        'table_name = %s ORDER BY ordinal_position', (db_schema, table))
    actual_columns = [tuple(row) for row in cursor.fetchall()]
    if kind != 'p' or actual_columns != expected_columns:
        differences = [f'{name} {kind}' for name, kind in actual_columns if (name, kind) not in expected_columns]
        wanted = [f'{name} {kind}' for name, kind in expected_columns if (name, kind) not in actual_columns]
        raise PostgresError(
            f'{db_schema}.{table} exists but is not the table this pipeline writes (it has '
            f'{", ".join(differences) or "the columns in another order"}'
            f'{"; needs " + ", ".join(wanted) if wanted else ""}{"" if kind == "p" else "; not partitioned by " + SOURCE_MONTH}).'
            ' Drop or rename it, or set POSTGRES_SCHEMA to another schema.'
        )
