"""Editor output that shows the project's settings, while what may be a secret stays masked.

Mage 0.9.80 replaces, in everything the editor shows, the value of every environment variable of 8 or
more characters with asterisks (`mage_ai.shared.security.filter_out_env_var_values`), bar the values of
the few variables it whitelists (MAGE_DATA_DIR, HOME, ...). The settings this project reads are mostly
not secrets, and with the local stack's values `postgres`, `127.0.0.1`, `nyc_taxi` and the file server's
URL every log line read `... now in magic.yellow_taxi_trips on ********ql://********@*********:54320/********`,
and even `api_to_postgres` read `api_to_********`.

The fix adds the project's settings that hold no secret to Mage's whitelist. Every other variable
(passwords, the UI owner's login, anything else in the environment) stays masked as Mage masks it. As
in Mage, a whitelisted value is shown wherever it appears: a password equal to a shown setting (dev.env's
placeholder `postgres`, which is also its user, database and host) shows there too, so give the
database a password of your own (the local stack has one).
"""
from __future__ import annotations

# The project's settings (dev.env, .local/stack.env, docker-compose.yml) that are safe to show.
SHOWN_SETTINGS = frozenset({
    'PROJECT_NAME', 'POSTGRES_DBNAME', 'POSTGRES_SCHEMA', 'POSTGRES_USER', 'POSTGRES_HOST', 'POSTGRES_PORT',
    'POSTGRES_CONNECT_TIMEOUT', 'TAXI_DATA_BASE_URL', 'TLC_TRIP_DATA_URL', 'GOOGLE_LOCATION', 'GCS_BUCKET',
    'STORAGE_EMULATOR_HOST', 'GCS_RETRY_SECONDS', 'GCP_PROJECT_ID', 'BQ_DATASET', 'BIGQUERY_EMULATOR_HOST',
    'BQ_RETRY_SECONDS', 'GOOGLE_SERVICE_ACC_KEY_FILEPATH', 'GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_KEYS_DIR',
    'NYC_TAXI_CSV_BLOCK_BYTES', 'NYC_TAXI_ROWS_PER_GROUP', 'USER_CODE_PATH', 'STACK_DIR',
})


def show_settings_in_editor_output() -> None:
    """Installs the fix into Mage's masking (the server masks what the editor shows; call before it serves)."""
    from mage_ai.shared import security

    # filter_out_env_var_values reads the set each time it masks.
    security.WHITELISTED_ENV_VARS.update(SHOWN_SETTINGS)
