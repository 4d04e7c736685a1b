"""The files a stage holds between blocks: Arrow IPC (`.arrow`), read and written a record batch at a time.

A staged month is written once and read once or twice, locally, by the next block: the format is chosen
for the CPU it costs, not for its size or for other readers. Measured on the 7.7M-row yellow month
(docs/performance.md): parquet as the clean file was (snappy, dictionaries) cost 4.2 s of CPU to write and
1.2 s to read, parquet as the source file was (LZ4, no dictionaries) 3.2 s and 0.9 s; Arrow IPC with LZ4
frames 1.9 s and 0.6 s, at about 1.1-1.6x the parquet files' size. Anything that leaves the machine
(the GCS objects, BigQuery's loads) is written as parquet by its exporter.

Reading is by `pa.OSFile`, not a memory map: a mapped file's pages would count in the process's memory.
A parquet file (a stage made by an earlier version, or a file of a user's own) is read as well.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

# LZ4 frames: ~2.6x smaller than uncompressed Arrow for 1 s more of CPU on a full-size month.
COMPRESSION = 'lz4'
SUFFIX = '.arrow'


def stage_writer(path: Path, schema: pa.Schema) -> pa.ipc.RecordBatchFileWriter:
    """A writer of record batches or tables into the staged file `path` (close it, or use it in `with`)."""
    return pa.ipc.new_file(str(path), schema, options=pa.ipc.IpcWriteOptions(compression=COMPRESSION))


def staged_batches(path: Path) -> Iterator[pa.RecordBatch]:
    """The file's record batches in order, one in memory at a time."""
    if _is_parquet(path):
        parquet = pq.ParquetFile(path)
        # A row group at a time: ParquetFile.iter_batches buffers far ahead (+230 MB on a 7.7M-row month).
        for index in range(parquet.num_row_groups):
            yield from parquet.read_row_group(index).to_batches()
        return
    with pa.OSFile(str(path)) as file:
        reader = pa.ipc.open_file(file)
        for index in range(reader.num_record_batches):
            yield reader.get_batch(index)


def staged_schema(path: Path) -> pa.Schema:
    if _is_parquet(path):
        return pq.read_schema(path)
    with pa.OSFile(str(path)) as file:
        return pa.ipc.open_file(file).schema


def staged_head(path: Path, rows: int) -> pa.Table:
    """The file's first `rows` rows (fewer if it has fewer), reading no more than the batch that holds them."""
    if _is_parquet(path):
        # Streamed from the file's first pages: reading the first row group whole costs ~40 MB more at full size.
        parquet = pq.ParquetFile(path, buffer_size=1 << 16, pre_buffer=False)
        first = next(parquet.iter_batches(batch_size=rows), None)
        return parquet.schema_arrow.empty_table() if first is None else pa.Table.from_batches([first])
    with pa.OSFile(str(path)) as file:
        reader = pa.ipc.open_file(file)
        if reader.num_record_batches == 0:
            return reader.schema.empty_table()
        return pa.Table.from_batches([reader.get_batch(0).slice(0, rows)])


def staged_column(path: Path, name: str) -> pa.ChunkedArray:
    """One column of the whole file, read a batch at a time."""
    if _is_parquet(path):
        return pq.read_table(path, columns=[name]).column(0)
    chunks = [batch.column(name) for batch in staged_batches(path)]
    return pa.chunked_array(chunks, type=staged_schema(path).field(name).type)


def _is_parquet(path: Path) -> bool:
    return Path(path).suffix == '.parquet'
