import pytest

from nyc_taxi.targets.bigquery import BigQueryError, BigQuerySettings, table_schema
from nyc_taxi.resources.gcs import GcsError, GcsSettings
from nyc_taxi.model.schema import schema_for


def test_gcs_settings_treat_mages_none_as_unset():
    settings = GcsSettings.from_io_config({'GCS_BUCKET': 'b', 'GOOGLE_SERVICE_ACC_KEY_FILEPATH': 'None',
                                           'STORAGE_EMULATOR_HOST': 'None', 'GCS_RETRY_SECONDS': 'None'})
    assert (settings.bucket, settings.key_file, settings.emulator_host, settings.retry_seconds) == ('b', None, None, 60)


def test_gcs_settings_name_what_is_missing(tmp_path):
    with pytest.raises(GcsError, match='GCS_BUCKET'):
        GcsSettings.from_io_config({'GCS_BUCKET': 'None'})
    with pytest.raises(GcsError, match='GOOGLE_SERVICE_ACC_KEY_FILEPATH points at .*missing.json'):
        GcsSettings.from_io_config({'GCS_BUCKET': 'b', 'GOOGLE_SERVICE_ACC_KEY_FILEPATH': str(tmp_path / 'missing.json')})


def test_bigquery_settings_validate_dataset_and_name_missing_values():
    settings = BigQuerySettings.from_io_config({'GCP_PROJECT_ID': 'p', 'BQ_DATASET': 'nyc_taxi', 'GOOGLE_LOCATION': 'EU',
                                                'BIGQUERY_EMULATOR_HOST': 'None'})
    assert (settings.project, settings.dataset, settings.location, settings.emulator_host) == ('p', 'nyc_taxi', 'EU', None)
    with pytest.raises(BigQueryError, match='GCP_PROJECT_ID, BQ_DATASET'):
        BigQuerySettings.from_io_config({'GCP_PROJECT_ID': 'None', 'BQ_DATASET': ''})
    with pytest.raises(ValueError, match='BQ_DATASET must match'):
        BigQuerySettings.from_io_config({'GCP_PROJECT_ID': 'p', 'BQ_DATASET': 'x`; DROP TABLE y'})


def test_bigquery_schema_declares_every_clean_column():
    fields = table_schema(schema_for('green'))
    assert [field.name for field in fields] == list(schema_for('green').clean_columns)
    assert {field.name: field.field_type for field in fields}['lpep_pickup_date'] == 'DATE'
