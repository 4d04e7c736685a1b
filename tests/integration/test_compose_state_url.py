"""Any password works in docker compose: Mage's state URL is built by the start, the password escaped, from what
compose renders (Debian's docker-compose, as tests/unit/test_compose_config.py), and Mage's own engine connects
with it to a real PostgreSQL server whose user has that password."""
from __future__ import annotations

import psycopg2
import pytest
from psycopg2 import sql

from nyc_taxi.mage.state_database import SETTING, configured_state_url, state_url_from_parts
from tests.unit.test_compose_config import compose_config, docker_compose, fresh_clone  # noqa: F401 (fixtures)

pytestmark = pytest.mark.integration
ODD_CHARACTERS = 'p@ss:w/rd%40#?&= 1'
USER = 'compose_user'


def test_a_password_with_url_characters_reaches_mages_state_database(docker_compose, fresh_clone,  # noqa: F811
                                                                     postgres_cluster):
    env_file = fresh_clone / '.env'
    lines = [line for line in env_file.read_text().splitlines()
             if line.partition('=')[0] not in ('POSTGRES_USER', 'POSTGRES_PASSWORD')]
    env_file.write_text('\n'.join([*lines, f'POSTGRES_USER={USER}', 'POSTGRES_PASSWORD=' + ODD_CHARACTERS]) + '\n')
    magic = compose_config(docker_compose, fresh_clone)['services']['magic']
    assert magic['environment']['POSTGRES_PASSWORD'] == ODD_CHARACTERS  # compose passes it as written
    built = state_url_from_parts({key: str(value) for key, value in magic['environment'].items()})

    url = configured_state_url(built)
    assert (url.username, url.password, url.host) == (USER, ODD_CHARACTERS, 'postgres')
    admin = psycopg2.connect(host='127.0.0.1', port=postgres_cluster.port, user=postgres_cluster.user,
                             password=postgres_cluster.password, dbname=postgres_cluster.dbname)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL('DROP ROLE IF EXISTS {}').format(sql.Identifier(USER)))
        cursor.execute(sql.SQL('CREATE ROLE {} LOGIN PASSWORD %s').format(sql.Identifier(USER)), (ODD_CHARACTERS,))
    try:
        from sqlalchemy import create_engine, text

        # As Mage opens its state database (mage_ai/orchestration/db/__init__.py: create_engine of the setting),
        # on this machine's server instead of compose's `postgres` host.
        here = url.set(host='127.0.0.1', port=postgres_cluster.port, database=postgres_cluster.dbname)
        engine = create_engine(here.render_as_string(hide_password=False))  # the setting is a string
        with engine.connect() as connection:
            assert connection.execute(text('SELECT current_user')).scalar() == USER
        engine.dispose()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL('DROP ROLE IF EXISTS {}').format(sql.Identifier(USER)))
        admin.close()
    assert SETTING in built and ODD_CHARACTERS not in built[SETTING]  # escaped in the URL
