"""Mage's state database (MAGE_DATABASE_CONNECTION_URL): made by the project's start when the server lacks it,
left alone when it is there, and every failure names the setting, never the password."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url

from benchmarks.scheduled import drop_database
from devstack.paths import REPO_ROOT
from nyc_taxi.mage.state_database import SETTING, StateDatabaseError, ensure_state_database, state_database_url
from tests.integration.pg import query

pytestmark = pytest.mark.integration


def url_on(cluster, dbname: str, password: str | None = None) -> str:
    return state_database_url('127.0.0.1', cluster.port, cluster.user, password or cluster.password, dbname)


def test_a_missing_state_database_is_created_once_and_an_existing_one_left_alone(postgres_cluster, db):
    url = url_on(postgres_cluster, 'mage_state_made_here')
    try:
        assert ensure_state_database({SETTING: url}) is True
        assert ensure_state_database({SETTING: url}) is False
        assert query(db, "SELECT count(*) FROM pg_database WHERE datname = 'mage_state_made_here'") == [(1,)]
    finally:
        drop_database(make_url(url))


def test_the_projects_start_makes_the_database_before_mage_reads_it(postgres_cluster, db):
    """`python -m nyc_taxi.mage.cli` as compose runs it; `--help` stops before a server starts."""
    url = url_on(postgres_cluster, 'mage_state_cli')
    try:
        result = subprocess.run([sys.executable, '-m', 'nyc_taxi.mage.cli', '--help'], env={
            **_base_env(), SETTING: url}, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "Created Mage's state database" in result.stderr
        assert query(db, "SELECT count(*) FROM pg_database WHERE datname = 'mage_state_cli'") == [(1,)]
    finally:
        drop_database(make_url(url))


def test_a_wrong_password_is_named_by_setting_and_never_shown(postgres_cluster):
    url = url_on(postgres_cluster, 'mage_state', password='not-the-password')
    with pytest.raises(StateDatabaseError) as raised:
        ensure_state_database({SETTING: url}, wait_s=0)
    assert SETTING in str(raised.value) and 'not-the-password' not in str(raised.value)
    assert 'authentication failed' in str(raised.value)


def _base_env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key != SETTING}
