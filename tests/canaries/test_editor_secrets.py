"""Canary of nyc_taxi/mage/fixes/editor_secrets.py: Mage masks, in what the editor shows, the folder a learner
came from (OLDPWD) and every setting of 8+ characters."""
from __future__ import annotations

from tests.canaries.scenario import fix_can_go, run_scenario

CAME_FROM = '/home/learner/zoomcamp'
ENVIRONMENT = {
    'OLDPWD': CAME_FROM, 'PWD': f'{CAME_FROM}/repo', 'TAXI_DATA_BASE_URL': 'http://127.0.0.1:8000/releases',
    'POSTGRES_PASSWORD': 'postgres-secret', 'POSTGRES_HOST': 'postgres-secret',
    'MAGE_DATABASE_CONNECTION_URL': 'postgresql+psycopg2://magic:hunter2hunter2@db:5432/mage_state',
    'ALERT_SLACK_WEBHOOK_URL': 'http://127.0.0.1:9/hooks/T000/B000/XXXXXXXX', 'DEFAULT_OWNER_PASSWORD': 'owner-pass-1',
}
SHOWN = f'{CAME_FROM}/repo/.venv/lib/python3.10/site-packages/pandas/core/frame.py:1 from http://127.0.0.1:8000/releases'
MASKED_VALUES = ('postgres-secret', 'hunter2hunter2', 'http://127.0.0.1:9/hooks/T000/B000/XXXXXXXX', 'owner-pass-1')


def what_the_editor_shows() -> dict:
    from mage_ai.shared.security import filter_out_env_var_values

    return {'path and URL shown': filter_out_env_var_values(SHOWN) == SHOWN,
            'secrets masked': [secret for secret in MASKED_VALUES if secret not in filter_out_env_var_values(
                ' '.join(MASKED_VALUES))]}


def test_stock_mage_masks_the_folder_a_learner_came_from_and_the_settings():
    result = run_scenario('editor_secrets', 'what_the_editor_shows', env=ENVIRONMENT)
    assert not result['path and URL shown'], fix_can_go('editor_secrets')


def test_fixed_folders_and_settings_are_shown_and_every_secret_masked_even_where_a_setting_has_its_value():
    result = run_scenario('editor_secrets', 'what_the_editor_shows', fixed=True, env=ENVIRONMENT)
    assert result == {'path and URL shown': True, 'secrets masked': list(MASKED_VALUES)}
