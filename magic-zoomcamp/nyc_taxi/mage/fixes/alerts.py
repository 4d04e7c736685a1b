"""Alerts of failed scheduled and backfill runs that say what failed, through Mage's notification_config.

Mage's bug (0.9.80, mage_ai/orchestration/notification/sender.py, NotificationSender, and
mage_ai/data_preparation/executors/block_executor.py, BlockExecutor.__update_block_run_status): the project's
metadata.yaml fills Mage's notification_config from .env: ALERT_SLACK_WEBHOOK_URL (Slack, or any webhook that
takes Slack's payload) and ALERT_SMTP_HOST with the other ALERT_* settings (email). Mage 0.9.80 alone
- says of a failed run only "Failed blocks: load_taxi_data_api.": the fix adds the block's error, its first line.
  A run in one process (every pipeline here) does not even record the error on the block run (Mage left it out,
  since some exceptions are not JSON): the fix records its text, under the key Mage's other path uses;
- renders an unset setting as the text 'None' and an empty one as '', then posts to that webhook URL or connects
  to that SMTP host at every failure, logging a traceback each time: the fix drops a channel whose setting is
  empty, and reads 'None' as unset in the others (else a 'None' SMTP user would make it log in);
- sends the error as it is: the fix masks in it what may be a secret, as the editor's output is masked
  (nyc_taxi.mage.fixes.editor_secrets);
- sends on the scheduler's tick, with no timeout (mage_ai/services/email/email.py: `smtplib.SMTP(host, port)`;
  the Slack webhook's `requests.post` alike): an ALERT_SMTP_HOST that accepts a connection and never answers
  held the scheduler, and no other run started. The fix sends off the tick, on a thread of its own, each channel
  within ALERT_TIMEOUT_S; a send that fails is logged once, in a line naming the host.

Applies to: the alerts of every pipeline (notification_config is the project's); what a run does is unchanged.

Canary: tests/canaries/test_alerts.py (stock Mage's alert of a failed one-process run names the block, not
its error; its alert by mail to an SMTP host that never answers does not return).
"""
from __future__ import annotations

import smtplib
import sys
import threading
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import requests

from nyc_taxi.error_lines import first_line
from nyc_taxi.mage.fixes.editor_secrets import masked
from nyc_taxi.mage.fixes.guard import MageFix, Target
from nyc_taxi.resources.io_config import is_unset


def _setting(value: Any) -> Any:
    return None if is_unset(value) else value


def keep_channels_with_settings(config: Any) -> Any:
    """The NotificationConfig without the channels whose settings are empty, 'None' read as unset."""
    if config.slack_config is not None and _setting(config.slack_config.webhook_url) is None:
        config.slack_config = None
    email = config.email_config
    if email is not None:
        email.to_emails = [address for address in (email.to_emails or []) if _setting(address) is not None]
        if _setting(email.smtp_host) is None or not email.to_emails:
            config.email_config = None
        else:
            email.smtp_user = _setting(email.smtp_user)
            email.smtp_password = _setting(email.smtp_password)
            email.smtp_port = int(_setting(email.smtp_port) or 587)
    return config


def failed_blocks_with_errors(pipeline_run: Any) -> str | None:
    """'load_taxi_data_api: <the first line of its error>' for each failed block of the run, or None."""
    failures = []
    for block_run in pipeline_run.failed_block_runs:
        error = str(((block_run.metrics or {}).get('error') or {}).get('error') or '').strip()
        error_line = error.splitlines()[0] if error else 'no error recorded'
        failures.append(f'{block_run.block_uuid}: {error_line}')
    return '; '.join(failures) or None


ALERT_TIMEOUT_S = 15


def _not_sent(channel: str, where: str, error: BaseException) -> None:
    print(f'Alert not sent by {channel} to {where} (within {ALERT_TIMEOUT_S} s): {type(error).__name__}: '
          f'{first_line(error)}', file=sys.stderr, flush=True)


def send_email_within_timeout(config: Any, subject: str | None = None, message: str | None = None,
                              verbose: bool = True) -> None:
    """Mage's send_email, with a timeout on every step of the SMTP conversation; a failure logged in a line."""
    if subject is None or message is None:
        return
    email = EmailMessage()
    email['Subject'], email['From'], email['To'] = subject, config.smtp_mail_from, ', '.join(config.to_emails)
    email.set_content(message)
    try:
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=ALERT_TIMEOUT_S) as server:
            if config.smtp_user and config.smtp_password:
                server.starttls()
                server.login(config.smtp_user, config.smtp_password)
            server.send_message(email)
    except (OSError, smtplib.SMTPException) as error:
        _not_sent('email', f'SMTP host {config.smtp_host}:{config.smtp_port} (ALERT_SMTP_HOST)', error)


