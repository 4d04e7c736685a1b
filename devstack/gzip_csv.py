"""A release-style CSV.gz written a chunk at a time: a bare header, no quotes, the same bytes for the same rows."""
from __future__ import annotations

import gzip
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.csv as pacsv


def write_csv_gz(path: Path, header: str, tables: Iterable[pa.Table]) -> Path:
    """Writes `header`, then each table's rows (text columns; nulls as empty fields), into one gzip stream."""
    # No file name and no time in the gzip header, so that equal contents give equal bytes.
    with open(path, 'wb') as raw, gzip.GzipFile(filename='', mode='wb', fileobj=raw, mtime=0,
                                                   compresslevel=6) as compressed:
        compressed.write((header + '\n').encode())
        # Arrow quotes the header it writes; the release's header is bare, so it is written above.
        options = pacsv.WriteOptions(include_header=False, quoting_style='none')
        writer = None
        for table in tables:
            writer = writer or pacsv.CSVWriter(compressed, table.schema, write_options=options)
            writer.write_table(table)
        if writer:
            writer.close()
    return path
