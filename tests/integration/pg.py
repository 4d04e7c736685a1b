"""Reading the Postgres target in assertions."""
from __future__ import annotations

from datetime import date
from typing import Any

import psycopg2.extensions


def query(connection: psycopg2.extensions.connection, statement: str, params: Any = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def month_fingerprint(connection: psycopg2.extensions.connection, schema: str, table: str,
                      month: date) -> tuple[int, str]:
    """Row count and a digest of every row of the month, independent of physical order."""
    (row,) = query(connection, f'SELECT count(*), md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) '
                               f'FROM "{schema}"."{table}" t WHERE source_month = %s', (month,))
    return row


def table_exists(connection: psycopg2.extensions.connection, schema: str, table: str) -> bool:
    return bool(query(connection, 'SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND '
                                  'table_name = %s', (schema, table)))
