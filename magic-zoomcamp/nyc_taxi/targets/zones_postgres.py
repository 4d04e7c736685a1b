"""The zone lookup in Postgres: {POSTGRES_SCHEMA}.taxi_zones, replaced whole by each run."""
from __future__ import annotations

import psycopg2
import psycopg2.extensions
import pyarrow as pa

from nyc_taxi.model.zones import LOCATION_ID, ZONES_SCHEMA, ZONES_TABLE
from nyc_taxi.resources.identifiers import checked_identifier
from nyc_taxi.targets.binary_copy import copy_batches
from nyc_taxi.targets.postgres import PostgresError, qualified, quoted, roll_back

# Column -> (SQL type, information_schema data_type); the table's columns follow ZONES_SCHEMA's order.
_TYPES = {
    LOCATION_ID: ('SMALLINT PRIMARY KEY', 'smallint'),
    'borough': ('TEXT', 'text'),
    'zone': ('TEXT', 'text'),
    'service_zone': ('TEXT', 'text'),
}
_COLUMNS = [(name, *_TYPES[name]) for name in ZONES_SCHEMA.names]


def replace_zones(connection: psycopg2.extensions.connection, zones: pa.Table, db_schema: str,
                  table: str = ZONES_TABLE) -> int:
    """Makes `db_schema.table` hold exactly `zones` (ZONES_SCHEMA); returns the rows written.

    The lookup has no slices: a new file replaces every row. In one transaction on `connection`
    (autocommit off: PostgresSettings.connect), under an advisory lock on the table taken first:
    create schema and table when missing, DELETE every row, COPY the new ones (binary,
    nyc_taxi.targets.binary_copy), commit. DELETE rather than DROP or TRUNCATE: readers never wait and see the old
    rows until the commit, then the new ones (TRUNCATE would show an empty table to a reader whose
    snapshot is older), and views and grants users put on the table survive. A failure anywhere rolls
    back and leaves the table as it was; two runs at once take turns (without the lock, the second
    DELETE would miss the first's new rows and its COPY then break the primary key). A table of that
    name with other columns is refused, not altered. The transaction is committed on return.
    """
    db_schema = checked_identifier(db_schema, 'POSTGRES_SCHEMA')
    table = checked_identifier(table, 'table name')
    if not zones.schema.equals(ZONES_SCHEMA):
        raise PostgresError(f'The zones for {db_schema}.{table} have the schema\n{zones.schema}\nnot\n{ZONES_SCHEMA}')
    target = qualified(db_schema, table)
    try:
        with connection.cursor() as cursor:
            cursor.execute('SELECT pg_advisory_xact_lock(hashtext(%s))', (f'{db_schema}.{table}',))
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS {quoted(db_schema)}')
            definitions = ', '.join(f'{quoted(name)} {sql_type}' for name, sql_type, _ in _COLUMNS)
            cursor.execute(f'CREATE TABLE IF NOT EXISTS {target} ({definitions})')
            _check_table_shape(cursor, db_schema, table)
            cursor.execute(f'DELETE FROM {target}')
            rows = copy_batches(cursor, target, zones.to_batches(), ZONES_SCHEMA)
        connection.commit()
        return rows
    except psycopg2.Error as error:
        roll_back(connection)
        raise PostgresError(f'Replacing {db_schema}.{table} failed, the table is unchanged: '
                            f'{str(error).strip()}') from error
    except BaseException:
        roll_back(connection)
        raise


def _check_table_shape(cursor: psycopg2.extensions.cursor, db_schema: str, table: str) -> None:
    """Refuses a table of that name with other columns: the binary COPY sends each column in its own type."""
    cursor.execute(
        'SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = %s AND '
        'table_name = %s ORDER BY ordinal_position', (db_schema, table))
    actual = [tuple(row) for row in cursor.fetchall()]
    expected = [(name, data_type) for name, _, data_type in _COLUMNS]
    if actual != expected:
        raise PostgresError(
            f'{db_schema}.{table} exists but is not the zone lookup this pipeline writes (it has '
            f'{", ".join(f"{name} {kind}" for name, kind in actual)}; needs '
            f'{", ".join(f"{name} {kind}" for name, kind in expected)}). The table is unchanged: drop or rename '
            'it, or set POSTGRES_SCHEMA to another schema.')
