"""Credentials from a service-account key file renew their token: an upload that outlasts a token completes
(nyc_taxi/resources/gcs.py).

Google's side, played locally: the key file's token endpoint hands out tokens that live LIFETIME_S, and a
storage endpoint (GCS_ENDPOINT) in front of the GCS emulator answers 401 to a request whose token has expired, as
storage.googleapis.com does. The upload writes for several token lives, as a long fhvhv upload on a slow link
outlasts Google's hour. The storage client is told to ask the token endpoint (it would otherwise sign its own
tokens, an hour long, which no local server can shorten)."""
from __future__ import annotations

import http.client
import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pyarrow.fs as pafs
import pytest

from devstack.emulator_key import ensure_emulator_key
from nyc_taxi.resources.gcs import GcsSettings

pytestmark = pytest.mark.integration
LIFETIME_S = 2
CHUNK = 4 << 20
CHUNKS = 8
PAUSE_S = 1.0  # between chunks: the upload takes about 8 s, four token lives


class TokenCheckingStorage:
    """A token endpoint and a storage endpoint that accepts only its unexpired tokens, forwarding to the emulator."""

    def __init__(self, emulator: str) -> None:
        self.tokens: dict[str, float] = {}
        self.refused = 0
        self.accepted_tokens: set[str] = set()
        target = urlsplit(emulator)
        outer = self

        class Token(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers['Content-Length']))
                token = f'token-{len(outer.tokens) + 1}'
                outer.tokens[token] = time.monotonic() + LIFETIME_S
                _reply(self, 200, {'Content-Type': 'application/json'}, json.dumps(
                    {'access_token': token, 'expires_in': LIFETIME_S, 'token_type': 'Bearer'}).encode())

            def log_message(self, *args) -> None:
                pass

        class Storage(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                token = (self.headers.get('Authorization') or '').removeprefix('Bearer ')
                if outer.tokens.get(token, 0) < time.monotonic():
                    outer.refused += 1
                    _reply(self, 401, {'Content-Type': 'application/json'}, json.dumps({'error': {
                        'code': 401, 'message': 'Invalid Credentials'}}).encode())
                    return
                outer.accepted_tokens.add(token)
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() not in ('host', 'authorization', 'connection')}
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                answer = {name: value.replace(emulator, outer.storage_url)
                          for name, value in response.getheaders()
                          if name.lower() not in ('transfer-encoding', 'connection', 'content-length')}
                connection.close()
                _reply(self, response.status, answer, payload)

            do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815 (http.server's names)

            def log_message(self, *args) -> None:
                pass

        self.token_server = ThreadingHTTPServer(('127.0.0.1', 0), Token)
        self.storage_server = ThreadingHTTPServer(('127.0.0.1', 0), Storage)
        self.storage_url = f'http://127.0.0.1:{self.storage_server.server_address[1]}'
        self.token_url = f'http://127.0.0.1:{self.token_server.server_address[1]}/token'
        for server in (self.token_server, self.storage_server):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in (self.token_server, self.storage_server):
            server.shutdown()


def _reply(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header('Content-Length', str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def storage(gcs_emulator) -> Iterator[TokenCheckingStorage]:
    server = TokenCheckingStorage(gcs_emulator['STORAGE_EMULATOR_HOST'])
    yield server
    server.close()


@pytest.fixture
def key_file(tmp_path: Path, storage: TokenCheckingStorage) -> Path:
    path = ensure_emulator_key(tmp_path / 'key.json', 'local')
    key = json.loads(path.read_text())
    path.write_text(json.dumps({**key, 'token_uri': storage.token_url, 'universe_domain': 'googleapis.com'}))
    return path


def test_an_upload_that_outlasts_its_token_completes(storage, key_file, new_bucket, monkeypatch):
    monkeypatch.setenv('GOOGLE_CLOUD_CPP_EXPERIMENTAL_DISABLE_SELF_SIGNED_JWT', '1')
    bucket = new_bucket('credentials-renewed')
    settings = GcsSettings.from_io_config({'GCS_BUCKET': bucket, 'GOOGLE_SERVICE_ACC_KEY_FILEPATH': str(key_file),
                                           'GCS_ENDPOINT': storage.storage_url, 'GCS_RETRY_SECONDS': '5'})
    filesystem = settings.filesystem()
    started = time.monotonic()
    with filesystem.open_output_stream(f'{bucket}/long/upload.bin') as out:
        for index in range(CHUNKS):
            out.write(bytes([index]) * CHUNK)
            time.sleep(PAUSE_S)
    assert time.monotonic() - started > 3 * LIFETIME_S
    info = filesystem.get_file_info(f'{bucket}/long/upload.bin')
    assert info.size == CHUNKS * CHUNK
    assert len(storage.accepted_tokens) >= 3, storage.accepted_tokens  # renewed as it went


def test_the_storage_endpoint_refuses_an_expired_token(storage, new_bucket):
    """The endpoint above checks what the test relies on: a token past its life is refused."""
    bucket = new_bucket('credentials-expired')
    stale = 'token-stale'
    storage.tokens[stale] = time.monotonic() - 1
    filesystem = pafs.GcsFileSystem(access_token=stale, credential_token_expiration=datetime(2100, 1, 1),
                                    scheme='http', endpoint_override=urlsplit(storage.storage_url).netloc,
                                    retry_time_limit=timedelta(seconds=1))
    with pytest.raises(OSError, match='401|Invalid Credentials|PERMISSION|UNAUTHENTICATED'):
        filesystem.get_file_info(f'{bucket}/anything')
