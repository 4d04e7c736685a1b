"""How much of a month the streams move at once: a little memory against per-batch overhead.

The defaults keep a 7.7M-row month at about half a GB; smaller values trade speed for memory on a
small machine (and let the tests push their small files through many batches). `read_ahead` lets
one step of a stream (parsing, cleaning, reading a file) run a few batches ahead of the next
(writing a file, the binary COPY) on a second core.
"""
from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, TypeVar

T = TypeVar('T')

CSV_BLOCK_BYTES = 'NYC_TAXI_CSV_BLOCK_BYTES'
ROWS_PER_GROUP = 'NYC_TAXI_ROWS_PER_GROUP'
COPY_STREAMS = 'NYC_TAXI_COPY_STREAMS'


@dataclass(frozen=True)
class StreamSizes:
    # pyarrow's streaming CSV reader reads several blocks ahead on its threads: 1 MB blocks parse a
    # 7.7M-row month in 3.6 s at 160 MB, 16 MB blocks in 4.9 s at 680 MB.
    csv_block_bytes: int = 1 << 20
    # Rows per record batch in the staged files, and so per batch handed to each writer.
    rows_per_group: int = 100_000
    # Connections that COPY a month into Postgres at once: the server forms and inserts the rows on a core per
    # connection, which is most of a load's time (docs/performance.md).
    copy_streams: int = 2

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> StreamSizes:
        values = {}
        for field, variable in (('csv_block_bytes', CSV_BLOCK_BYTES), ('rows_per_group', ROWS_PER_GROUP),
                                ('copy_streams', COPY_STREAMS)):
            text = environ.get(variable)
            if text in (None, ''):
                continue
            try:
                values[field] = int(text)
            except ValueError:
                values[field] = 0
            if values[field] < 1:
                raise ValueError(f'{variable}={text!r} must be a whole number >= 1 (or unset for the default)')
        return cls(**values)


def read_ahead(items: Iterable[T], depth: int) -> Iterator[T]:
    """`items`, produced on a thread of their own up to `depth` ahead of the one being consumed.

    Arrow's parsing, compute and parquet code releases the GIL, so producing the next batch overlaps
    with consuming this one. Memory: `depth` items more. What producing an item raises is raised
    here, in its place in the stream, after the items before it. When the consumer stops early
    (closes this iterator, or raises), the producer stops at its next item and `items` is closed on
    its own thread.
    """
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                handoff.put(entry, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put((_ITEM, item)):
                    return
            put((_END, None))
        except BaseException as error:  # handed to the consumer, which raises it
            put((_ERROR, error))
        finally:
            close = getattr(iterator, 'close', None)
            if close is not None:
                close()

    producer = threading.Thread(target=produce, name='read-ahead', daemon=True)
    producer.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind is _ITEM:
                yield value
            elif kind is _END:
                return
            else:
                raise value
    finally:
        stop.set()
        producer.join()


_ITEM, _END, _ERROR = object(), object(), object()
