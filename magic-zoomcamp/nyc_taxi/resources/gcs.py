"""The Google Cloud Storage target: settings from the io_config profile and the filesystem to write with.

Three configurations, one code path: STORAGE_EMULATOR_HOST set (a local emulator, anonymous), a
service-account key file (GOOGLE_SERVICE_ACC_KEY_FILEPATH), or neither (Application Default
Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud login, or the metadata server on GCP).
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlparse

import pyarrow.fs as pafs
from pydantic import BaseModel

from nyc_taxi.resources.io_config import is_unset

DEFAULT_GOOGLE_PROFILE = 'default'
READ_WRITE_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_write'


class GcsError(RuntimeError):
    """Storage refused or could not be reached; the message names bucket, key and setting."""


class GcsSettings(BaseModel):
    bucket: str
    key_file: Path | None = None
    emulator_host: str | None = None
    retry_seconds: float = 60

    @classmethod
    def from_io_config(cls, config: Mapping[str, Any], profile: str = DEFAULT_GOOGLE_PROFILE) -> 'GcsSettings':
        if is_unset(config.get('GCS_BUCKET')):
            raise GcsError(f'io_config.yaml profile {profile!r} has no value for GCS_BUCKET: set the environment '
                           'variable GCS_BUCKET to the bucket to write to')
        values: dict[str, Any] = {'bucket': str(config['GCS_BUCKET']).strip()}
        for key, field in (('GOOGLE_SERVICE_ACC_KEY_FILEPATH', 'key_file'),
                           ('STORAGE_EMULATOR_HOST', 'emulator_host'),
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
            endpoint = urlparse(self.emulator_host if '://' in self.emulator_host else f'http://{self.emulator_host}')
            return pafs.GcsFileSystem(anonymous=True, scheme=endpoint.scheme, endpoint_override=endpoint.netloc,
                                      retry_time_limit=retry)
        if self.key_file is not None:
            from google.auth.transport.requests import Request
            from google.oauth2 import service_account

            credentials = service_account.Credentials.from_service_account_file(
                str(self.key_file), scopes=[READ_WRITE_SCOPE])
            credentials.refresh(Request())
            return pafs.GcsFileSystem(access_token=credentials.token,
                                      credential_token_expiration=credentials.expiry, retry_time_limit=retry)
        return pafs.GcsFileSystem(retry_time_limit=retry)

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


def open_bucket(config: Mapping[str, Any], target: str, profile: str = DEFAULT_GOOGLE_PROFILE
                ) -> tuple[GcsSettings, pafs.GcsFileSystem]:
    """Settings and filesystem for the profile's bucket, after checking the bucket is there;
    `target` (a key or prefix) names what is about to be written, for the error message."""
    settings = GcsSettings.from_io_config(config, profile)
    filesystem = settings.filesystem()
    settings.check_bucket(filesystem, target)
    return settings, filesystem
