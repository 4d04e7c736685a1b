"""Trips as a PostgreSQL binary COPY stream, encoded ahead of the connection in a background thread."""
from __future__ import annotations

import io
import queue
import threading
import pandas as pd
import pgpq

from nyc_taxi.arrow import clean_arrow_schema, clean_batches
from nyc_taxi.schema import TripFileSchema

ROWS_PER_BATCH = 100_000
BATCHES_AHEAD = 4  # bounds memory: at most this many encoded batches wait for the connection


class BinaryCopyStream(io.RawIOBase):
    """A file-like object for psycopg2's copy_expert(... FORMAT binary ...).

    A thread converts the frame to Arrow a slice at a time and encodes it with pgpq while the
    connection sends the previous slices, so conversion, encoding and the server's work overlap,
    and memory holds a few batches, never a second copy of the frame. An error in the thread is
    raised from read(), which aborts the COPY.
    """

    def __init__(self, trips: pd.DataFrame, schema: TripFileSchema) -> None:
        self._chunks: queue.Queue = queue.Queue(maxsize=BATCHES_AHEAD)
        self._current = b''
        self._offset = 0
        self._finished = False
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._encode, args=(trips, schema), daemon=True)
        self._worker.start()

    def _encode(self, trips: pd.DataFrame, schema: TripFileSchema) -> None:
        try:
            encoder = pgpq.ArrowToPostgresBinaryEncoder(clean_arrow_schema(schema))
            self._put(bytes(encoder.write_header()))
            for batch in clean_batches(trips, schema, ROWS_PER_BATCH):
                # pgpq buffers internally and returns nothing for some batches; an empty read
                # would end the COPY, so only non-empty chunks are handed on.
                if encoded := bytes(encoder.write_batch(batch)):
                    self._put(encoded)
            self._put(bytes(encoder.finish()))
            self._put(None)
        except BaseException as error:  # handed to the reading side, which raises it
            self._put(error)

    def _put(self, item: bytes | BaseException | None) -> None:
        while not self._stop.is_set():
            try:
                self._chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._offset >= len(self._current):
            if self._finished:
                return b''
            item = self._chunks.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                self._finished = True
                return b''
            self._current, self._offset = item, 0
        end = len(self._current) if size < 0 else self._offset + size
        out = self._current[self._offset:end]
        self._offset += len(out)
        return out

    def close(self) -> None:
        self._stop.set()
        super().close()

