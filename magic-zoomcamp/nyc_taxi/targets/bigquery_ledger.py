"""The ledger of the BigQuery trips tables: a table beside them, `{BQ_DATASET}.nyc_taxi_loads`, with a row per
trips table and pickup date that gcs_to_bigquery loaded: the GCS objects it loaded the date from (names, sizes,
generations' times), the rows, the transform's fingerprint, the run and when.

Written right after the MERGE that replaces the dates' trips, by one MERGE of its own that replaces the dates'
rows. A date's record is therefore never newer than its trips: a run that fails between the two leaves the old
record, which no longer matches the objects just loaded, so the next run loads the dates again. BigQuery's
multi-statement transactions would make the two one step, but the local emulator has none.

Contract: a row (trips_table, pickup_date) describes the trips `{trips_table}` holds of that date, or is absent.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from google.api_core import exceptions as google_errors
from google.cloud import bigquery

from nyc_taxi.targets.bigquery import BigQuerySettings

LEDGER_TABLE = 'nyc_taxi_loads'
LEDGER_FIELDS = [
    bigquery.SchemaField('trips_table', 'STRING', mode='REQUIRED'),
    bigquery.SchemaField('pickup_date', 'DATE', mode='REQUIRED'),
    bigquery.SchemaField('source_objects', 'STRING'),
    bigquery.SchemaField('transform_fingerprint', 'STRING'),
    bigquery.SchemaField('rows', 'INTEGER'),
    bigquery.SchemaField('loaded_by', 'STRING'),
    bigquery.SchemaField('loaded_at', 'TIMESTAMP'),
]


@dataclass(frozen=True)
class DateRecord:
    source_objects: str
    transform_fingerprint: str
    rows: int
    loaded_by: str
    loaded_at: datetime | None


def record_dates(client: bigquery.Client, settings: BigQuerySettings, trips_table: str, pickup_date: str,
                 versions: dict[date, str], fingerprint: str, loaded_by: str, first: date, last: date) -> None:
    """Replaces the ledger's rows of `trips_table`'s dates first..last with one per date in `versions` (each date's
    objects now), its rows counted in the trips table."""
    ledger = _ensure_ledger(client, settings)
    days = sorted(versions)
    merge = f"""
        MERGE `{ledger}` L
        USING (
            SELECT @table AS trips_table, day AS pickup_date, objects AS source_objects,
                   @fingerprint AS transform_fingerprint, IFNULL(counted.n, 0) AS rows, @loaded_by AS loaded_by,
                   CURRENT_TIMESTAMP() AS loaded_at
            FROM UNNEST(@days) AS day WITH OFFSET AS day_index
            JOIN UNNEST(@objects) AS objects WITH OFFSET AS objects_index ON day_index = objects_index
            LEFT JOIN (SELECT `{pickup_date}` AS counted_day, COUNT(*) AS n
                       FROM `{settings.project}.{settings.dataset}.{trips_table}`
                       WHERE `{pickup_date}` BETWEEN @first AND @last GROUP BY 1) counted
              ON counted.counted_day = day
        ) S
        ON FALSE
        WHEN NOT MATCHED BY SOURCE AND L.trips_table = @table AND L.pickup_date BETWEEN @first AND @last THEN DELETE
        WHEN NOT MATCHED THEN INSERT (trips_table, pickup_date, source_objects, transform_fingerprint, rows,
                                      loaded_by, loaded_at)
            VALUES (S.trips_table, S.pickup_date, S.source_objects, S.transform_fingerprint, S.rows, S.loaded_by,
                    S.loaded_at)"""
    parameters = [bigquery.ScalarQueryParameter('table', 'STRING', trips_table),
                  bigquery.ScalarQueryParameter('fingerprint', 'STRING', fingerprint),
                  bigquery.ScalarQueryParameter('loaded_by', 'STRING', loaded_by),
                  bigquery.ScalarQueryParameter('first', 'DATE', first),
                  bigquery.ScalarQueryParameter('last', 'DATE', last),
                  bigquery.ArrayQueryParameter('days', 'DATE', days),
                  bigquery.ArrayQueryParameter('objects', 'STRING', [versions[day] for day in days])]
    retry = settings.retry()
    client.query(merge, job_config=bigquery.QueryJobConfig(query_parameters=parameters),
                 retry=retry).result(retry=retry)


def dates_held(client: bigquery.Client, settings: BigQuerySettings, trips_table: str, pickup_date: str,
               first: date, last: date) -> tuple[dict[date, DateRecord], dict[date, int]]:
    """The ledger's records of `trips_table`'s dates first..last, and the rows the table holds of each."""
    retry = settings.retry()
    dates = [bigquery.ScalarQueryParameter('first', 'DATE', first),
             bigquery.ScalarQueryParameter('last', 'DATE', last)]
    try:
        counted = client.query(
            f'SELECT `{pickup_date}`, COUNT(*) FROM `{settings.project}.{settings.dataset}.{trips_table}` '
            f'WHERE `{pickup_date}` BETWEEN @first AND @last GROUP BY 1',
            job_config=bigquery.QueryJobConfig(query_parameters=dates), retry=retry).result(retry=retry)
        rows = {day: count for day, count in counted}
        found = client.query(
            f'SELECT pickup_date, source_objects, transform_fingerprint, rows, loaded_by, loaded_at '
            f'FROM `{settings.project}.{settings.dataset}.{LEDGER_TABLE}` '
            'WHERE trips_table = @table AND pickup_date BETWEEN @first AND @last',
            job_config=bigquery.QueryJobConfig(query_parameters=[
                *dates, bigquery.ScalarQueryParameter('table', 'STRING', trips_table)]), retry=retry).result(retry=retry)
    except google_errors.NotFound:  # no trips table or no ledger yet: nothing held
        return {}, {}
    return {row[0]: DateRecord(row[1] or '', row[2] or '', row[3] or 0, row[4] or '', row[5]) for row in found}, rows


def _ensure_ledger(client: bigquery.Client, settings: BigQuerySettings) -> str:
    table_id = f'{settings.project}.{settings.dataset}.{LEDGER_TABLE}'
    client.create_table(bigquery.Table(table_id, schema=LEDGER_FIELDS), exists_ok=True, retry=settings.retry())
    return table_id
