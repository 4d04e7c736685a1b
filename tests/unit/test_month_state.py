"""A month a target holds, against the source's file now and today's transform: current, stale, missing,
unavailable, and why."""
from datetime import datetime, timezone

import pytest

from nyc_taxi.mage.current_months import force_reload
from nyc_taxi.sources.source_version import SourceVersion
from nyc_taxi.targets.load_record import LoadRecord
from nyc_taxi.targets.month_state import State, month_state

URL = 'http://127.0.0.1:8000/green/green_tripdata_2020-03.csv.gz'
LOADED = SourceVersion(URL, None, 'Mon, 07 Dec 2026 10:00:00 GMT', 1000)
RECORD = LoadRecord(LOADED, 'f1', 'api_to_postgres run 7', rows=42,
                    loaded_at=datetime(2026, 12, 7, 10, 5, tzinfo=timezone.utc))


def test_the_same_file_under_the_same_transform_with_its_rows_is_current():
    state = month_state(RECORD, 42, LOADED, 'f1')
    assert state.state == State.CURRENT
    assert state.why == ('unchanged since 2026-12-07 10:05 UTC '
                         '(Last-Modified Mon, 07 Dec 2026 10:00:00 GMT, 1,000 bytes)')


@pytest.mark.parametrize('record, rows, source, fingerprint, state, why', [
    (RECORD, 42, SourceVersion(URL, None, 'Tue, 08 Dec 2026 10:00:00 GMT', 1000), 'f1', State.STALE,
     'the source changed: Last-Modified Tue, 08 Dec 2026'),
    (RECORD, 42, SourceVersion(URL.replace('8000', '9000'), None, LOADED.last_modified, 1000), 'f1', State.STALE,
     'loaded from http://127.0.0.1:8000/'),
    (RECORD, 42, LOADED, 'f2', State.STALE, 'the transform changed: fingerprint f2 now, f1 loaded'),
    (RECORD, 41, LOADED, 'f1', State.STALE, '41 rows held, 42 loaded'),
    (None, 42, LOADED, 'f1', State.STALE, 'loaded without a record'),
    (RECORD, 42, SourceVersion(URL), 'f1', State.STALE, 'the source does not say which version'),
    (None, None, LOADED, 'f1', State.MISSING, 'not loaded'),
    (RECORD, 42, None, 'f1', State.UNAVAILABLE, 'the source has no such file'),
])
def test_anything_else_is_loaded_again_and_says_why(record, rows, source, fingerprint, state, why):
    found = month_state(record, rows, source, fingerprint)
    assert found.state == state and found.why.startswith(why)


@pytest.mark.parametrize('value, force', [(True, True), ('true', True), ('1', True), (False, False), ('no', False)])
def test_force_says_either_way(value, force):
    assert force_reload({'force': value, 'pipeline_run_id': 3}) is force


def test_a_run_started_by_hand_loads_unless_force_is_false():
    assert force_reload({}) is True  # mage run, make pipeline


def test_force_must_be_a_yes_or_a_no():
    with pytest.raises(ValueError, match="force='maybe' must be true"):
        force_reload({'force': 'maybe'})
