"""MAGE_DATABASE_CONNECTION_URL as the project reads it: unset or sqlite is Mage's sqlite file, a PostgreSQL URL
must name its database, and a password survives the URL whatever its characters."""
import pytest
from sqlalchemy.engine import make_url

from nyc_taxi.mage.state_database import (SETTING, StateDatabaseError, configured_state_url, ensure_state_database,
                                          state_database_url)


def test_an_unset_or_sqlite_setting_leaves_mage_its_sqlite_file():
    assert ensure_state_database({}) is False
    assert ensure_state_database({SETTING: ''}) is False
    assert ensure_state_database({SETTING: 'sqlite:////tmp/mage-ai.db'}) is False


@pytest.mark.parametrize(('value', 'says'), [('postgresql+psycopg2://u:secret-pw@h:5432/', 'names no database'),
                                             ('not a url', 'is not a database URL')])
def test_a_setting_that_names_no_database_is_refused_by_name(value, says):
    with pytest.raises(StateDatabaseError, match=says) as raised:
        configured_state_url({SETTING: value})
    assert SETTING in str(raised.value) and 'secret-pw' not in str(raised.value)


def test_a_password_with_url_characters_survives_the_url():
    url = make_url(state_database_url('db', 5432, 'mage', 'p@ss/w:rd?', 'mage_state'))
    assert (url.password, url.host, url.database) == ('p@ss/w:rd?', 'db', 'mage_state')
