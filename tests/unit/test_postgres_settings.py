import pytest

from nyc_taxi.resources.identifiers import checked_identifier
from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.targets.postgres import PostgresError, PostgresSettings

CONFIG = {
    'POSTGRES_HOST': '127.0.0.1', 'POSTGRES_PORT': 5432, 'POSTGRES_DBNAME': 'postgres',
    'POSTGRES_USER': 'postgres', 'POSTGRES_PASSWORD': 'secret', 'POSTGRES_SCHEMA': 'magic',
    'POSTGRES_CONNECT_TIMEOUT': '7',
}


def test_settings_come_from_the_profile():
    settings = PostgresSettings.from_io_config(CONFIG)
    assert (settings.port, settings.db_schema, settings.connect_timeout) == (5432, 'magic', 7)
    assert 'secret' not in repr(settings) and 'secret' not in settings.describe()


@pytest.mark.parametrize('unset', ['None', '', None])
def test_unset_values_are_named(unset):
    with pytest.raises(PostgresError, match=r"profile 'dev' has no value for POSTGRES_HOST, POSTGRES_PASSWORD"):
        PostgresSettings.from_io_config({**CONFIG, 'POSTGRES_HOST': unset, 'POSTGRES_PASSWORD': unset})


@pytest.mark.parametrize('name', ['magic; DROP TABLE x', 'Magic', '"magic"', 'a b', '1abc', 'x' * 51])
def test_schema_names_outside_the_strict_pattern_are_refused(name):
    with pytest.raises(ValueError, match='POSTGRES_SCHEMA must match'):
        PostgresSettings.from_io_config({**CONFIG, 'POSTGRES_SCHEMA': name})


def test_table_names_are_checked():
    assert trips_table_name('green') == 'green_taxi_trips'
    with pytest.raises(ValueError, match='table name'):
        trips_table_name('yellow; DROP TABLE x --')
    assert checked_identifier('ok_name_1', 'x') == 'ok_name_1'
