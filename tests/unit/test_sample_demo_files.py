"""What `make up` and the test fixtures serve: every kind of source file in its public URL layout."""
import pyarrow.parquet as pq

from devstack.cli import DEMO_TLC_MONTHS, ensure_demo_files
from devstack.env_file import read_env_file
from devstack.paths import REPO_ROOT
from devstack.sample_tlc_parquet import tlc_parquet_path
from nyc_taxi.sources.month_source import DEFAULT_TLC_URL, TLC_URL_VARIABLE
from tests.conftest import SAMPLE_ROWS, TLC_MONTHS


def test_make_up_serves_each_kind_in_its_public_layout(tmp_path):
    ensure_demo_files(tmp_path, rows=300)
    served = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob('*') if path.is_file()}
    assert {'fhv/fhv_tripdata_2019-01.csv.gz', 'misc/taxi_zone_lookup.csv', 'yellow/yellow_tripdata_2021-01.csv.gz',
            'trip-data/yellow_tripdata_2023-01.parquet', 'trip-data/yellow_tripdata_2025-01.parquet',
            'fhvhv/fhvhv_tripdata_2021-01.csv.gz', 'trip-data/fhvhv_tripdata_2021-06.parquet'} <= served
    assert {f'trip-data/{month.file_stem}.parquet' for month in DEMO_TLC_MONTHS} <= served
    assert not any(name.endswith('.partial') for name in served)


def test_the_fixture_holds_the_tlc_months_in_row_groups(trip_data_dir):
    for month in TLC_MONTHS:
        metadata = pq.ParquetFile(tlc_parquet_path(trip_data_dir, month)).metadata
        assert metadata.num_rows == SAMPLE_ROWS and metadata.num_row_groups >= 3


def test_dev_env_points_at_the_tlc_by_default():
    assert read_env_file(REPO_ROOT / 'dev.env')[TLC_URL_VARIABLE] == DEFAULT_TLC_URL
