"""Canary of nyc_taxi/mage/fixes/state_sessions.py: once a Mage process's connection to its state database (in
PostgreSQL) is lost (the server restarted, `docker compose restart postgres`), its session fails every later
query too, until the process restarts: the UI's every call, a run's status update, the scheduler's tick."""
from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy.engine import make_url

from benchmarks.scheduled import drop_database
from nyc_taxi.mage.state_database import SETTING, ensure_state_database
from tests.canaries.scenario import fix_can_go, mages_state, run_scenario

pytestmark = pytest.mark.integration


def queries_after_the_connection_is_lost() -> dict:
    """Three queries on Mage's session: before its connection is ended by the server, and twice after it (with
    the fix installed, the second after the fix's check of the session, as its patched paths do first)."""
    import psycopg2
    from mage_ai.orchestration.db.models.schedules import PipelineRun

    from nyc_taxi.mage.state_database import connection_args

    mages_state()

    def query() -> str:
        try:
            PipelineRun.query.count()
            return 'answered'
        except Exception as error:  # noqa: BLE001 the point: which error
            return type(error).__name__

    before = query()
    url = make_url(os.environ[SETTING])
    admin = psycopg2.connect(**connection_args(url, url.database))
    admin.autocommit = True
    with admin.cursor() as cursor:  # as a restart of the server ends every connection
        cursor.execute('SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                       'WHERE datname = current_database() AND pid <> pg_backend_pid()')
    admin.close()
    first = query()
    if 'state_sessions' in os.environ.get('CANARY_FIXED', ''):
        from nyc_taxi.mage.fixes.state_sessions import _usable_session

        _usable_session()
    return {'before': before, 'first after': first, 'then': query()}


@pytest.fixture
def state_url(postgres_cluster) -> str:
    url = make_url(postgres_cluster.settings()[SETTING])
    url = url.set(database=f'canary_state_{secrets.token_hex(4)}')
    rendered = url.render_as_string(hide_password=False)
    ensure_state_database({SETTING: rendered})
    yield rendered
    drop_database(url)


def test_stock_mages_session_fails_every_query_after_its_connection_was_lost(state_url):
    result = run_scenario('state_sessions', 'queries_after_the_connection_is_lost', env={SETTING: state_url})
    assert result == {'before': 'answered', 'first after': 'OperationalError', 'then': 'PendingRollbackError'}, \
        fix_can_go('state_sessions')


def test_fixed_the_session_answers_again(state_url):
    result = run_scenario('state_sessions', 'queries_after_the_connection_is_lost', fixed=True,
                          env={SETTING: state_url, 'CANARY_FIXED': 'state_sessions'})
    assert result['before'] == 'answered' and result['then'] == 'answered', result
