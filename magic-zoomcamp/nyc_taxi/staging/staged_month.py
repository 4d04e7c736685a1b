"""A month through the pipelines as a stream of record batches, staged on disk between blocks.

`stage_source_month` (the HTTP sources) writes what a loader reads into a stage's source file;
`clean_staged_month` streams that through the cleaning rules into another stage's clean file and
returns the per-date summary; `StagedTrips.batches` streams a staged file to a
writer. Memory stays at a few batches whatever the month's size.
"""
from __future__ import annotations

import logging
from contextlib import closing
from datetime import datetime
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import requests

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.sources.download import download
from nyc_taxi.logs import RunLogger
from nyc_taxi.model.month_summary import PICKUP_DATE, combine, summary_schema
from nyc_taxi.sources.month_source import MonthSource
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import TripFileSchema, schema_for, schema_of
from nyc_taxi.staging.stage import Stage
from nyc_taxi.staging.stage_files import stage_writer
from nyc_taxi.staging.staged_trips import StagedTrips
from nyc_taxi.staging.stream_sizes import StreamSizes, read_ahead
from nyc_taxi.model.transform import clean_batch

# Batches parsed (about 1 MB of CSV each) ahead of the one being written.
PARSED_AHEAD = 8
# Batches cleaned ahead of the one being written.
CLEANED_AHEAD = 1


def stage_source_month(request: MonthRequest, source: MonthSource, stage: Stage, staged_by: str,
                       session: requests.Session | None = None, logger: RunLogger | None = None,
                       sizes: StreamSizes | None = None) -> StagedTrips:
    """Downloads the month's file from `source` into the stage and parses it, a batch at a time, into the
    source file. The download is deleted once parsed. On any error the stage is removed and the error raised.
    """
    url = source.url(request)
    schema = schema_for(request.taxi_type)
    sizes = sizes or StreamSizes.from_env()
    with stage.removed_on_error():
        downloaded = stage.directory / source.file_name(request)
        size, version = download(url, downloaded, session=session, logger=logger,
                                 missing_hint=source.missing_file_hint())
        # Parsing (gunzip and CSV, or parquet decoding) runs ahead on a thread of its own while this one
        # writes the source file.
        with closing(read_ahead(source.batches(downloaded, schema, url, sizes.csv_block_bytes),
                                PARSED_AHEAD)) as parsed:
            staged = _write_staged(parsed, schema.staged_arrow_schema, schema, stage, sizes.rows_per_group)
        downloaded.unlink()
    result = StagedTrips(request.taxi_type, str(request), url, staged[0], size, staged[1], staged[2],
                         str(stage.source_file), staged_by, request=request, source_name=source.name,
                         version=version)
    (logger or logging.getLogger(__name__)).info('%s: %d rows from %s (%d bytes), staged in %s', request,
                                                 result.trips, url, size, stage.directory)
    return result


def clean_staged_month(source: StagedTrips, stage: Stage, staged_by: str, drop_missing_passengers: bool = False
                       ) -> tuple[pd.DataFrame, StagedTrips]:
    """Streams the staged source trips through the cleaning rules into the stage's clean file; returns the
    per-pickup-date summary and the clean trips (`staged_by`'s output). The source stays as it is."""
    schema = schema_of(source.schema().names)
    summaries = []
    rows = 0
    with stage.removed_on_error():
        # Reading and cleaning the next batch runs ahead on a thread of its own while this one writes.
        cleaned = read_ahead((clean_batch(batch, schema, drop_missing_passengers) for batch in source.batches()),
                             CLEANED_AHEAD)
        with closing(cleaned), stage_writer(stage.clean_file, clean_arrow_schema(schema)) as writer:
            for clean, summary in cleaned:
                writer.write_batch(clean)
                rows += clean.num_rows
                summaries.append(summary)
                if len(summaries) > 64:
                    summaries = [combine(summaries, schema.taxi_type)]
    return (summary_frame(combine(summaries, schema.taxi_type), schema),
            source.made_by(staged_by, stage.clean_file, rows))


def summary_frame(summary: pa.Table, schema: TripFileSchema) -> pd.DataFrame:
    """The summary as the transformer's output: never empty (a month without rows still has its one row)."""
    if summary.num_rows == 0:
        summary = pa.table({field.name: pa.array([None if field.name == PICKUP_DATE or pa.types.is_string(field.type)
                                                  else 0], field.type)
                            for field in summary_schema(schema.taxi_type)})
    frame = summary.to_pandas()
    frame.insert(0, 'taxi_type', schema.taxi_type)
    return frame


def _write_staged(batches: Iterator[pa.RecordBatch], arrow_schema: pa.Schema, schema: TripFileSchema,
                  stage: Stage, rows_per_group: int) -> tuple[int, datetime | None, datetime | None]:
    rows, first_pickup, last_pickup = 0, None, None
    with stage_writer(stage.source_file, arrow_schema) as writer:
        for table in _row_groups(batches, arrow_schema, rows_per_group):
            writer.write_table(table)
            rows += table.num_rows
            pickups = pc.min_max(table.column(schema.pickup_datetime))
            low, high = pickups['min'], pickups['max']
            if low.is_valid:
                first_pickup = min(filter(None, (first_pickup, low.as_py())))
                last_pickup = max(filter(None, (last_pickup, high.as_py())))
    return rows, first_pickup, last_pickup


def _row_groups(batches: Iterator[pa.RecordBatch], arrow_schema: pa.Schema, rows: int) -> Iterator[pa.Table]:
    """The batches gathered into tables of about `rows` rows: record batches of a useful size in the staged file."""
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for batch in batches:
        pending.append(batch)
        pending_rows += len(batch)
        if pending_rows >= rows:
            yield pa.Table.from_batches(pending, schema=arrow_schema).combine_chunks()
            pending, pending_rows = [], 0
    if pending:
        yield pa.Table.from_batches(pending, schema=arrow_schema).combine_chunks()
