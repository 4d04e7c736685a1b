"""Arrow record batches into a PostgreSQL table by binary COPY: pgpq encodes them, psycopg2 sends them.

pgpq encodes a 7.4M-row month in 2.6 s of CPU where ADBC's PostgreSQL driver took 11.7 s (docs/performance.md),
and psycopg2 hands the bytes to libpq with the GIL released. The server's side, forming and inserting the rows,
then takes most of the time, on one core per connection: `copy_in_parallel` feeds one table over several.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Iterable, Iterator, Sequence

import pgpq
import psycopg2
import psycopg2.extensions
import pyarrow as pa

# What psycopg2 asks for at a time; the source answers with one encoded batch, whatever the size asked.
READ_BYTES = 1 << 20


class BatchesFailed(Exception):
    """Reading the batches raised (the exception's __cause__) mid-COPY, and the COPY was aborted."""


class _CopySource:
    """The file copy_expert reads: the COPY header, then each batch encoded, then the trailer.

    psycopg2 tells the server only the text of what read() raised and raises QueryCanceled itself: the
    exception is kept in `error` to be raised in its own name."""

    def __init__(self, batches: Iterable[pa.RecordBatch], arrow_schema: pa.Schema) -> None:
        self._batches: Iterator[pa.RecordBatch] = iter(batches)
        self._encoder = pgpq.ArrowToPostgresBinaryEncoder(arrow_schema)
        self._started = self._finished = False
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._next_chunk()
        except BaseException as error:
            self.error = error
            raise

    def _next_chunk(self) -> bytes:
        if not self._started:
            self._started = True
            return bytes(self._encoder.write_header())
        while not self._finished:
            batch = next(self._batches, None)
            if batch is None:
                self._finished = True
                return bytes(self._encoder.finish())
            # pgpq holds back a batch too small to send on its own: an empty read would end the COPY.
            encoded = self._encoder.write_batch(batch)
            if encoded:
                return bytes(encoded)
        return b''


def copy_batches(cursor: psycopg2.extensions.cursor, target: str, batches: Iterable[pa.RecordBatch],
                 arrow_schema: pa.Schema) -> int:
    """COPYs `batches` (of `arrow_schema`, whose names are columns of `target`, a quoted table name) into
    `target` in the cursor's transaction, one batch in memory at a time; returns the rows copied.

    Raises BatchesFailed from what reading a batch raised, psycopg2's error for what the server refused."""
    columns = ', '.join('"' + name.replace('"', '""') + '"' for name in arrow_schema.names)
    source = _CopySource(batches, arrow_schema)
    try:
        cursor.copy_expert(f'COPY {target} ({columns}) FROM STDIN WITH (FORMAT binary)', source, size=READ_BYTES)
    except psycopg2.Error:
        if source.error is not None:
            raise BatchesFailed(str(source.error)) from source.error
        raise
    return cursor.rowcount


class _StreamStopped(Exception):
    """Another COPY of the same batches failed: this one stops too."""


class _SharedBatches:
    """One stream of batches that several COPYs take turns to pull from, until the first of them fails."""

    def __init__(self, batches: Iterable[pa.RecordBatch]) -> None:
        self._batches = iter(batches)
        self._lock = threading.Lock()
        self.failed = False

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        while True:
            with self._lock:
                if self.failed:
                    raise _StreamStopped('another COPY of these batches failed')
                batch = next(self._batches, None)
            if batch is None:
                return
            yield batch


def copy_in_parallel(connections: Sequence[psycopg2.extensions.connection], target: str,
                     batches: Iterable[pa.RecordBatch], arrow_schema: pa.Schema) -> int:
    """copy_batches over each of `connections` at once, on a thread each, every batch going to whichever
    COPY asks first: the server inserts on as many cores. Each COPY stays in its connection's open
    transaction (the caller commits them, or rolls them back); returns the rows copied by all.

    The first failure stops the other COPYs and is raised (BatchesFailed, or psycopg2's error)."""
    shared = _SharedBatches(batches)

    def copy(connection: psycopg2.extensions.connection) -> int:
        try:
            with connection.cursor() as cursor:
                return copy_batches(cursor, target, shared, arrow_schema)
        except BaseException:
            shared.failed = True
            raise

    with ThreadPoolExecutor(max_workers=len(connections), thread_name_prefix='copy') as pool:
        futures = [pool.submit(copy, connection) for connection in connections]
        wait(futures)
    errors = [error for error in (future.exception() for future in futures) if error is not None]
    # The COPY that failed first is the one whose error is not that another one had.
    causes = [error for error in errors if not isinstance(error.__cause__, _StreamStopped)]
    if errors:
        raise (causes or errors)[0]
    return sum(future.result() for future in futures)
