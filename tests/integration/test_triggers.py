"""triggers.yaml as Mage's scheduler reads it: synced into its schedule table by Mage's own code."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from devstack.paths import PROJECT_DIR

pytestmark = pytest.mark.integration

SYNC = """
import json
from mage_ai.orchestration.db import db_connection
from mage_ai.orchestration.db.database_manager import database_manager
from mage_ai.orchestration.db.models.schedules import PipelineSchedule
from mage_ai.orchestration.pipeline_scheduler_original import sync_schedules
db_connection.start_session()
database_manager.run_migrations()
sync_schedules(['api_to_postgres', 'api_to_gcs', 'gcs_to_bigquery'])
print(json.dumps([dict(pipeline=s.pipeline_uuid, name=s.name, interval=s.schedule_interval, status=str(s.status),
                       type=str(s.schedule_type), start=s.start_time.isoformat(), variables=s.variables)
                  for s in PipelineSchedule.query.all()]))
"""


def test_the_shipped_triggers_are_what_the_scheduler_gets(tmp_path):
    # A copy: Mage's scheduler rewrites triggers.yaml when it syncs.
    project = tmp_path / 'magic-zoomcamp'
    shutil.copytree(PROJECT_DIR, project)
    env = {**os.environ, 'MAGE_DATA_DIR': str(tmp_path / 'mage_data'), 'MAGE_REPO_PATH': str(project)}
    result = subprocess.run([sys.executable, '-c', SYNC], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    schedules = {s['pipeline']: s for s in json.loads(result.stdout.strip().splitlines()[-1])}
    assert schedules == {
        'gcs_to_bigquery': {'pipeline': 'gcs_to_bigquery', 'name': 'daily_gcs_to_bigquery', 'interval': '@daily',
                            'status': 'active', 'type': 'time', 'start': schedules['gcs_to_bigquery']['start'],
                            'variables': {'taxi_type': 'yellow', 'days_back': 92}},
        **{pipeline: {'pipeline': pipeline, 'name': f'monthly_{pipeline}', 'interval': '@monthly',
                      'status': 'inactive', 'type': 'time', 'start': schedules[pipeline]['start'],
                      'variables': {'taxi_type': 'yellow', 'source': 'tlc', 'months_back': 3}}
           for pipeline in ('api_to_postgres', 'api_to_gcs')},
    }
    assert all(schedule['start'].split('T')[1].startswith('00:00:00') for schedule in schedules.values())
