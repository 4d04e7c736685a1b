"""The project's notification_config as Mage renders it from .env, and what the alert of a failed run says."""
from types import SimpleNamespace

import pytest

from devstack.paths import PROJECT_DIR
from nyc_taxi.mage.fixes.alerts import failed_blocks_with_errors, keep_channels_with_settings

ALERT_SETTINGS = ('ALERT_SLACK_WEBHOOK_URL', 'ALERT_SMTP_HOST', 'ALERT_SMTP_PORT', 'ALERT_SMTP_USER',
                  'ALERT_SMTP_PASSWORD', 'ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO')


def notification_config(monkeypatch, tmp_path, **settings):
    from mage_ai.data_preparation.repo_manager import RepoConfig
    from mage_ai.orchestration.notification.config import NotificationConfig

    monkeypatch.setenv('MAGE_DATA_DIR', str(tmp_path))
    for name in ALERT_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    rendered = RepoConfig(repo_path=str(PROJECT_DIR)).notification_config
    return keep_channels_with_settings(NotificationConfig.load(config=rendered))


@pytest.mark.parametrize('empty', [None, ''])
def test_unset_or_empty_settings_leave_every_channel_off(monkeypatch, tmp_path, empty):
    settings = {} if empty is None else {name: empty for name in ALERT_SETTINGS}
    config = notification_config(monkeypatch, tmp_path, **settings)
    assert config.slack_config is None and config.email_config is None
    assert config.alert_on == ['trigger_failure']


def test_each_channel_is_on_when_its_settings_are_set(monkeypatch, tmp_path):
    config = notification_config(monkeypatch, tmp_path, ALERT_SLACK_WEBHOOK_URL='https://hooks.example/T0/B0',
                                 ALERT_SMTP_HOST='smtp.example', ALERT_EMAIL_FROM='mage@example',
                                 ALERT_EMAIL_TO='a@example, b@example')
    assert config.slack_config.webhook_url == 'https://hooks.example/T0/B0'
    email = config.email_config
    assert (email.smtp_host, email.smtp_port, email.smtp_user, email.smtp_password) == ('smtp.example', 587, None, None)
    assert (email.smtp_mail_from, email.to_emails) == ('mage@example', ['a@example, b@example'])


def test_email_without_recipients_stays_off(monkeypatch, tmp_path):
    config = notification_config(monkeypatch, tmp_path, ALERT_SMTP_HOST='smtp.example', ALERT_SMTP_PORT='25')
    assert config.email_config is None


def test_the_error_of_each_failed_block_is_its_first_line():
    def block(uuid, error):
        return SimpleNamespace(block_uuid=uuid, metrics={'error': {'error': error}} if error else None)

    run = SimpleNamespace(failed_block_runs=[block('load_taxi_data_api', 'HTTP 404 for http://x/a.csv.gz\nmore')])
    assert failed_blocks_with_errors(run) == 'load_taxi_data_api: HTTP 404 for http://x/a.csv.gz'
    run = SimpleNamespace(failed_block_runs=[block('a', 'one'), block('b', None)])
    assert failed_blocks_with_errors(run) == 'a: one; b: no error recorded'
    assert failed_blocks_with_errors(SimpleNamespace(failed_block_runs=[])) is None
