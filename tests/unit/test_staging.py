"""Staged months on disk: a run's stages go with their last reader or, once the run died, at the next run; the
editor's stay until their block makes a new output."""
import os
import pickle
import subprocess
import sys

import pandas as pd
import pytest

from nyc_taxi.sources.release_csv import read_trip_file, trip_batches
from nyc_taxi.model.schema import schema_for
from nyc_taxi.staging.staged_month import clean_staged_month
from nyc_taxi.staging.stage import (EDITOR_STAGING_DIR, STAGING_DIR, keep_only_newest, new_editor_stage, new_stage,
                                    remove_abandoned)
from nyc_taxi.staging.stage_files import stage_writer
from nyc_taxi.staging.staged_trips import StagedTrips, StagedTripsGone, staged_trips_in
from nyc_taxi.model.transform import TransformReport, clean_trips

YELLOW = schema_for('yellow')


def staged_source(stage, yellow_jan_file) -> StagedTrips:
    rows = 0
    with stage_writer(stage.source_file, YELLOW.staged_arrow_schema) as writer:
        for batch in trip_batches(yellow_jan_file, YELLOW, block_size=16 << 10):
            writer.write_batch(batch)
            rows += batch.num_rows
    return StagedTrips('yellow', 'yellow 2021-01', 'http://files/yellow.csv.gz', rows, 1, None, None,
                       str(stage.source_file), 'load_taxi_data_api')


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
    (abandoned.directory / 'source.arrow').write_bytes(b'half a month')
    alive = new_stage(tmp_path, 'api_to_postgres', 'run-8')
    assert not abandoned.directory.exists() and alive.directory.exists()
    assert new_stage(tmp_path, 'api_to_postgres', 'run-9') and alive.directory.exists()  # ours: still running
    assert int((alive.directory / 'owner.pid').read_text()) == os.getpid()


def test_a_stage_another_run_is_making_is_never_swept_and_a_dead_makers_is(tmp_path):
    """Concurrent runs: one's sweep ran between another's mkdir and its owner file, and failed that run."""
    parent = tmp_path / STAGING_DIR / 'api_to_postgres'
    being_made = parent / '.making-x1'
    being_made.mkdir(parents=True)
    ownerless = parent / 'run-3-load_taxi_data_api-0a1b2c3d'
    ownerless.mkdir()
    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True)
    dead_maker = parent / '.making-x2'
    dead_maker.mkdir()
    (dead_maker / 'owner.pid').write_text(dead.stdout)
    assert sorted(remove_abandoned(tmp_path / STAGING_DIR)) == sorted([ownerless, dead_maker])
    assert being_made.exists()
    stage = new_stage(tmp_path, 'api_to_postgres', 'run-4-load_taxi_data_api')
    assert stage.directory.name.startswith('run-4-load_taxi_data_api-') and (stage.directory / 'owner.pid').exists()


def test_an_editor_output_stays_until_its_block_makes_a_new_one_and_no_run_removes_it(tmp_path):
    loader = new_editor_stage(tmp_path, 'api_to_postgres', 'load_taxi_data_api')
    transformer = new_editor_stage(tmp_path, 'api_to_postgres', 'transform_taxi_data')
    for stage in (loader, transformer):
        stage.source_file.write_bytes(b'trips')
        keep_only_newest(stage)
    assert remove_abandoned(tmp_path / STAGING_DIR) == [] and new_stage(tmp_path, 'api_to_postgres', 'run-1')
    assert loader.directory.exists() and transformer.directory.exists()  # no owner process: never "abandoned"

    again = new_editor_stage(tmp_path, 'api_to_postgres', 'load_taxi_data_api')
    assert loader.directory.exists()  # a run of the block that fails leaves its last output readable
    assert keep_only_newest(again) == [loader.directory]
    assert not loader.directory.exists() and again.directory.exists() and transformer.directory.exists()
    assert again.directory.parent == tmp_path / EDITOR_STAGING_DIR / 'api_to_postgres' / 'load_taxi_data_api'


def test_a_staged_month_cleans_to_the_whole_frame_path_and_summarizes_every_date(tmp_path, yellow_jan_file):
    source = staged_source(new_stage(tmp_path, 'api_to_postgres', 'manual-load'), yellow_jan_file)
    stage = new_stage(tmp_path, 'api_to_postgres', 'manual-transform')
    summary, clean = clean_staged_month(source, stage, 'transform_taxi_data')
    whole, report = clean_trips(read_trip_file(yellow_jan_file, YELLOW), YELLOW)
    assert os.path.exists(source.staged_file)  # its stage goes when its readers release it
    assert (clean.staged_file, clean.staged_by, clean.trips) == (str(stage.clean_file), 'transform_taxi_data', len(whole))
    assert TransformReport.of_summary(summary) == report
    assert sum(batch.num_rows for batch in clean.batches()) == len(whole)
    assert summary['pickup_date'].nunique() == whole['tpep_pickup_date'].nunique() == len(summary)
    pd.testing.assert_frame_equal(clean.preview(), whole.head(10).reset_index(drop=True), check_dtype=False)


def test_a_month_without_rows_still_has_a_summary_row(tmp_path):
    stage = new_stage(tmp_path, 'api_to_postgres', 'manual')
    stage_writer(stage.source_file, YELLOW.staged_arrow_schema).close()
    source = StagedTrips('yellow', 'yellow 2021-01', 'x', 0, 0, None, None, str(stage.source_file), 'load')
    summary, clean = clean_staged_month(source, new_stage(tmp_path, 'api_to_postgres', 'manual'), 'transform')
    assert len(summary) == 1 and summary['trips'].sum() == 0 and clean.trips == 0 and clean.preview().empty


def test_staged_trips_pickle_and_treated_as_a_frame_say_how_to_read_them(tmp_path, yellow_jan_file):
    trips = staged_source(new_stage(tmp_path, 'api_to_postgres', 'manual'), yellow_jan_file)
    assert pickle.loads(pickle.dumps(trips)) == trips  # Mage stores a block's outputs with joblib
    for misuse in (lambda: trips['passenger_count'], lambda: trips.columns, lambda: trips.head()):
        with pytest.raises((TypeError, AttributeError), match=r'not a DataFrame.*map_trips'):
            misuse()
    assert staged_trips_in([trips.preview(), trips], 'mine') is trips
    with pytest.raises(TypeError, match='Block mine reads staged trips'):
        staged_trips_in([trips.preview()], 'mine')


def test_trips_whose_file_is_gone_name_the_block_to_run_again(tmp_path, yellow_jan_file):
    trips = staged_source(new_stage(tmp_path, 'api_to_postgres', 'manual'), yellow_jan_file)
    os.remove(trips.staged_file)
    with pytest.raises(StagedTripsGone, match=r'Run load_taxi_data_api again, or .*Execute with all upstream blocks'):
        list(trips.batches())
