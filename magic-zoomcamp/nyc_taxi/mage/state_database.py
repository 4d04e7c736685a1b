"""Mage's own state (pipeline runs, block runs, backfills, triggers' schedules, users) in PostgreSQL.

Mage reads MAGE_DATABASE_CONNECTION_URL itself and creates its tables there on `mage start`, but only in a
database that exists, and a sqlite file under MAGE_DATA_DIR when the setting is unset. The project's
`start` (nyc_taxi.mage.cli) creates the URL's database first when the server lacks it: on compose's first
start, on a `postgres` volume that older versions filled, and on the local stack alike. A database of its
own, not a schema of the trips' database: Mage's `search_path` option runs `ALTER ROLE` at every start,
which fails under concurrent runs (Mage's issue 4217).
"""
from __future__ import annotations

import time
from collections.abc import Mapping

import psycopg2
from psycopg2 import errors, sql
from sqlalchemy.engine import URL, make_url

from nyc_taxi.error_lines import first_line

SETTING = 'MAGE_DATABASE_CONNECTION_URL'
STATE_DBNAME = 'mage_state'
# The parts docker-compose gives instead of a URL: a URL written in YAML would carry the password unescaped, and a
# password with @ : / % # ? breaks it. The login is POSTGRES_USER / POSTGRES_PASSWORD, the `postgres` service's own.
STATE_HOST_SETTING = 'MAGE_STATE_DB_HOST'
STATE_PORT_SETTING = 'MAGE_STATE_DB_PORT'
STATE_NAME_SETTING = 'MAGE_STATE_DB_NAME'
# The database every PostgreSQL server has, to connect to when the state's database is not there yet.
MAINTENANCE_DBNAME = 'postgres'


class StateDatabaseError(RuntimeError):
    """Mage's state database cannot be reached or made; the message names the setting, never the password."""


def state_database_url(host: str, port: int | str, user: str, password: str, dbname: str = STATE_DBNAME) -> str:
    """The setting's value for a database on a server the project knows the login of (the password escaped)."""
    return URL.create('postgresql+psycopg2', username=user, password=password, host=host, port=int(port),
                      database=dbname).render_as_string(hide_password=False)


def state_url_from_parts(env: Mapping[str, str]) -> dict[str, str]:
    """The setting, built with the password escaped from compose's parts (MAGE_STATE_DB_HOST, _PORT, _NAME and
    POSTGRES_USER / POSTGRES_PASSWORD), when the setting itself is unset and the parts are given; else {}."""
    host = (env.get(STATE_HOST_SETTING) or '').strip()
    if (env.get(SETTING) or '').strip() or not host:
        return {}
    missing = [name for name in ('POSTGRES_USER', 'POSTGRES_PASSWORD') if not env.get(name)]
    if missing:
        raise StateDatabaseError(f'{STATE_HOST_SETTING} is set but {" and ".join(missing)} not: Mage\'s state database '
                                 'needs the login of the `postgres` service (.env)')
    return {SETTING: state_database_url(host, env.get(STATE_PORT_SETTING) or 5432, env['POSTGRES_USER'],
                                        env['POSTGRES_PASSWORD'], env.get(STATE_NAME_SETTING) or STATE_DBNAME)}


def configured_state_url(env: Mapping[str, str]) -> URL | None:
    """The PostgreSQL URL the setting holds; None when it is unset, empty or another database (sqlite)."""
    value = (env.get(SETTING) or '').strip()
    if not value:
        return None
    try:
        url = make_url(value)
    except Exception as error:  # noqa: BLE001 sqlalchemy raises ArgumentError, or ValueError for a bad port
        raise StateDatabaseError(f'{SETTING} in .env (or the environment) is not a database URL: {error}. '
                                 'Expected postgresql+psycopg2://USER:PASSWORD@HOST:PORT/DATABASE') from None
    if not url.drivername.startswith('postgresql'):
        return None
    if not url.database:
        raise StateDatabaseError(f'{SETTING}={_shown(url)} names no database: end it with /{STATE_DBNAME}')
    return url


def ensure_state_database(env: Mapping[str, str], wait_s: float = 60) -> bool:
    """Creates the setting's database when its server lacks it; returns whether it did.

    Waits up to `wait_s` for a server that is still starting (compose starts both at once)."""
    url = configured_state_url(env)
    if url is None:
        return False
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return _ensure(url)
        except psycopg2.OperationalError as error:
            if _database_missing(error) or _login_refused(error) or time.monotonic() >= deadline:
                raise StateDatabaseError(f'Cannot reach Mage\'s state database {_shown(url)} ({SETTING}): '
                                         f'{first_line(error)}') from None
            time.sleep(1)


def _ensure(url: URL) -> bool:
    try:
        psycopg2.connect(**connection_args(url, url.database)).close()
        return False
    except psycopg2.OperationalError as error:
        if not _database_missing(error):
            raise
    connection = psycopg2.connect(**connection_args(url, MAINTENANCE_DBNAME))
    connection.autocommit = True  # CREATE DATABASE refuses to run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL('CREATE DATABASE {}').format(sql.Identifier(url.database)))
        return True
    except errors.DuplicateDatabase:
        return False  # another start made it meanwhile
    except psycopg2.Error as error:
        raise StateDatabaseError(
            f'Mage\'s state database {url.database!r} ({SETTING}) does not exist, and {url.username!r} cannot create '
            f'it: {first_line(error)}. Create it (CREATE DATABASE {url.database}), or let the role create '
            'databases (ALTER ROLE ... CREATEDB)') from None
    finally:
        connection.close()


def connection_args(url: URL, dbname: str) -> dict:
    """psycopg2.connect's arguments for database `dbname` on the server and login `url` names."""
    return dict(host=url.host or '127.0.0.1', port=url.port or 5432, user=url.username, password=url.password,
                dbname=dbname, connect_timeout=10, **{key: value for key, value in url.query.items()
                                                       if key in ('sslmode', 'sslrootcert')})


def _database_missing(error: psycopg2.OperationalError) -> bool:
    return 'does not exist' in str(error) and 'database' in str(error)


def _login_refused(error: psycopg2.OperationalError) -> bool:
    return 'authentication failed' in str(error) or 'no pg_hba.conf entry' in str(error)


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)

