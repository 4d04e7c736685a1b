"""Canary of nyc_taxi/mage/fixes/alerts.py: Mage's alert of a failed run executed in one process names the failed
block but not its error ("Failed blocks: load_numbers."), since Mage records no error for such a block run."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

from tests.canaries.scenario import fix_can_go, mages_state, project_copy, run_scenario

THE_ERROR = 'the month has no trips'
FAILING_LOADER = f'''
if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader


@data_loader
def load_numbers(*args, **kwargs):
    raise ValueError({THE_ERROR!r})
'''


def webhook_receiver() -> tuple[HTTPServer, list[str]]:
    """A Slack-style webhook on loopback that keeps what is posted to it."""
    posted: list[str] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 http.server's name
            posted.append(self.rfile.read(int(self.headers['Content-Length'])).decode())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(('127.0.0.1', 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, posted


def alert_of_a_failed_one_process_run() -> dict:
    """A one-process pipeline whose loader raises, run as Mage's scheduler runs it; what its alert says."""
    import os

    server, posted = webhook_receiver()
    os.environ['ALERT_SLACK_WEBHOOK_URL'] = f'http://127.0.0.1:{server.server_port}/hook'
    project = project_copy()
    from mage_ai.data_preparation.models.block import Block
    from mage_ai.data_preparation.models.pipeline import Pipeline
    from mage_ai.orchestration.db.models.schedules import PipelineRun, PipelineSchedule
    from mage_ai.orchestration.pipeline_scheduler_original import PipelineScheduler, run_pipeline

    mages_state()
    pipeline = Pipeline.create('failing pipeline', repo_path=str(project))
    pipeline.update({'run_pipeline_in_one_process': True})
    Block.create('load numbers', 'data_loader', str(project), language='python', pipeline=pipeline)
    (project / 'data_loaders' / 'load_numbers.py').write_text(FAILING_LOADER)
    schedule = PipelineSchedule.create(name='once', pipeline_uuid=pipeline.uuid)
    run = PipelineRun.create(pipeline_schedule_id=schedule.id, pipeline_uuid=pipeline.uuid,
                             execution_date=datetime.now(tz=timezone.utc), variables={})
    scheduler = PipelineScheduler(run)
    scheduler.start(should_schedule=False)
    try:
        run_pipeline(run.id, run.get_variables(), scheduler.build_tags())
    except ValueError:  # the block's error, which a scheduler's worker would die of
        pass
    run.refresh()
    scheduler.schedule()  # ends the run, failed, and sends its alert (the fixed Mage sends off the tick)
    run.refresh()
    deadline = time.monotonic() + 20
    while not posted and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # a second alert would have come by now
    texts = [json.loads(body)['blocks'][-1]['text']['text'] for body in posted]
    return {'status': str(run.status.value), 'alerts': len(texts), 'names the block': any('load_numbers' in text
            for text in texts), 'names the error': any(THE_ERROR in text for text in texts)}


def test_stock_mages_alert_of_a_failed_one_process_run_names_the_block_not_its_error():
    assert run_scenario('alerts', 'alert_of_a_failed_one_process_run') == {
        'status': 'failed', 'alerts': 1, 'names the block': True, 'names the error': False}, fix_can_go('alerts')


def test_fixed_the_alert_names_the_error():
    assert run_scenario('alerts', 'alert_of_a_failed_one_process_run', fixed=True) == {
        'status': 'failed', 'alerts': 1, 'names the block': True, 'names the error': True}


def an_alert_by_mail_to_an_smtp_host_that_never_answers() -> dict:
    """Mage's NotificationSender.send, by email to a host that takes the connection and never says a word, as the
    scheduler calls it on its tick: does it return?"""
    import socket

    from mage_ai.orchestration.notification.config import NotificationConfig
    from mage_ai.orchestration.notification.sender import NotificationSender

    listener = socket.create_server(('127.0.0.1', 0))
    config = NotificationConfig.load(config={'email_config': {
        'smtp_host': '127.0.0.1', 'smtp_port': listener.getsockname()[1], 'smtp_mail_from': 'mage@localhost',
        'to_emails': ['oncall@localhost']}})
    returned = threading.Event()

    def send() -> None:
        NotificationSender(config).send(title='a run failed', summary='a run failed')
        returned.set()

    threading.Thread(target=send, daemon=True).start()
    return {'returned within 5 s': returned.wait(5)}


def test_stock_mages_alert_to_a_silent_smtp_host_holds_its_caller():
    assert run_scenario('alerts', 'an_alert_by_mail_to_an_smtp_host_that_never_answers') == {
        'returned within 5 s': False}, fix_can_go('alerts')


def test_fixed_the_alert_goes_out_off_its_callers_time():
    assert run_scenario('alerts', 'an_alert_by_mail_to_an_smtp_host_that_never_answers', fixed=True) == {
        'returned within 5 s': True}
