"""A failed block is retried only for a transient failure (nyc_taxi.runs.transient_errors), on Mage's own
schedule (the retry_config of the project's blocks); anything else fails at once. A pipeline of a learner's
keeps Mage's own retries, and Mage's default of none."""
from __future__ import annotations

import psycopg2
import pytest
import requests
import yaml
from google.api_core import exceptions as google_errors

from devstack.paths import PROJECT_DIR
from nyc_taxi.mage.fixes import retries
from nyc_taxi.mage.fixes.scope import PROJECT_PIPELINES
from nyc_taxi.runs.transient_errors import is_transient
from nyc_taxi.sources.codes import TripFileError
from nyc_taxi.sources.download import DownloadError
from nyc_taxi.targets.postgres import PostgresError


def raised_from(outer: Exception, cause: Exception) -> Exception:
    try:
        try:
            raise cause
        except Exception as error:
            raise outer from error
    except Exception as error:
        return error


LOST_COPY = psycopg2.OperationalError('server closed the connection unexpectedly\n\tThis probably means the '
                                     'server terminated abnormally')


@pytest.mark.parametrize('error', [
    raised_from(PostgresError('Loading 2021-01 into magic.yellow_taxi_trips failed, the table is unchanged'), LOST_COPY),
    psycopg2.OperationalError('server closed the connection unexpectedly'),
    psycopg2.OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
    raised_from(DownloadError('Could not download http://x after 3 attempts'), requests.ConnectionError('reset')),
    google_errors.ServiceUnavailable('backend error'),
    google_errors.TooManyRequests('rate limit'),
    OSError("google::cloud::Status(UNAVAILABLE: Retry policy exhausted: Couldn't connect to server)"),
    ConnectionResetError('reset by peer'),
], ids=['copy lost', 'psycopg2 lost', 'refused', 'download', 'bigquery 503', 'bigquery 429', 'gcs', 'reset'])
def test_a_service_that_dropped_for_a_moment_is_transient(error):
    assert is_transient(error)


@pytest.mark.parametrize('error', [
    DownloadError('http://x/yellow_tripdata_2031-01.csv.gz answered 404 Not Found: there is no such file'),
    TripFileError('yellow_tripdata_2021-01.csv.gz, row 7, column tpep_pickup_datetime: not a timestamp'),
    PostgresError('magic.yellow_taxi_trips exists but is not the table this pipeline writes'),
    AssertionError('3 rows with location ids outside 1..265'),
    psycopg2.OperationalError('FATAL:  password authentication failed for user "postgres"'),
    psycopg2.OperationalError('FATAL:  database "nope" does not exist'),
    google_errors.BadRequest('Invalid schema update'),
    FileNotFoundError('staged file is gone'),
    KeyError('taxi_type'),
], ids=['404', 'bad file', 'refused schema', 'test', 'password', 'no database', 'bigquery 400', 'gone', 'bug'])
def test_what_a_retry_cannot_fix_is_not_transient(error):
    assert not is_transient(error)


class Logger:
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def warning(self, message: str, **tags) -> None:
        self.warnings.append(message)

    def error(self, message: str, **tags) -> None:
        self.errors.append(message)


def attempts_of(failures: list[Exception], monkeypatch, **settings) -> tuple[list[float], Logger, object]:
    waits: list[float] = []
    monkeypatch.setattr(retries.time, 'sleep', waits.append)
    logger, metadata, left = Logger(), {}, list(failures)

    def block():
        if left:
            raise left.pop(0)
        return 'done'

    try:
        outcome = retries.retry(logger=logger, retry_metadata=metadata, **settings)(block)()
    except Exception as error:  # noqa: BLE001
        outcome = error
    return waits, logger, (outcome, metadata['attempts'])


def test_a_transient_failure_is_retried_on_mages_schedule(monkeypatch):
    waits, logger, (outcome, attempts) = attempts_of([LOST_COPY, LOST_COPY], monkeypatch, retries=2, delay=10,
                                                     max_delay=120)
    assert (outcome, attempts, waits) == ('done', 3, [10, 20])
    assert 'server closed the connection' in logger.warnings[0] and 'trying again in 10 s' in logger.warnings[0]


def test_a_failure_no_retry_fixes_fails_at_once(monkeypatch):
    missing = DownloadError('http://x answered 404 Not Found')
    waits, logger, (outcome, attempts) = attempts_of([missing], monkeypatch, retries=2, delay=10, max_delay=120)
    assert (outcome, attempts, waits) == (missing, 1, [])
    assert logger.errors == ['http://x answered 404 Not Found (DownloadError; not retried: a retry would fail the '
                             'same way)'] and not logger.warnings


def test_retries_stop_at_the_count_and_at_max_delay(monkeypatch):
    waits, logger, (outcome, attempts) = attempts_of([LOST_COPY] * 5, monkeypatch, retries=2, delay=10, max_delay=120)
    assert (outcome, attempts, waits) == (LOST_COPY, 3, [10, 20])
    assert logger.errors[0].startswith(str(LOST_COPY)) and 'still failing after 3 attempts' in logger.errors[0]
    waits, _, (outcome, attempts) = attempts_of([LOST_COPY] * 5, monkeypatch, retries=5, delay=10, max_delay=30)
    assert (outcome, attempts, waits) == (LOST_COPY, 2, [10])  # 10 + 20 would reach 30


def test_the_projects_blocks_retry_twice_and_no_other_pipeline_gets_retries_from_the_project(monkeypatch, tmp_path):
    monkeypatch.setenv('MAGE_DATA_DIR', str(tmp_path))
    from mage_ai.data_preparation.repo_manager import RepoConfig
    from mage_ai.data_preparation.shared.retry import RetryConfig

    assert not RepoConfig(repo_path=str(PROJECT_DIR)).retry_config  # a learner's pipeline: Mage's default, none
    for pipeline in PROJECT_PIPELINES:
        for block in yaml.safe_load((PROJECT_DIR / 'pipelines' / pipeline / 'metadata.yaml').read_text())['blocks']:
            config = RetryConfig.load(config=block['retry_config'])
            assert (config.retries, config.delay, config.max_delay, config.exponential_backoff) == (2, 10, 120, True)


def test_mages_block_executor_gets_the_transient_only_retry_for_the_projects_blocks_only(monkeypatch):
    from mage_ai.shared import retry as mages_module

    monkeypatch.setattr(mages_module, 'retry', mages_module.retry)  # undone after the test
    monkeypatch.setattr(mages_module.time, 'sleep', lambda seconds: None)
    retries.install()
    from mage_ai.shared.retry import retry  # as block_executor imports it, at each block run

    def calls_of(pipeline_uuid: str) -> int:
        calls = []

        def block():
            calls.append(1)
            raise ValueError('a bug in the block')

        with pytest.raises(ValueError):
            retry(retries=2, delay=1, logging_tags={'pipeline_uuid': pipeline_uuid})(block)()
        return len(calls)

    assert calls_of('api_to_postgres') == 1
    assert calls_of('my_own_pipeline') == 3  # Mage's own retry, as configured
