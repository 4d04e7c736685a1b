"""A failed backfill run alerts once through each channel .env sets, under `mage start` as compose starts it:
a Slack-style webhook (a local HTTP receiver) and email (a local SMTP server). A good run alerts no one. An SMTP
host that never answers holds no run back."""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from datetime import date
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller

from benchmarks.scheduled import MageServer
from devstack.processes import free_port
from devstack.sample_data import ensure_trip_file
from nyc_taxi.mage.fixes.alerts import ALERT_TIMEOUT_S
from nyc_taxi.runs.request import MonthRequest
from tests.conftest import SAMPLE_ROWS
from tests.integration.waiting import wait_until

pytestmark = pytest.mark.integration
# Not served by the test file server: the loader's download gets a 404.
MISSING_MONTH = date(2018, 1, 1)
GREEN_2019_01 = MonthRequest(taxi_type='green', year=2019, month=1)


class Received:
    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.mails: list = []


@pytest.fixture
def received() -> Iterator[tuple[Received, str, int]]:
    """A webhook receiver's URL and an SMTP server's port, recording what reaches them."""
    got = Received()

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            got.posts.append(json.loads(self.rfile.read(int(self.headers['Content-Length']))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    class Mailbox:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
            got.mails.append(message_from_bytes(envelope.content))
            return '250 OK'

    webhook = ThreadingHTTPServer(('127.0.0.1', 0), Webhook)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    smtp = Controller(Mailbox(), hostname='127.0.0.1', port=free_port())
    smtp.start()
    try:
        yield got, f'http://127.0.0.1:{webhook.server_address[1]}/hook', smtp.port
    finally:
        smtp.stop()
        webhook.shutdown()


def backfill(server: MageServer, month: date, timeout_s: float = 300) -> list[str]:
    """The statuses of a one-month backfill of api_to_postgres's green trips, once it has ended."""
    backfill_id = server.create_backfill('api_to_postgres', month, month, {'taxi_type': 'green'})
    server.start_backfill(backfill_id)
    return [run['status'] for run in server.finished_runs(backfill_id, timeout_s=timeout_s)]


def test_a_failed_run_alerts_once_by_webhook_and_by_mail_and_a_good_run_alerts_no_one(
        stack_settings, trip_data_dir, received):
    got, webhook_url, smtp_port = received
    ensure_trip_file(trip_data_dir, GREEN_2019_01, rows=SAMPLE_ROWS)
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': 'alerts', 'ALERT_SLACK_WEBHOOK_URL': webhook_url,
           'ALERT_SMTP_HOST': '127.0.0.1', 'ALERT_SMTP_PORT': str(smtp_port), 'ALERT_EMAIL_FROM': 'mage@localhost',
           'ALERT_EMAIL_TO': 'oncall@localhost'}
    with MageServer(env) as server:
        assert backfill(server, MISSING_MONTH) == ['failed']
        wait_until(lambda: got.posts and got.mails, every_s=0.5)
        time.sleep(5)  # several scheduler ticks: a second alert would have come by now
        assert (len(got.posts), len(got.mails)) == (1, 1), server.log_tail()

        post = json.dumps(got.posts[0])
        mail = got.mails[0]
        assert mail['To'] == 'oncall@localhost' and 'api_to_postgres' in mail['Subject']
        for text in (post, mail.get_payload(decode=True).decode()):
            assert 'api_to_postgres' in text and '2018-01-01' in text
            assert 'load_taxi_data_api' in text and '404' in text and 'green_tripdata_2018-01.csv.gz' in text
            assert stack_settings['POSTGRES_PASSWORD'] not in text

        assert backfill(server, GREEN_2019_01.month_start) == ['completed']
        time.sleep(5)
        assert (len(got.posts), len(got.mails)) == (1, 1)


@pytest.fixture
def silent_smtp_port() -> Iterator[int]:
    """A port that takes connections and never says a word: an SMTP host that hangs (a firewall's black hole,
    a proxy to nowhere). Mage's smtplib.SMTP(host, port) has no timeout and waits for its greeting forever."""
    with socket.create_server(('127.0.0.1', 0), backlog=16) as listener:
        yield listener.getsockname()[1]


def test_an_smtp_host_that_never_answers_holds_no_run_back_and_is_named_in_the_log(
        stack_settings, trip_data_dir, silent_smtp_port):
    ensure_trip_file(trip_data_dir, GREEN_2019_01, rows=SAMPLE_ROWS)
    env = {**os.environ, **stack_settings, 'POSTGRES_SCHEMA': 'alerts_silent', 'ALERT_SLACK_WEBHOOK_URL': '',
           'ALERT_SMTP_HOST': '127.0.0.1', 'ALERT_SMTP_PORT': str(silent_smtp_port),
           'ALERT_EMAIL_FROM': 'mage@localhost', 'ALERT_EMAIL_TO': 'oncall@localhost'}
    with MageServer(env) as server:
        assert backfill(server, MISSING_MONTH) == ['failed']
        # Its alert now waits on the silent host; the scheduler's next ticks start and end the next run meanwhile.
        assert backfill(server, GREEN_2019_01.month_start, timeout_s=120) == ['completed'], server.log_tail()
        not_sent = f'Alert not sent by email to SMTP host 127.0.0.1:{silent_smtp_port} (ALERT_SMTP_HOST)'
        wait_until(lambda: not_sent in server.log.read_text(errors='replace'), timeout_s=ALERT_TIMEOUT_S + 30)
        time.sleep(3)
        lines = [line for line in server.log.read_text(errors='replace').splitlines() if not_sent in line]
    assert len(lines) == 1 and 'timed out' in lines[0], lines
