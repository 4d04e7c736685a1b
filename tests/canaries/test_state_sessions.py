"""Canary of nyc_taxi/mage/fixes/state_sessions.py: once a Mage process's connection to its state database (in
PostgreSQL) is lost (the server restarted, `docker compose restart postgres`), its session fails every later
query too, until the process restarts: the UI's every call, a run's status update, the scheduler's tick. And a
create of the API whose commit was saved but whose connection was then lost is run again by Mage's safe_db_query:
the trigger exists twice."""
from __future__ import annotations

import os
import secrets
import threading

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from benchmarks.scheduled import drop_database
from nyc_taxi.mage.state_database import SETTING, connection_args, ensure_state_database
from tests.canaries.scenario import fix_can_go, mages_state, project_copy, run_scenario

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


SCHEDULE = 'saved as its connection went'


def a_trigger_created_as_the_api_creates_it_as_its_commit_is_lost() -> dict:
    """PipelineScheduleResource.create, as a POST of the UI or the REST API runs it, whose commit is saved and whose
    connection the test then ends: what the caller gets, and how many such triggers exist."""
    import time
    from pathlib import Path

    from mage_ai.api.resources.PipelineScheduleResource import PipelineScheduleResource
    from mage_ai.data_preparation.models.pipeline import Pipeline
    from mage_ai.orchestration.db.models.schedules import PipelineSchedule

    from nyc_taxi.mage.fixes.state_sessions import api_call

    project = project_copy()
    mages_state()
    pipeline = Pipeline.get('test_config', repo_path=str(project))
    Path(os.environ['CANARY_READY']).touch()
    while not Path(os.environ['CANARY_GO']).exists():  # until the test makes commits wait
        time.sleep(0.05)
    try:
        with api_call('POST', '/api/pipelines/test_config/pipeline_schedules'):
            PipelineScheduleResource.create({'name': SCHEDULE, 'schedule_type': 'time', 'schedule_interval': '@once'},
                                            None, parent_model=pipeline)
        answer = 'created'
    except Exception as error:  # noqa: BLE001 the point: what the caller gets
        answer = type(error).__name__
    return {'answer': answer, 'triggers': PipelineSchedule.query.filter(PipelineSchedule.name == SCHEDULE).count()}


def a_trigger_created_as_its_commit_is_lost(state_url: str, postgres_cluster, tmp_path, fixed: bool) -> dict:
    from tests.integration.lost_commits import commits_can_wait, lose_the_connection_of_the_first_commit
    from tests.integration.waiting import wait_until

    url = make_url(state_url)
    admin = psycopg2.connect(**connection_args(url, url.database))
    admin.autocommit = True
    commits_can_wait(admin, url.database)
    ready, go = tmp_path / 'ready', tmp_path / 'go'
    result: dict = {}

    def scenario() -> None:
        try:
            result.update(run_scenario('state_sessions', 'a_trigger_created_as_the_api_creates_it_as_its_commit_is_lost',
                                       fixed=fixed, env={SETTING: state_url, 'CANARY_READY': str(ready),
                                                         'CANARY_GO': str(go)}))
        except Exception as error:  # noqa: BLE001 shown by the assertion
            result['error'] = str(error)[-3000:]
            ready.touch()

    runner = threading.Thread(target=scenario)
    runner.start()
    wait_until(ready.exists, timeout_s=120, every_s=0.1)
    if 'error' in result:
        return result
    lose_the_connection_of_the_first_commit(admin, url.database, go.touch)
    runner.join(timeout=120)
    admin.close()
    return result


def test_stock_mage_creates_a_trigger_twice_when_the_connection_of_its_commit_is_lost(state_url, postgres_cluster,
                                                                                      tmp_path):
    assert a_trigger_created_as_its_commit_is_lost(state_url, postgres_cluster, tmp_path, fixed=False) == {
        'answer': 'created', 'triggers': 2}, fix_can_go('state_sessions')


def test_fixed_the_trigger_is_created_once_and_the_caller_told_it_may_be_saved(state_url, postgres_cluster, tmp_path):
    assert a_trigger_created_as_its_commit_is_lost(state_url, postgres_cluster, tmp_path, fixed=True) == {
        'answer': 'StateSaveUncertain', 'triggers': 1}
