"""High-volume FHV trips through the real pipelines: a TLC month in every target, one table holding both
layouts, a monthly backfill through Mage's Backfill model, and bad files that leave every target unchanged."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from devstack.emulators import LOCAL_PROJECT
from devstack.sample_tlc_parquet import tlc_parquet_path
from nyc_taxi.sources.gcs_partitions import read_date_range
from tests.conftest import FHVHV_RELEASE_2021_01, SAMPLE_ROWS, TLC_FHVHV_2021, TLC_FHVHV_2023_01
from tests.integration.expected import month_vars
from tests.integration.bigquery_equivalence import arrow_path_trips, bigquery_trips, fingerprint
from tests.integration.pg import month_fingerprint, query

pytestmark = pytest.mark.integration
BUCKET = 'fhvhv'
JUNE_2021 = TLC_FHVHV_2021[-1]
# Columns a TLC month of 2019-2021 leaves empty (airport_fee typed null, SR_Flag only in the release's CSV).
EMPTY_IN_TLC_2021 = ('airport_fee', 'sr_flag', 'cbd_congestion_fee')


@pytest.fixture(scope='module')
def bucket(new_bucket) -> str:
    return new_bucket(BUCKET)


def source_nulls(trip_data_dir: Path, month) -> tuple[int, int, int]:
    """Rows, rows without on_scene_datetime and without originating_base_num, read from the parquet file."""
    table = pq.read_table(tlc_parquet_path(trip_data_dir, month))
    return table.num_rows, table.column('on_scene_datetime').null_count, table.column('originating_base_num').null_count


def test_a_tlc_month_reaches_every_target_once_with_its_empty_columns(mage_run, db, bucket, gcs_filesystem, bq,
                                                                     trip_data_dir):
    rows, no_on_scene, no_origin = source_nulls(trip_data_dir, JUNE_2021)
    assert 0 < no_on_scene < rows and 0 < no_origin < rows
    fingerprints = []
    for _ in range(2):
        result = mage_run('api_to_postgres', month_vars(JUNE_2021, source='tlc'), POSTGRES_SCHEMA='fhvhv')
        assert result.returncode == 0, result.output
        fingerprints.append(month_fingerprint(db, 'fhvhv', 'fhvhv_taxi_trips', date(2021, 6, 1)))
    assert fingerprints[0] == fingerprints[1] and fingerprints[0][0] == rows == SAMPLE_ROWS
    (counts,) = query(db, 'SELECT count(*) - count(on_scene_datetime), count(*) - count(originating_base_num), '
                          + ', '.join(f'count({name})' for name in EMPTY_IN_TLC_2021)
                          + ', min(base_passenger_fare) < 0, max(trip_time) FROM fhvhv.fhvhv_taxi_trips')
    assert counts == (no_on_scene, no_origin, 0, 0, 0, True, counts[-1]) and counts[-1] > 0
    types = dict(query(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                           "'fhvhv' AND table_name = 'fhvhv_taxi_trips'"))
    assert (types['pu_location_id'], types['trip_time'], types['tips'], types['wav_match_flag'],
            types['pickup_datetime']) == ('smallint', 'integer', 'double precision', 'text',
                                          'timestamp without time zone')

    for _ in range(2):
        result = mage_run('api_to_gcs', month_vars(JUNE_2021, source='tlc', execution_date='2021-06-10'),
                          GCS_BUCKET=bucket)
        assert result.returncode == 0, result.output
    in_gcs = read_date_range(gcs_filesystem, bucket, 'fhvhv', date(2000, 1, 1), date(2030, 12, 31))
    assert in_gcs.num_rows == rows and in_gcs.column('on_scene_datetime').null_count == no_on_scene
    assert gcs_filesystem.get_file_info(f'{bucket}/nyc_taxi_data/fhvhv/pickup_date=2021-06-10').type == \
        pafs.FileType.Directory

    june = {'taxi_type': 'fhvhv', 'start_date': '2021-06-01', 'end_date': '2021-06-30'}
    loaded = []
    for _ in range(2):
        result = mage_run('gcs_to_bigquery', june, GCS_BUCKET=bucket, BQ_DATASET='fhvhv')
        assert result.returncode == 0, result.output
        loaded.append(fingerprint(bigquery_trips(bq, 'fhvhv', 'fhvhv', date(2021, 6, 1), date(2021, 6, 30)), 'fhvhv'))
    # Exactly what the Arrow rules make of the same partitions, and the same again on a re-run.
    assert loaded[0] == loaded[1] == fingerprint(
        arrow_path_trips(gcs_filesystem, bucket, 'fhvhv', date(2021, 6, 1), date(2021, 6, 30)), 'fhvhv')
    (row,) = bq.query(f'SELECT countif(on_scene_datetime IS NULL), countif(airport_fee IS NULL), '
                      f'countif(hvfhs_license_num = "HV0003") FROM `{LOCAL_PROJECT}.fhvhv.fhvhv_taxi_trips`').result()
    june_rows = read_date_range(gcs_filesystem, bucket, 'fhvhv', date(2021, 6, 1), date(2021, 6, 30))
    assert tuple(row) == (june_rows.column('on_scene_datetime').null_count, june_rows.num_rows,
                          pc.sum(pc.equal(june_rows.column('hvfhs_license_num'), 'HV0003')).as_py())


def fhvhv_state(db, schema: str, month: date) -> tuple:
    return month_fingerprint(db, schema, 'fhvhv_taxi_trips', month)


def test_one_table_holds_a_release_month_and_tlc_months_of_either_id_width(mage_run, db, trip_data_dir):
    result = mage_run('api_to_postgres', month_vars(FHVHV_RELEASE_2021_01), POSTGRES_SCHEMA='fhvhv_mixed')
    assert result.returncode == 0, result.output
    release_month = fhvhv_state(db, 'fhvhv_mixed', date(2021, 1, 1))
    (filled,) = query(db, 'SELECT count(*), count(sr_flag), count(trip_miles), count(shared_request_flag) '
                          'FROM fhvhv_mixed.fhvhv_taxi_trips')
    assert filled[0] == SAMPLE_ROWS and 0 < filled[1] < SAMPLE_ROWS and filled[2:] == (0, 0)

    for month in (JUNE_2021, TLC_FHVHV_2023_01):  # location ids int64, then int32
        assert pq.read_schema(tlc_parquet_path(trip_data_dir, month)).field('PULocationID').type == (
            pa.int64() if month.year < 2023 else pa.int32())
        result = mage_run('api_to_postgres', month_vars(month, source='tlc'), POSTGRES_SCHEMA='fhvhv_mixed')
        assert result.returncode == 0, result.output
        assert fhvhv_state(db, 'fhvhv_mixed', date(2021, 1, 1)) == release_month
    per_month = query(db, 'SELECT source_month, count(*), count(trip_miles), count(airport_fee), count(sr_flag) '
                          'FROM fhvhv_mixed.fhvhv_taxi_trips GROUP BY 1 ORDER BY 1')
    assert [(month, rows, miles > 0, fees > 0, flags > 0) for month, rows, miles, fees, flags in per_month] == [
        (date(2021, 1, 1), SAMPLE_ROWS, False, False, True),
        (date(2021, 6, 1), SAMPLE_ROWS, True, False, False),
        (date(2023, 1, 1), SAMPLE_ROWS, True, True, False)]


def test_a_monthly_backfill_loads_each_month_once_and_runs_the_fhvhv_tests(devstack_cli, db):
    for _ in range(2):
        result = devstack_cli('backfill', '--interval', 'month', 'api_to_postgres', '2021-04-01', '2021-06-01',
                              '{"taxi_type": "fhvhv", "source": "tlc"}', POSTGRES_SCHEMA='fhvhv_backfill')
        assert result.returncode == 0, result.output[-5000:]
        statuses = [line.split()[-1] for line in result.stdout.splitlines() if line.startswith('  2021-')]
        assert statuses == ['completed'] * 3
        assert result.output.count('3/3 tests passed') >= 3  # the transformer's, for each month
        assert query(db, 'SELECT source_month, count(*) FROM fhvhv_backfill.fhvhv_taxi_trips GROUP BY 1 ORDER BY 1'
                     ) == [(date(2021, month, 1), SAMPLE_ROWS) for month in (4, 5, 6)]


def broken_fhvhv_files(trip_data_dir: Path) -> dict[str, tuple[int, str]]:
    """fhvhv 2022 months of the TLC layout, each broken one way: {case: (month, expected message)}."""
    good = pq.read_table(tlc_parquet_path(trip_data_dir, JUNE_2021))
    directory = trip_data_dir / 'trip-data'
    pq.write_table(good.drop_columns(['hvfhs_license_num']), directory / 'fhvhv_tripdata_2022-01.parquet')
    seconds = good.column('trip_time').to_pylist()
    seconds[1_500] += 0.5
    pq.write_table(good.set_column(good.schema.get_field_index('trip_time'), 'trip_time', pa.array(seconds)),
                   directory / 'fhvhv_tripdata_2022-02.parquet', row_group_size=1000)
    return {
        'missing licence': (1, 'lacks the column(s) hvfhs_license_num of fhvhv trips'),
        'fraction in trip_time': (2, f'row group 1 (row 1501 of the file), column trip_time: {seconds[1_500]!r} is '
                                     'not a whole number'),
    }


def test_bad_fhvhv_files_fail_naming_the_problem_and_leave_every_target_unchanged(mage_run, db, bucket,
                                                                                gcs_filesystem, trip_data_dir):
    assert mage_run('api_to_postgres', month_vars(JUNE_2021, source='tlc'), POSTGRES_SCHEMA='fhvhv_bad').returncode == 0
    before = fhvhv_state(db, 'fhvhv_bad', date(2021, 6, 1))
    for case, (month, message) in broken_fhvhv_files(trip_data_dir).items():
        variables = {'taxi_type': 'fhvhv', 'year': 2022, 'month': month, 'source': 'tlc'}
        # Both pipelines share the loader that fails: api_to_gcs for the file that fails after its first row group.
        pipelines = ('api_to_postgres', 'api_to_gcs') if case == 'fraction in trip_time' else ('api_to_postgres',)
        for pipeline in pipelines:
            result = mage_run(pipeline, variables, POSTGRES_SCHEMA='fhvhv_bad', GCS_BUCKET=bucket)
            assert result.returncode != 0, case
            assert message in result.output and '/trip-data/fhvhv_tripdata_2022-' in result.output, (case, result.output)
        assert fhvhv_state(db, 'fhvhv_bad', date(2021, 6, 1)) == before
        assert query(db, 'SELECT DISTINCT source_month FROM fhvhv_bad.fhvhv_taxi_trips') == [(date(2021, 6, 1),)]
        objects = gcs_filesystem.get_file_info(pafs.FileSelector(bucket, recursive=True, allow_not_found=True))
        assert not any('2022' in info.path for info in objects)


def test_an_unknown_licence_fails_the_transformer_test_naming_it_and_loads_nothing(devstack_cli, db, trip_data_dir):
    """Through api_to_postgres: api_to_gcs runs the same loader and transformer, whose @test stops a run before
    any exporter (the bad files above check that api_to_gcs then writes nothing)."""
    good = pq.read_table(tlc_parquet_path(trip_data_dir, JUNE_2021))
    licences = good.column('hvfhs_license_num').to_pylist()
    licences[7] = 'HV0009'
    pq.write_table(good.set_column(0, 'hvfhs_license_num', pa.array(licences)),
                   trip_data_dir / 'trip-data' / 'fhvhv_tripdata_2022-03.parquet')
    result = devstack_cli('backfill', '--interval', 'month', 'api_to_postgres', '2022-03-01', '2022-03-01',
                          '{"taxi_type": "fhvhv", "source": "tlc"}', POSTGRES_SCHEMA='fhvhv_unknown')
    assert result.returncode != 0
    assert [line.split()[-1] for line in result.stdout.splitlines() if line.startswith('  2022-03')] == ['failed']
    # The @test names the rule and the licence that broke it.
    assert "values: {'unknown_hvfhs_license_num': ['HV0009']}" in result.output, result.output[-5000:]
    assert not query(db, "SELECT 1 FROM information_schema.tables WHERE table_schema = 'fhvhv_unknown' AND "
                         "table_name = 'fhvhv_taxi_trips'")
