"""The downloader against a real local HTTP server that fails the way sources do."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from nyc_taxi.sources.download import DownloadError, download, http_session, probe

BODY = bytes(range(256)) * 4096  # 1 MiB


class FlakySource(BaseHTTPRequestHandler):
    """/fail-N-then-ok answers 503 N times, /drop cuts the body once, /drop-always always, /gone and *.csv.gz 404;
    anything else (a folder too) is a 200 of bytes."""
    hits: dict[str, int] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        count = self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == '/gone' or self.path.endswith('.csv.gz'):
            self.send_error(404)
        elif self.path.startswith('/fail-') and count <= int(self.path.split('-')[1]):
            self.send_error(503)
        elif self.path == '/drop-always' or (self.path == '/drop' and count == 1):
            self.send_response(200)
            self.send_header('Content-Length', str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[: len(BODY) // 3])
            self.close_connection = True
        else:
            self.send_response(200)
            self.send_header('Content-Length', str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def source() -> Iterator[str]:
    FlakySource.hits = {}
    server = ThreadingHTTPServer(('127.0.0.1', 0), FlakySource)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def test_503_twice_then_200_succeeds(source, tmp_path):
    size, _ = download(f'{source}/fail-2-then-ok', tmp_path / 'f', session=http_session(backoff_s=0.01))
    assert size == len(BODY) and (tmp_path / 'f').read_bytes() == BODY
    assert FlakySource.hits['/fail-2-then-ok'] == 3


def test_503_forever_fails_naming_the_url(source, tmp_path):
    with pytest.raises(DownloadError, match=f'{source}/fail-99-then-ok answered 503'):
        download(f'{source}/fail-99-then-ok', tmp_path / 'f', session=http_session(retries=2, backoff_s=0.01))


def test_connection_dropped_mid_body_is_downloaded_again(source, tmp_path):
    assert download(f'{source}/drop', tmp_path / 'f', backoff_s=0.01).size == len(BODY)
    assert (tmp_path / 'f').read_bytes() == BODY


def test_connection_dropped_every_time_fails_cleanly(source, tmp_path):
    with pytest.raises(DownloadError, match='after 3 attempts'):
        download(f'{source}/drop-always', tmp_path / 'f', backoff_s=0.01)


def test_404_says_what_to_check(source, tmp_path):
    with pytest.raises(DownloadError, match='404 Not Found.*TAXI_DATA_BASE_URL'):
        download(f'{source}/gone', tmp_path / 'f')


def test_404_from_a_server_that_lists_its_folders_names_the_months_it_holds(file_server, trip_data_dir, tmp_path):
    """As `make up` serves the sample months: python -m http.server, which lists a folder's files."""
    held = sorted(path.name[len('yellow_tripdata_'):][:7] for path in (trip_data_dir / 'yellow').iterdir()
                  if path.name.startswith('yellow_tripdata_'))
    with pytest.raises(DownloadError) as raised:
        download(f'{file_server}/yellow/yellow_tripdata_2015-06.csv.gz', tmp_path / 'f')
    message = str(raised.value)
    assert f'This server lists {len(held)} such month' in message and f'{file_server}/yellow/' in message
    assert held[0] in message and held[-1] in message, message


def test_404_from_a_server_that_lists_nothing_keeps_the_general_hint(source, tmp_path):
    with pytest.raises(DownloadError) as raised:
        download(f'{source}/yellow_tripdata_2015-06.csv.gz', tmp_path / 'f')
    assert 'This server lists' not in str(raised.value)


def test_a_files_version_asked_by_head_is_the_version_its_download_sends(file_server, trip_data_dir, tmp_path):
    """The local file server (python's http.server), as the TLC's CloudFront: HEAD answers with the validators."""
    url = f'{file_server}/yellow/yellow_tripdata_2021-01.csv.gz'
    asked = probe(url)
    _, downloaded = download(url, tmp_path / 'f')
    assert asked == downloaded and asked.last_modified and asked.content_length == (tmp_path / 'f').stat().st_size
    assert asked.same_file(downloaded)
    assert probe(f'{file_server}/yellow/yellow_tripdata_2015-06.csv.gz') is None


class NoHeadSource(BaseHTTPRequestHandler):
    """A server without HEAD (501)."""

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_error(501)

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header('Content-Length', str(len(BODY)))
        self.send_header('ETag', '"v1"')
        self.end_headers()
        try:
            self.wfile.write(BODY)
        except OSError:  # the client closed it unread
            pass

    def log_message(self, *args) -> None:
        pass


def test_a_server_without_head_is_asked_by_a_get_whose_body_is_left(tmp_path):
    server = ThreadingHTTPServer(('127.0.0.1', 0), NoHeadSource)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        version = probe(f'http://127.0.0.1:{server.server_address[1]}/file')
    finally:
        server.shutdown()
        server.server_close()
    assert (version.etag, version.content_length) == ('"v1"', len(BODY))