def send_slack_message_within_timeout(config: Any, message: str, title: str | None = None) -> None:
    """Mage's send_slack_message (the same payload), with a timeout; a failure logged in a line."""
    payload = {'blocks': [{'type': 'header', 'text': {'type': 'plain_text', 'text': title or 'Mage Notification'}},
                          {'type': 'divider'},
                          {'type': 'section', 'text': {'type': 'mrkdwn', 'text': message.replace('\\n', '\n')}}]}
    try:
        requests.post(config.webhook_url, json=payload, timeout=ALERT_TIMEOUT_S).raise_for_status()
    except requests.RequestException as error:
        _not_sent('webhook', f'host {urlsplit(config.webhook_url).netloc} (ALERT_SLACK_WEBHOOK_URL)', error)


def _record_block_errors() -> None:
    from mage_ai.data_preparation.executors.block_executor import BlockExecutor
    from mage_ai.orchestration.db.models.schedules import BlockRun

    mages_update = BlockExecutor._BlockExecutor__update_block_run_status

    def update_block_run_status(self: Any, status: Any, block_run_id: int | None = None, *args: Any,
                                error_details: dict | None = None, **kwargs: Any) -> None:
        mages_update(self, status, block_run_id, *args, error_details=error_details, **kwargs)
        if status == BlockRun.BlockRunStatus.FAILED and block_run_id and error_details:
            block_run = BlockRun.query.get(block_run_id)
            if block_run is not None:
                block_run.update(metrics={**(block_run.metrics or {}),
                                          'error': {'error': str(error_details.get('error'))}})

    BlockExecutor._BlockExecutor__update_block_run_status = update_block_run_status


def install() -> None:
    """Installs the fix into Mage's NotificationSender; call before Mage starts its scheduler."""
    from mage_ai.orchestration.notification.sender import NotificationSender

    from mage_ai.orchestration.notification import sender

    _record_block_errors()
    sender.send_email = send_email_within_timeout
    sender.send_slack_message = send_slack_message_within_timeout
    mages_init, mages_send = NotificationSender.__init__, NotificationSender.send
    mages_failure_message = NotificationSender.send_pipeline_run_failure_message

    def __init__(self: Any, config: Any) -> None:
        mages_init(self, keep_channels_with_settings(config))

    def send(self: Any, title: str | None = None, summary: str | None = None, details: str | None = None) -> None:
        # Off the scheduler's tick: the next tick starts the other runs whatever the channels do meanwhile. Not a
        # daemon: a process on its way out (a run's worker) still sends, within the channels' timeouts.
        threading.Thread(target=mages_send, name='alert', args=(self,),
                         kwargs={'title': masked(title), 'summary': masked(summary), 'details': masked(details)}
                         ).start()

    def send_pipeline_run_failure_message(self: Any, pipeline: Any, pipeline_run: Any, error: str | None = None,
                                          stacktrace: str | None = None, summary: str | None = None) -> None:
        if summary is None and pipeline_run is not None:
            error = failed_blocks_with_errors(pipeline_run) or error
        mages_failure_message(self, pipeline, pipeline_run, error=error, stacktrace=stacktrace, summary=summary)

    NotificationSender.__init__ = __init__
    NotificationSender.send = send
    NotificationSender.send_pipeline_run_failure_message = send_pipeline_run_failure_message


_SENDER = 'mage_ai.orchestration.notification.sender'
FIX = MageFix(
    name='alerts',
    bug="a failed one-process run's alert names the block but not its error, and an empty channel is still used",
    applies_to="the alerts of every pipeline (the project's notification_config); runs are unchanged",
    targets=(Target(_SENDER, 'NotificationSender.__init__', ('self', 'config')),
             Target(_SENDER, 'send_email', ('config', 'subject', 'message', 'verbose')),
             Target(_SENDER, 'send_slack_message', ('config', 'message', 'title')),
             Target(_SENDER, 'NotificationSender.send', ('self', 'title', 'summary', 'details')),
             Target(_SENDER, 'NotificationSender.send_pipeline_run_failure_message',
                    ('self', 'pipeline', 'pipeline_run', 'error', 'stacktrace', 'summary')),
             Target('mage_ai.data_preparation.executors.block_executor',
                    'BlockExecutor._BlockExecutor__update_block_run_status',
                    ('self', 'status', 'block_run_id', 'callback_url', 'error_details', 'pipeline_run', 'tags'))),
    install=install,
)
