"""The cleaning rules as BigQuery SQL: the same transform as `clean_batch`, run where the trips are.

Rendered from the one declaration in nyc_taxi.model.rules, for trips already in a table with the
clean columns (what gcs_to_bigquery loads from the partitioned dataset in GCS):
- `clean_insert`: the kept trips into the clean staging table, the pickup date taken from the pickup
  time, as `clean_batch` does;
- `summary_query`: per pickup date, the columns of nyc_taxi.model.month_summary. The drops count the
  staged rows, the trips, counts, violations and sums count the clean table's rows: the `@test`s check
  what was written, as they do for the Arrow path.
"""
from __future__ import annotations

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.model.conditions import column_sql, sql_mask
from nyc_taxi.model.month_summary import PICKUP_DATE
from nyc_taxi.model.rules import rules_for
from nyc_taxi.model.schema import TripFileSchema


def table_sql(table_id: str) -> str:
    return f'`{table_id}`'


def _dropped(schema: TripFileSchema, drop_missing_passengers: bool) -> list[tuple[str, str]]:
    """(summary column, SQL that is TRUE when the row is dropped by this rule and no rule before it)."""
    rules = rules_for(schema.taxi_type)
    applied = rules.drop_rules(drop_missing_passengers)
    flags = []
    for index, rule in enumerate(applied):
        earlier = ''.join(f' AND NOT {sql_mask(before.condition)}' for before in applied[:index])
        flags.append((rule.name, f'{sql_mask(rule.condition)}{earlier}'))
    return flags + [(rule.name, 'FALSE') for rule in rules.drops + rules.optional_drops if rule not in applied]


def kept_condition(schema: TripFileSchema, drop_missing_passengers: bool) -> str:
    """TRUE for the trips the transform keeps."""
    drops = rules_for(schema.taxi_type).drop_rules(drop_missing_passengers)
    if not drops:
        return 'TRUE'
    return 'NOT (' + ' OR '.join(sql_mask(rule.condition) for rule in drops) + ')'


def clean_insert(schema: TripFileSchema, staged_table: str, clean_table: str, drop_missing_passengers: bool) -> str:
    """INSERT of the kept trips of `staged_table` (clean column names) into `clean_table` (the clean schema)."""
    names = clean_arrow_schema(schema).names
    pickup_time = column_sql(schema.clean_name(schema.pickup_datetime))
    values = [f'CAST({pickup_time} AS DATE)' if name == schema.pickup_date else column_sql(name) for name in names]
    return (f'INSERT INTO {table_sql(clean_table)} ({", ".join(column_sql(name) for name in names)}) '
            f'SELECT {", ".join(values)} FROM {table_sql(staged_table)} '
            f'WHERE {kept_condition(schema, drop_missing_passengers)}')


def summary_query(schema: TripFileSchema, staged_table: str, clean_table: str, drop_missing_passengers: bool) -> str:
    """Per pickup date, in date order: rows in (the staged table), rows dropped by each rule, then over the
    clean table the trips kept, the counts, the rule violations and the sums."""
    rules = rules_for(schema.taxi_type)
    dropped = _dropped(schema, drop_missing_passengers)
    kept_rules = rules.counts + rules.violations
    pickup_time = column_sql(schema.clean_name(schema.pickup_datetime))
    source = ', '.join([f'CAST({pickup_time} AS DATE) AS {PICKUP_DATE}', 'COUNT(*) AS rows_in',
                        *(f'COUNTIF({flag}) AS {name}' for name, flag in dropped),
                        '0 AS trips', *(f'0 AS {rule.name}' for rule in kept_rules),
                        *(f'CAST(NULL AS FLOAT64) AS {name}' for name in rules.sums),
                        *(f'CAST(NULL AS STRING) AS {rule.example_name}' for rule in rules.examples)])
    clean = ', '.join([f'{column_sql(schema.pickup_date)} AS {PICKUP_DATE}', '0 AS rows_in',
                       *(f'0 AS {name}' for name, _ in dropped), 'COUNT(*) AS trips',
                       *(f'COUNTIF({sql_mask(rule.condition)}) AS {rule.name}' for rule in kept_rules),
                       *(f'SUM({column_sql(name)}) AS {name}' for name in rules.sums),
                       *(f'MIN(IF({sql_mask(rule.condition)}, {column_sql(rule.example)}, NULL)) AS {rule.example_name}'
                         for rule in rules.examples)])
    totals = ', '.join([PICKUP_DATE, 'SUM(rows_in) AS rows_in', *(f'SUM({name}) AS {name}' for name, _ in dropped),
                        'SUM(trips) AS trips', *(f'SUM({rule.name}) AS {rule.name}' for rule in kept_rules),
                        *(f'COALESCE(SUM({name}), 0) AS {name}' for name in rules.sums),
                        *(f'MIN({rule.example_name}) AS {rule.example_name}' for rule in rules.examples)])
    return (f'SELECT {totals} FROM ('
            f'SELECT {source} FROM {table_sql(staged_table)} GROUP BY 1 '
            f'UNION ALL SELECT {clean} FROM {table_sql(clean_table)} GROUP BY 1'
            f') GROUP BY 1 ORDER BY 1')
