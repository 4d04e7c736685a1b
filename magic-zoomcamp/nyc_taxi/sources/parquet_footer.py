"""A parquet object's row count and Arrow schema, read from its footer by two ranged reads, without its data.

Measured on the 31 objects of a 7.7M-row month (~10 MB each, footers of ~0.6 MB with ~290 row groups):
`pq.ParquetFile` on a GCS input file, or `FileMetaData.schema` (the parquet schema's descriptors), grew
the process by ~150 MB that it kept; the two reads and the Arrow schema the writer stored in the footer
(`ARROW:schema`, which pyarrow writes) by ~13 MB.
"""
from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

MAGIC = b'PAR1'
ARROW_SCHEMA_KEY = b'ARROW:schema'


@dataclass(frozen=True)
class Footer:
    rows: int
    schema: pa.Schema


def read_footer(filesystem: pafs.FileSystem, path: str, size: int | None = None) -> Footer:
    """The object's rows and columns; pa.ArrowInvalid if it is not a parquet file."""
    with filesystem.open_input_file(path) as handle:
        size = handle.size() if size is None else size
        if size < 12:
            raise pa.ArrowInvalid(f'{size} bytes, too short for a parquet file')
        end = handle.read_at(8, size - 8)
        length = struct.unpack('<I', end[:4])[0]
        if end[4:] != MAGIC or length + 12 > size:
            raise pa.ArrowInvalid('no parquet footer at its end (the magic bytes PAR1 are missing)')
        footer = handle.read_at(length + 8, size - length - 8)
    # The footer alone, behind a leading magic: what the metadata parser needs to see of a file.
    metadata = pq.read_metadata(pa.BufferReader(MAGIC + footer))
    stored = (metadata.metadata or {}).get(ARROW_SCHEMA_KEY)
    if stored is None:  # not written by Arrow: the parquet schema, converted
        return Footer(metadata.num_rows, metadata.schema.to_arrow_schema())
    return Footer(metadata.num_rows, pa.ipc.read_schema(pa.py_buffer(base64.b64decode(stored))))
