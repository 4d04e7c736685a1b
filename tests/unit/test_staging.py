"""Staged months on disk: one directory per run, removed by its last reader or, once its run died, by the next run."""
import os
import subprocess
import sys

import pyarrow.parquet as pq

from nyc_taxi.sources.release_csv import read_trip_file, trip_batches
from nyc_taxi.model.schema import schema_for
from nyc_taxi.staging.staged_month import STAGED_FILE, clean_batches, clean_staged_month
from nyc_taxi.staging.stage import STAGING_DIR, new_stage, stage_of
from nyc_taxi.model.transform import TransformReport, clean_trips

YELLOW = schema_for('yellow')


def test_concurrent_runs_stage_apart_and_the_last_reader_removes_the_stage(tmp_path):
    first, second = new_stage(tmp_path, 'api_to_gcs', 'run-1'), new_stage(tmp_path, 'api_to_gcs', 'run-1')
    assert first.directory != second.directory and first.directory.parent == tmp_path / STAGING_DIR / 'api_to_gcs'
    first.expect_readers(['to_object', 'to_partitions'])
    assert not first.release('to_object') and first.directory.exists()
    assert first.release('to_partitions') and not first.directory.exists()
    assert second.directory.exists()


def test_a_stage_whose_process_died_goes_at_the_next_run_of_any_pipeline(tmp_path):
    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True)
    abandoned = new_stage(tmp_path, 'gcs_to_bigquery', 'run-7')
    (abandoned.directory / 'owner.pid').write_text(dead.stdout)
    (abandoned.directory / 'source.parquet').write_bytes(b'half a month')
    alive = new_stage(tmp_path, 'api_to_postgres', 'run-8')
    assert not abandoned.directory.exists() and alive.directory.exists()
    assert new_stage(tmp_path, 'api_to_postgres', 'run-9') and alive.directory.exists()  # ours: still running
    assert int((alive.directory / 'owner.pid').read_text()) == os.getpid()


def test_a_staged_month_cleans_to_the_whole_frame_path_and_summarizes_every_date(tmp_path, yellow_jan_file):
    stage = new_stage(tmp_path, 'api_to_postgres', 'manual')
    with pq.ParquetWriter(stage.source_file, YELLOW.staged_arrow_schema) as writer:
        for batch in trip_batches(yellow_jan_file, YELLOW, block_size=16 << 10):
            writer.write_batch(batch)
    summary = clean_staged_month(stage)
    whole, report = clean_trips(read_trip_file(yellow_jan_file, YELLOW), YELLOW)
    assert not stage.source_file.exists() and stage_of(summary[STAGED_FILE][0]) == stage
    assert TransformReport.of_summary(summary) == report
    assert sum(batch.num_rows for batch in clean_batches(summary[STAGED_FILE][0])) == len(whole)
    assert summary['pickup_date'].nunique() == whole['tpep_pickup_date'].nunique() == len(summary)


def test_a_month_without_rows_still_names_its_stage(tmp_path):
    stage = new_stage(tmp_path, 'api_to_postgres', 'manual')
    pq.ParquetWriter(stage.source_file, YELLOW.staged_arrow_schema).close()
    summary = clean_staged_month(stage)
    assert len(summary) == 1 and summary['trips'].sum() == 0 and summary[STAGED_FILE][0] == str(stage.clean_file)
