"""The rules' conditions, rendered to Arrow and to BigQuery SQL with the same three-valued logic."""
import pyarrow as pa
import pytest

from nyc_taxi.model.conditions import (AllOf, AnyOf, AtMost, Blank, Equals, IsNull, KnownAndNotIn, Outside,
                                       arrow_mask, sql_mask)
from nyc_taxi.model.rules import RULES
from nyc_taxi.model.transform_sql import clean_insert, kept_condition, summary_query
from nyc_taxi.model.schema import schema_for

BATCH = pa.RecordBatch.from_pydict({
    'n': pa.array([0, 1, None, 3], pa.int16()),
    'base': pa.array(['B1', '  ', None, 'B2']),
    'zone': pa.array([0, 12, None, 266], pa.int16()),
})


@pytest.mark.parametrize('condition, arrow, sql', [
    (Equals('n', 0), [True, False, None, False], '`n` = 0'),
    (AtMost('n', 1), [True, True, None, False], '`n` <= 1'),
    (IsNull('n'), [False, False, True, False], '`n` IS NULL'),
    (KnownAndNotIn('n', (1, 3)), [True, False, False, False], '(`n` IS NOT NULL AND `n` NOT IN (1, 3))'),
    (Outside('zone', range(1, 266)), [True, False, None, True], '(`zone` < 1 OR `zone` >= 266)'),
    (Blank('base'), [False, True, True, False], "(`base` IS NULL OR TRIM(`base`) = '')"),
    # Kleene's OR and AND, as in SQL: TRUE OR NULL is TRUE, FALSE AND NULL is FALSE.
    (AnyOf((Equals('n', 0), IsNull('n'))), [True, False, True, False], '(`n` = 0 OR `n` IS NULL)'),
    (AllOf((Equals('n', 1), Equals('zone', 12))), [False, True, None, False], '(`n` = 1 AND `zone` = 12)'),
])
def test_each_condition_renders_to_both_engines(condition, arrow, sql):
    assert condition.arrow(BATCH).to_pylist() == arrow
    assert condition.sql() == sql
    assert arrow_mask(condition, BATCH).to_pylist() == [bool(value) for value in arrow]
    assert sql_mask(condition) == f'COALESCE({sql}, FALSE)'


def test_conditions_compare_with_numbers_and_plain_codes_only():
    assert Equals('license', 'HV0003').sql() == "`license` = 'HV0003'"
    with pytest.raises(ValueError, match='letters and digits only'):
        Equals('n', "0'; DROP TABLE t; --").sql()
    with pytest.raises(TypeError, match='numbers or text only'):
        Equals('n', None).sql()


def test_every_rule_of_every_taxi_type_renders_to_sql():
    for rules in RULES.values():
        for rule in rules.drops + rules.optional_drops + rules.counts + rules.violations:
            assert rule.condition.sql()


def test_the_clean_insert_keeps_what_no_drop_rule_removes_and_dates_the_pickup():
    sql = clean_insert(schema_for('yellow'), 'p.d.staged', 'p.d.clean', drop_missing_passengers=False)
    assert sql.startswith('INSERT INTO `p.d.clean` (`vendor_id`, `tpep_pickup_datetime`,')
    assert 'CAST(`tpep_pickup_datetime` AS DATE) FROM `p.d.staged` WHERE NOT (COALESCE(`passenger_count` = 0, FALSE) ' \
           'OR COALESCE(`trip_distance` = 0, FALSE))' in sql
    assert 'IS NULL' in kept_condition(schema_for('yellow'), drop_missing_passengers=True)
    assert clean_insert(schema_for('fhv'), 's', 'c', False).endswith('WHERE TRUE')


def test_the_summary_counts_each_drop_under_the_first_rule_only():
    sql = summary_query(schema_for('yellow'), 's', 'c', drop_missing_passengers=False)
    assert ('COUNTIF(COALESCE(`trip_distance` = 0, FALSE) AND NOT COALESCE(`passenger_count` = 0, FALSE)) '
            'AS dropped_zero_distance') in sql
    assert 'COUNTIF(FALSE) AS dropped_missing_passengers' in sql
    assert 'COALESCE(SUM(total_amount), 0) AS total_amount' in sql
