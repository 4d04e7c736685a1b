"""The ledger of a trips table in Postgres: each month's LoadRecord is the comment of the month's partition.

Kept on the partition itself, the record is written in the transaction that attaches the partition
(nyc_taxi.targets.postgres.replace_month_batches), goes when the partition goes (a dropped table, a month
replaced by hand), and cannot describe rows that are not there. A partition without one (written before the
ledger, or by hand) has no record: its month is loaded again.

Contract: `{schema}.{table}_{YYYY_MM}`'s comment is the JSON of the LoadRecord of the rows it holds, or absent.
"""
from __future__ import annotations

from datetime import date

import psycopg2.errors
import psycopg2.extensions
from psycopg2 import sql

from nyc_taxi.targets.load_record import LoadRecord


def record_load(cursor: psycopg2.extensions.cursor, db_schema: str, partition: str, record: LoadRecord,
                rows: int) -> None:
    """Sets the partition's record, in the caller's transaction (the one that attaches it)."""
    cursor.execute(sql.SQL('COMMENT ON TABLE {} IS %s').format(sql.Identifier(db_schema, partition)),
                   (record.written(rows).to_json(),))


def month_partition(table: str, month: date) -> str:
    return f'{table}_{month:%Y_%m}'


def month_held(connection: psycopg2.extensions.connection, db_schema: str, table: str, month: date
               ) -> tuple[LoadRecord | None, int | None]:
    """The month's record and the rows its partition holds, counted; (None, None) when there is no partition."""
    partition = sql.Identifier(db_schema, month_partition(table, month))
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", (partition.as_string(connection),))
        if not cursor.fetchone()[0]:
            connection.rollback()
            return None, None
        try:
            cursor.execute(sql.SQL("SELECT obj_description(%s::regclass, 'pg_class'), (SELECT count(*) FROM {})")
                           .format(partition), (partition.as_string(connection),))
        except psycopg2.errors.UndefinedTable:  # replaced by a run of the same month just now
            connection.rollback()
            return None, None
        comment, rows = cursor.fetchone()
    connection.rollback()
    return LoadRecord.from_json(comment), rows


def loaded_months(connection: psycopg2.extensions.connection, db_schema: str, table: str
                  ) -> dict[date, LoadRecord | None]:
    """Every month `db_schema.table` holds, with its record (None where its partition has none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(c.relpartbound, c.oid), obj_description(c.oid, 'pg_class') FROM pg_inherits i "
            'JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)',
            (sql.Identifier(db_schema, table).as_string(connection),))
        rows = cursor.fetchall()
    connection.rollback()
    return {_month_of_bound(bound): LoadRecord.from_json(comment) for bound, comment in rows}


def _month_of_bound(bound: str) -> date:
    """FOR VALUES IN ('2021-01-01') -> 2021-01-01."""
    return date.fromisoformat(bound.split("'")[1])
