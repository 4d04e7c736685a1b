"""api_to_gcs end to end: `mage run` against the GCS emulator, read back with the official clients."""
from __future__ import annotations

import hashlib
from datetime import date

import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from nyc_taxi.sources.gcs_partitions import read_date_range, read_month_object, to_frame
from tests.conftest import YELLOW_FEB, YELLOW_JAN
from tests.integration.expected import month_vars, transformed

pytestmark = pytest.mark.integration
# A bucket of this module's own: the other modules' months in the emulator's default bucket are not its files.
BUCKET = 'api-to-gcs'
PARTITIONS = f'{BUCKET}/nyc_taxi_data/yellow'


@pytest.fixture(scope='module', autouse=True)
def bucket(new_bucket) -> str:
    return new_bucket(BUCKET)


def run_api_to_gcs(mage_run, variables: dict, **overrides: str):
    return mage_run('api_to_gcs', variables, **{'GCS_BUCKET': BUCKET, **overrides})


@pytest.fixture(scope='module')
def storage_client(gcs_emulator) -> storage.Client:
    return storage.Client(project='local', credentials=AnonymousCredentials(),
                          client_options={'api_endpoint': gcs_emulator['STORAGE_EMULATOR_HOST']})


def partition_files(filesystem: pafs.FileSystem) -> dict[str, str]:
    """Every parquet file of the yellow dataset with a digest of its bytes."""
    infos = filesystem.get_file_info(pafs.FileSelector(PARTITIONS, recursive=True, allow_not_found=True))
    return {info.path: hashlib.md5(filesystem.open_input_stream(info.path).readall()).hexdigest()
            for info in infos if info.type == pafs.FileType.File}


@pytest.fixture(scope='module')
def january_run(mage_run):
    result = run_api_to_gcs(mage_run, month_vars(YELLOW_JAN, execution_date='2021-01-15'))
    assert result.returncode == 0, result.output
    return result


def test_month_object_reads_back_as_the_transformed_frame(january_run, gcs_filesystem, storage_client,
                                                          trip_data_dir):
    key = 'nyc_taxi/yellow/yellow_tripdata_2021-01.parquet'
    assert storage_client.bucket(BUCKET).blob(key).exists()
    expected = transformed(trip_data_dir, YELLOW_JAN)
    actual = to_frame(read_month_object(gcs_filesystem, BUCKET, YELLOW_JAN))
    assert list(actual.columns) == list(expected.columns)
    assert actual.dtypes.to_dict() == expected.dtypes.to_dict()
    assert len(actual) == len(expected)
    assert actual.equals(expected)


def test_partitioned_dataset_has_one_directory_per_pickup_date(january_run, gcs_filesystem, trip_data_dir):
    expected = transformed(trip_data_dir, YELLOW_JAN)
    # Recursive: the emulator answers a delimited (one-level) listing with nothing.
    files = gcs_filesystem.get_file_info(pafs.FileSelector(PARTITIONS, recursive=True))
    directories = {info.path.split('/')[3] for info in files if info.type == pafs.FileType.File}
    assert sorted(directories) == sorted(f'tpep_pickup_date={day}' for day in expected['tpep_pickup_date'].unique())
    everything = read_date_range(gcs_filesystem, BUCKET, 'yellow', date(2000, 1, 1), date(2100, 1, 1))
    assert everything.num_rows == len(expected)


def test_rerun_gives_the_same_files_and_a_second_month_leaves_the_first_unchanged(
        january_run, mage_run, gcs_filesystem, trip_data_dir):
    before = partition_files(gcs_filesystem)
    assert run_api_to_gcs(mage_run, month_vars(YELLOW_JAN)).returncode == 0
    assert partition_files(gcs_filesystem) == before

    result = run_api_to_gcs(mage_run, month_vars(YELLOW_FEB))
    assert result.returncode == 0, result.output
    after = partition_files(gcs_filesystem)
    assert {path: digest for path, digest in after.items() if path in before} == before
    february_files = set(after) - set(before)
    assert february_files and all('yellow_tripdata_2021-02-' in path for path in february_files)
    total = read_date_range(gcs_filesystem, BUCKET, 'yellow', date(2000, 1, 1), date(2100, 1, 1)).num_rows
    assert total == len(transformed(trip_data_dir, YELLOW_JAN)) + len(transformed(trip_data_dir, YELLOW_FEB))


def test_date_range_reads_only_its_partitions(january_run, gcs_filesystem, trip_data_dir):
    expected = transformed(trip_data_dir, YELLOW_JAN)
    days = expected['tpep_pickup_date']
    window = read_date_range(gcs_filesystem, BUCKET, 'yellow', date(2021, 1, 10), date(2021, 1, 12))
    assert window.num_rows == ((days >= date(2021, 1, 10)) & (days <= date(2021, 1, 12))).sum()


def test_execution_date_writes_that_days_trips_only(january_run, gcs_filesystem, trip_data_dir):
    daily = pq.read_table(f'{BUCKET}/2021/01/15/yellow/daily-trips.parquet', filesystem=gcs_filesystem)
    expected = transformed(trip_data_dir, YELLOW_JAN)
    assert daily.num_rows == (expected['tpep_pickup_date'] == date(2021, 1, 15)).sum() > 0
    assert set(daily.column('tpep_pickup_date').to_pylist()) == {date(2021, 1, 15)}
    others = gcs_filesystem.get_file_info(pafs.FileSelector(f'{BUCKET}/2021', recursive=True,
                                                            allow_not_found=True))
    assert [info.path for info in others if info.type == pafs.FileType.File] == [
        f'{BUCKET}/2021/01/15/yellow/daily-trips.parquet']


@pytest.mark.parametrize('overrides, message', [
    ({'GCS_BUCKET': 'no-such-bucket'}, 'Bucket no-such-bucket does not exist'),
    ({'STORAGE_EMULATOR_HOST': 'http://127.0.0.1:9', 'GCS_RETRY_SECONDS': '2'}, f'Cannot reach gs://{BUCKET}'),
])
def test_missing_bucket_or_storage_down_fails_naming_bucket_and_key(mage_run, gcs_filesystem, overrides, message):
    before = partition_files(gcs_filesystem)
    result = run_api_to_gcs(mage_run, month_vars(YELLOW_FEB), **overrides)
    assert result.returncode != 0
    assert message in result.output, result.output[-3000:]
    assert 'yellow_tripdata_2021-02.parquet' in result.output or 'nyc_taxi_data/yellow/' in result.output
    assert partition_files(gcs_filesystem) == before
