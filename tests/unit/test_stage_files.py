"""The staged files between blocks: Arrow IPC written and read a batch at a time, parquet read too."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nyc_taxi.staging.stage_files import stage_writer, staged_batches, staged_column, staged_head, staged_schema

SCHEMA = pa.schema([('trip', pa.int32()), ('fare', pa.float64()), ('flag', pa.string())])


def batches(count: int, rows: int) -> list[pa.RecordBatch]:
    return [pa.record_batch([pa.array(range(start, start + rows), pa.int32()),
                             pa.array([start * 0.5] * rows), pa.array(['Y', None] * (rows // 2))], schema=SCHEMA)
            for start in range(0, count * rows, rows)]


def test_a_staged_file_reads_back_batch_by_batch_as_written(tmp_path):
    path, written = tmp_path / 'clean.arrow', batches(5, 1000)
    with stage_writer(path, SCHEMA) as writer:
        for batch in written:
            writer.write_batch(batch)
    read = list(staged_batches(path))
    assert [batch.num_rows for batch in read] == [1000] * 5
    assert pa.Table.from_batches(read).equals(pa.Table.from_batches(written))
    assert staged_schema(path) == SCHEMA
    assert staged_column(path, 'trip').to_pylist() == list(range(5000))
    assert staged_head(path, 3).to_pydict() == {'trip': [0, 1, 2], 'fare': [0.0] * 3, 'flag': ['Y', None, 'Y']}
    assert staged_head(path, 5000).num_rows == 1000  # what the first batch holds: never the whole file


def test_an_empty_staged_file_has_its_schema_and_no_rows(tmp_path):
    path = tmp_path / 'source.arrow'
    stage_writer(path, SCHEMA).close()
    assert list(staged_batches(path)) == [] and staged_schema(path) == SCHEMA
    assert staged_head(path, 10).num_rows == 0 and staged_head(path, 10).schema == SCHEMA
    assert len(staged_column(path, 'fare')) == 0


def test_a_parquet_file_reads_the_same(tmp_path):
    path, written = tmp_path / 'made-earlier.parquet', pa.Table.from_batches(batches(3, 100))
    pq.write_table(written, path, row_group_size=100)
    assert pa.Table.from_batches(list(staged_batches(path))).equals(written)
    assert staged_schema(path) == SCHEMA and staged_column(path, 'trip').to_pylist() == list(range(300))
    assert staged_head(path, 2).num_rows == 2


def test_a_file_cut_short_is_an_error_not_fewer_rows(tmp_path):
    path = tmp_path / 'clean.arrow'
    with stage_writer(path, SCHEMA) as writer:
        for batch in batches(3, 1000):
            writer.write_batch(batch)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(pa.ArrowInvalid):
        list(staged_batches(path))
