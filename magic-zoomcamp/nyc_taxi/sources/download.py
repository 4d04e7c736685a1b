"""Fetching a trip file over HTTP into a local file, with retries and honest errors; asking a file's version."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import NamedTuple

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from nyc_taxi.logs import RunLogger
from nyc_taxi.sources.server_listing import listing_hint
from nyc_taxi.sources.source_version import SourceVersion

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
READ_TIMEOUT_S = 60
RETRYABLE_STATUS = (429, 500, 502, 503, 504)
CHUNK_BYTES = 1 << 20


class DownloadError(RuntimeError):
    """The source could not deliver the file; the message names the URL and what to check."""


class Downloaded(NamedTuple):
    size: int
    version: SourceVersion


def http_session(retries: int = 5, backoff_s: float = 0.5) -> requests.Session:
    """A session that retries connection errors and 429/5xx answers with exponential backoff."""
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_s,
        status_forcelist=RETRYABLE_STATUS,
        allowed_methods=frozenset({'GET', 'HEAD'}),
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount('http://', HTTPAdapter(max_retries=retry))
    session.mount('https://', HTTPAdapter(max_retries=retry))
    return session


def download(
    url: str,
    destination: Path,
    session: requests.Session | None = None,
    attempts: int = 3,
    backoff_s: float = 1.0,
    logger: RunLogger | None = None,
    missing_hint: str = 'Check the taxi_type/year/month variables and TAXI_DATA_BASE_URL.',
) -> Downloaded:
    """Writes the body at `url` to `destination`; returns its size in bytes and the version the server sent.

    `missing_hint` ends the error for a file the server does not have: what to check.
    Status retries happen inside the session; a body cut off mid-transfer (which urllib3 does not
    retry) starts the download again, up to `attempts` times. The file is complete when this returns.
    """
    session = session or http_session()
    logger = logger or log
    for attempt in range(1, attempts + 1):
        try:
            return _download_once(url, destination, session, logger, missing_hint)
        except (requests.ConnectionError, requests.Timeout, urllib3.exceptions.HTTPError,
                _IncompleteBody) as error:
            if attempt == attempts:
                raise DownloadError(f'Could not download {url} after {attempts} attempts: {error}') from error
            logger.warning('Download of %s failed (%s); attempt %d of %d', url, error, attempt + 1, attempts)
            time.sleep(backoff_s * 2 ** (attempt - 1))
    raise AssertionError('unreachable')


class _IncompleteBody(Exception):
    pass


def _download_once(url: str, destination: Path, session: requests.Session,
                   logger: RunLogger, missing_hint: str) -> Downloaded:
    with session.get(url, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)) as response:
        if response.status_code == 404:
            listed = listing_hint(url, session)
            raise DownloadError(f'{url} answered 404 Not Found: there is no such file. '
                                + (f'{listed} ' if listed else '') + missing_hint)
        if response.status_code == 403:
            # S3 behind CloudFront (the TLC's host) answers 403, not 404, for a file it does not have.
            raise DownloadError(f'{url} answered 403 Forbidden, which S3/CloudFront answer for a file that does '
                                f'not exist. {missing_hint}')
        if response.status_code >= 400:
            raise DownloadError(f'{url} answered {response.status_code} {response.reason}')
        expected = int(response.headers.get('Content-Length') or 0) or None
        received = 0
        next_report = 0.0
        with open(destination, 'wb') as out:
            # decode_content=False keeps the gzip bytes as they are when a server sets Content-Encoding.
            for chunk in response.raw.stream(CHUNK_BYTES, decode_content=False):
                out.write(chunk)
                received += len(chunk)
                if received >= next_report:
                    logger.info('Downloading %s: %s', url, _progress(received, expected))
                    next_report = received + 16 * CHUNK_BYTES
        if expected is not None and received != expected:
            raise _IncompleteBody(f'received {received} of {expected} bytes')
        logger.info('Downloaded %s: %s', url, _progress(received, expected))
        return Downloaded(received, SourceVersion.from_headers(url, response.headers))


def probe(url: str, session: requests.Session | None = None) -> SourceVersion | None:
    """The version of the file at `url`, from a HEAD request (a GET whose body is not read where the server has
    no HEAD), or None when the server does not have it (404, or S3/CloudFront's 403)."""
    session = session or http_session()
    response = session.head(url, allow_redirects=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
    if response.status_code in (405, 501):
        with session.get(url, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)) as response:
            return _version_of(url, response)
    return _version_of(url, response)


def _version_of(url: str, response: requests.Response) -> SourceVersion | None:
    if response.status_code in (403, 404):
        return None
    if response.status_code >= 400:
        raise DownloadError(f'Asking {url} for its version answered {response.status_code} {response.reason}')
    return SourceVersion.from_headers(url, response.headers)


def _progress(received: int, expected: int | None) -> str:
    if expected:
        return f'{received / 1e6:.1f} / {expected / 1e6:.1f} MB ({100 * received / expected:.0f}%)'
    return f'{received / 1e6:.1f} MB'
