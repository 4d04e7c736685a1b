"""The checks of test_config: does the `default` io_config profile reach GCS and BigQuery?

GCS is checked through Mage's own GoogleCloudStorage class, the one Mage's "Google Cloud Storage" data
loader template uses (it works against the local emulator with the stack's key: devstack/emulator_key.py).
BigQuery is checked with the official client as the project's BigQuery blocks use it: Mage's BigQuery class
cannot reach an emulator (it needs Google's token server or a googleapis.com key, and its SQL blocks read
`__TABLES_SUMMARY__`, which the emulator lacks). Against real Google Cloud both check the real services.
"""
from __future__ import annotations

import os

import pandas as pd

from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE, GcsError, GcsSettings
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.targets.bigquery import BigQuerySettings


def check_gcs(repo_path: str) -> pd.DataFrame:
    """The bucket GCS_BUCKET names exists and answers, through Mage's GoogleCloudStorage; one row saying so."""
    from mage_ai.io.config import ConfigFileLoader
    from mage_ai.io.google_cloud_storage import GoogleCloudStorage

    settings = GcsSettings.from_io_config(load_profile(repo_path, DEFAULT_GOOGLE_PROFILE))  # names what is unset
    storage = GoogleCloudStorage.with_config(ConfigFileLoader(os.path.join(repo_path, 'io_config.yaml'),
                                                              DEFAULT_GOOGLE_PROFILE))
    bucket = storage.client.bucket(settings.bucket)
    if not bucket.exists():
        raise GcsError(f'Bucket {settings.bucket} does not exist on {settings.describe()}: create it, or set GCS_BUCKET')
    objects = sum(1 for _ in storage.client.list_blobs(settings.bucket, max_results=1000))
    return pd.DataFrame({'bucket': [f'gs://{settings.bucket}'], 'reached': [settings.describe()],
                         'objects_seen': [objects]})


def check_bigquery(repo_path: str) -> pd.DataFrame:
    """`SELECT 1` in the project GCP_PROJECT_ID names; one row with its answer."""
    settings = BigQuerySettings.from_io_config(load_profile(repo_path, DEFAULT_GOOGLE_PROFILE))
    rows = list(settings.client().query('SELECT 1 AS one', retry=settings.retry()).result())
    return pd.DataFrame({'project': [settings.project], 'reached': [settings.describe()], 'one': [rows[0]['one']]})
