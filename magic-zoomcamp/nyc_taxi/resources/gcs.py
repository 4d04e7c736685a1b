"""The Google Cloud Storage target: settings from the io_config profile and the filesystem to write with.

Three configurations, one code path: STORAGE_EMULATOR_HOST set (a local emulator, anonymous), a
service-account key file (GOOGLE_SERVICE_ACC_KEY_FILEPATH), or neither (Application Default
Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud login, or the metadata server on GCP). GCS_ENDPOINT, set
only for an endpoint of its own (a Private Service Connect name, a proxy), is where the credentialed requests go.

The credentials are the storage client's own (google-cloud-cpp's, inside pyarrow): it reads the key file and
makes a new token before each one expires, so a block that writes for longer than a token lives (an hour on
Google Cloud; a long fhvhv upload on a slow link) keeps writing. One token handed to pyarrow, as before, was
never renewed, and the upload failed half-way.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlparse

import pyarrow.fs as pafs
from pydantic import BaseModel

from nyc_taxi.resources.io_config import is_unset

DEFAULT_GOOGLE_PROFILE = 'default'
# The storage client reads its credentials from the process's environment as it is made.
_CREDENTIALS_SETTING = 'GOOGLE_APPLICATION_CREDENTIALS'
_credentials_setting = threading.Lock()


class GcsError(RuntimeError):
    """Storage refused or could not be reached; the message names bucket, key and setting."""


class GcsSettings(BaseModel):
    bucket: str
    key_file: Path | None = None
    emulator_host: str | None = None
    endpoint: str | None = None
    retry_seconds: float = 60

    @classmethod
    def from_io_config(cls, config: Mapping[str, Any], profile: str = DEFAULT_GOOGLE_PROFILE) -> 'GcsSettings':
        if is_unset(config.get('GCS_BUCKET')):
            raise GcsError(f'io_config.yaml profile {profile!r} has no value for GCS_BUCKET: set the environment '
                           'variable GCS_BUCKET to the bucket to write to')
        values: dict[str, Any] = {'bucket': str(config['GCS_BUCKET']).strip()}
        for key, field in (('GOOGLE_SERVICE_ACC_KEY_FILEPATH', 'key_file'),
                           ('STORAGE_EMULATOR_HOST', 'emulator_host'),
                           ('GCS_ENDPOINT', 'endpoint'),
                           ('GCS_RETRY_SECONDS', 'retry_seconds')):
            if not is_unset(config.get(key)):
                values[field] = config[key]
        settings = cls(**values)
        if settings.key_file is not None and not settings.key_file.is_file():
            raise GcsError(f'GOOGLE_SERVICE_ACC_KEY_FILEPATH points at {settings.key_file}, which is not a file')
        return settings

    def describe(self) -> str:
        where = f'emulator {self.emulator_host}' if self.emulator_host else 'Google Cloud Storage'
        return f'gs://{self.bucket} on {where}'

    def filesystem(self) -> pafs.GcsFileSystem:
        retry = timedelta(seconds=self.retry_seconds)
        if self.emulator_host:
            return pafs.GcsFileSystem(anonymous=True, retry_time_limit=retry, **_endpoint_options(self.emulator_host, 'http'))
        endpoint = _endpoint_options(self.endpoint) if self.endpoint else {}
        if self.key_file is not None:
            with _application_credentials(self.key_file):
                return pafs.GcsFileSystem(retry_time_limit=retry, **endpoint)
        return pafs.GcsFileSystem(retry_time_limit=retry, **endpoint)

    def check_bucket(self, filesystem: pafs.FileSystem, target: str) -> None:
        """Fails naming the bucket and `target` (what was to be written) when the bucket is missing or
        storage cannot be reached, before anything is written."""
        try:
            info = filesystem.get_file_info(self.bucket)
        except OSError as error:
            raise GcsError(f'Cannot reach {self.describe()} to write gs://{self.bucket}/{target} (check '
                           f'STORAGE_EMULATOR_HOST or the credentials): {error}') from error
        if info.type == pafs.FileType.NotFound:
            raise GcsError(f'Bucket {self.bucket} does not exist on {self.describe()}, so gs://{self.bucket}/{target} '
                           'cannot be written: create the bucket, or set GCS_BUCKET')


def _endpoint_options(endpoint: str, scheme: str = 'https') -> dict[str, str]:
    parsed = urlparse(endpoint if '://' in endpoint else f'{scheme}://{endpoint}')
    return {'scheme': parsed.scheme, 'endpoint_override': parsed.netloc}


@contextmanager
def _application_credentials(key_file: Path) -> Iterator[None]:
    """The process's GOOGLE_APPLICATION_CREDENTIALS set to `key_file` while a storage client is made, then as
    it was: the client keeps the key and renews its tokens from it."""
    with _credentials_setting:
        before = os.environ.get(_CREDENTIALS_SETTING)
        os.environ[_CREDENTIALS_SETTING] = str(key_file)
        try:
            yield
        finally:
            if before is None:
                del os.environ[_CREDENTIALS_SETTING]
            else:
                os.environ[_CREDENTIALS_SETTING] = before


def open_bucket(config: Mapping[str, Any], target: str, profile: str = DEFAULT_GOOGLE_PROFILE
                ) -> tuple[GcsSettings, pafs.GcsFileSystem]:
    """Settings and filesystem for the profile's bucket, after checking the bucket is there;
    `target` (a key or prefix) names what is about to be written, for the error message."""
    settings = GcsSettings.from_io_config(config, profile)
    filesystem = settings.filesystem()
    settings.check_bucket(filesystem, target)
    return settings, filesystem
