"""What a run did, checked against its source: rows downloaded, dropped by each rule, and in the target."""
from __future__ import annotations

from contextlib import closing
from typing import Mapping

from nyc_taxi.load import load_month
from nyc_taxi.postgres import SOURCE_MONTH, PostgresSettings, trips_table_name
from nyc_taxi.request import MonthRequest, base_url_from_env
from nyc_taxi.schema import schema_for
from nyc_taxi.transform import clean_trips


def summarize_postgres_month(request: MonthRequest, settings: Mapping[str, str]) -> tuple[bool, str]:
    """Re-reads the source file and counts the table's rows for the month; ok when they agree."""
    url = request.url(base_url_from_env(settings))
    _, report = clean_trips(load_month(request, base_url_from_env(settings)), schema_for(request.taxi_type))
    postgres = PostgresSettings.from_io_config(settings)
    table = trips_table_name(request.taxi_type)
    with closing(postgres.connect()) as connection, connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{postgres.db_schema}"."{table}" WHERE {SOURCE_MONTH} = %s',
                       (request.month_start,))
        (in_table,) = cursor.fetchone()
    ok = in_table == report.rows_out
    lines = [
        f'api_to_postgres, {request}:',
        f'  downloaded     {report.rows_in:>10,} rows  from {url}',
        f'  dropped        {report.dropped_zero_passengers:>10,} rows  passenger_count == 0',
        f'  dropped        {report.dropped_zero_distance:>10,} rows  trip_distance == 0',
        f'  in the table   {in_table:>10,} rows  {postgres.db_schema}.{table} ({SOURCE_MONTH} = {request.month_start}) '
        f'on {postgres.describe()}',
        '  OK: the table holds exactly the rows the transform keeps' if ok else
        f'  MISMATCH: expected {report.rows_out:,} rows in the table',
    ]
    return ok, '\n'.join(lines)
