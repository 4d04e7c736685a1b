"""The object-storage writers' replace semantics, on a local filesystem (same pyarrow code path)."""
from datetime import date, datetime

import pandas as pd
import pyarrow.fs as pafs
import pytest

from nyc_taxi.model.arrow import clean_table
from nyc_taxi.sources.gcs_partitions import read_date_range
from nyc_taxi.targets.parquet_exports import replace_month_partitions, write_daily_object
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import schema_for

YELLOW = schema_for('yellow')
JAN = MonthRequest(taxi_type='yellow', year=2021, month=1)
FEB = MonthRequest(taxi_type='yellow', year=2021, month=2)


def trips(*pickups: str) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([None] * len(pickups), dtype='float64')
                          for name in YELLOW.clean_columns})
    for name, kind in YELLOW.clean_columns.items():
        if str(kind) == 'int16':
            frame[name] = pd.array([1] * len(pickups), dtype='Int16')
        elif str(kind) == 'string':
            frame[name] = 'N'
    frame['tpep_pickup_datetime'] = pd.to_datetime(list(pickups))
    frame['tpep_dropoff_datetime'] = frame['tpep_pickup_datetime']
    frame['tpep_pickup_date'] = frame['tpep_pickup_datetime'].dt.date
    return frame


@pytest.fixture
def bucket(tmp_path):
    return pafs.LocalFileSystem(), str(tmp_path)


def files(filesystem, root):
    return sorted(info.path[len(root) + 1:] for info in filesystem.get_file_info(
        pafs.FileSelector(root, recursive=True)) if info.type == pafs.FileType.File)


def test_a_month_owns_its_files_even_in_dates_it_shares(bucket):
    filesystem, root = bucket
    replace_month_partitions(filesystem, root, clean_table(trips('2021-01-31 10:00', '2021-01-30 09:00'), YELLOW).to_batches(),
                             YELLOW, JAN)
    replace_month_partitions(filesystem, root, clean_table(trips('2021-01-31 23:00', '2021-02-01 01:00'), YELLOW).to_batches(),
                             YELLOW, FEB)
    # January again, now without its trip of the 31st: its file there goes, February's stays.
    result = replace_month_partitions(filesystem, root, clean_table(trips('2021-01-30 09:00'), YELLOW).to_batches(), YELLOW, JAN)
    assert [path.rsplit('/', 2)[-2] for path in result.deleted] == ['tpep_pickup_date=2021-01-31']
    assert files(filesystem, root) == [
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-01-30/yellow_tripdata_2021-01-0.parquet',
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-01-31/yellow_tripdata_2021-02-0.parquet',
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-02-01/yellow_tripdata_2021-02-0.parquet',
    ]
    everything = read_date_range(filesystem, root, 'yellow', date(2021, 1, 1), date(2021, 2, 28))
    assert everything.num_rows == 3


def test_an_empty_month_removes_its_files_and_empty_partitions(bucket):
    filesystem, root = bucket
    replace_month_partitions(filesystem, root, clean_table(trips('2021-01-05 10:00'), YELLOW).to_batches(), YELLOW, JAN)
    result = replace_month_partitions(filesystem, root, clean_table(trips(), YELLOW).to_batches(), YELLOW, JAN)
    assert result.rows == 0 and len(result.deleted) == 1
    assert files(filesystem, root) == []
    assert not filesystem.get_file_info(pafs.FileSelector(f'{root}/nyc_taxi_data/yellow', recursive=True))


def test_daily_object_holds_only_that_day(bucket):
    filesystem, root = bucket
    table = clean_table(trips('2021-01-15 00:00:00', '2021-01-15 23:59:59', '2021-01-16 00:00:00'), YELLOW)
    result = write_daily_object(filesystem, root, table.to_batches(max_chunksize=1), YELLOW, datetime(2021, 1, 15).date())
    assert result.paths == (f'{root}/2021/01/15/yellow/daily-trips.parquet',) and result.rows == 2


def test_a_month_spread_over_its_dates_keeps_each_dates_rows_in_order_in_few_row_groups(bucket, monkeypatch):
    import pyarrow.parquet as pq

    from nyc_taxi.targets import parquet_exports

    filesystem, root = bucket
    monkeypatch.setattr(parquet_exports, 'PARTITION_ROWS_PER_GROUP', 50)
    # 600 trips, each batch of 20 spread over three dates, as a month's batches spread over its days.
    pickups = [f'2021-01-{day:02d} 00:{minute:02d}:00' for minute in range(20) for day in (1, 2, 3)] * 10
    table = clean_table(trips(*pickups), YELLOW)
    result = replace_month_partitions(filesystem, root, table.to_batches(max_chunksize=20), YELLOW, JAN)
    assert result.rows == 600 and len(result.paths) == 3
    for day in (1, 2, 3):
        path = f'{root}/nyc_taxi_data/yellow/tpep_pickup_date=2021-01-{day:02d}/yellow_tripdata_2021-01-0.parquet'
        written = pq.ParquetFile(path)
        assert written.metadata.num_rows == 200 and written.metadata.num_row_groups == 4  # 200 rows, 50 a group
        assert 'tpep_pickup_date' not in written.schema_arrow.names
        minutes = [moment.minute for moment in written.read().column('tpep_pickup_datetime').to_pylist()]
        assert minutes == list(range(20)) * 10  # the order the rows came in


@pytest.mark.parametrize('upload_lands', ['before the folder is removed', 'after the folder is removed'])
def test_a_months_clean_up_never_takes_the_file_another_month_uploads_into_the_same_date(bucket, monkeypatch,
                                                                                      upload_lands):
    """January loses its trip of 2021-01-31 while February, written at the same time (PIPELINE_RUNS_AT_ONCE), uploads
    its own file of that date: interleaved with January's clean-up of the folder, before or after it. The check
    that the folder was empty, then a delete of its prefix, once removed February's new file."""
    from nyc_taxi.targets import parquet_exports

    filesystem, root = bucket
    replace_month_partitions(filesystem, root, clean_table(trips('2021-01-31 10:00', '2021-01-30 09:00'),
                                                           YELLOW).to_batches(), YELLOW, JAN)
    february = clean_table(trips('2021-01-31 23:00', '2021-02-01 01:00'), YELLOW).to_batches()
    january_removes_folder = parquet_exports._remove_folder_if_empty

    def interleaved(target, directory):
        if upload_lands.startswith('before'):
            replace_month_partitions(filesystem, root, february, YELLOW, FEB)
            january_removes_folder(target, directory)
        else:
            january_removes_folder(target, directory)
            replace_month_partitions(filesystem, root, february, YELLOW, FEB)

    monkeypatch.setattr(parquet_exports, '_remove_folder_if_empty', interleaved)
    replace_month_partitions(filesystem, root, clean_table(trips('2021-01-30 09:00'), YELLOW).to_batches(), YELLOW, JAN)
    assert files(filesystem, root) == [
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-01-30/yellow_tripdata_2021-01-0.parquet',
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-01-31/yellow_tripdata_2021-02-0.parquet',
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-02-01/yellow_tripdata_2021-02-0.parquet',
    ]
    assert read_date_range(filesystem, root, 'yellow', date(2021, 1, 31), date(2021, 1, 31)).num_rows == 1


class UploadAfterListing(pafs.FileSystemHandler):
    """A local filesystem on which, right after the first listing of `folder` finds it empty, another writer's
    upload lands there: the moment between a check that a folder is empty and a delete of its prefix."""

    def __init__(self, folder: str, upload) -> None:
        self.inner, self.folder, self.upload, self.done = pafs.LocalFileSystem(), folder, upload, False

    def get_file_info_selector(self, selector):
        infos = self.inner.get_file_info(selector)
        if selector.base_dir.rstrip('/') == self.folder and not infos and not self.done:
            self.done = True
            self.upload()
        return infos

    def get_type_name(self): return 'upload-after-listing'
    def normalize_path(self, path): return self.inner.normalize_path(path)
    def equals(self, other): return self is other
    def get_file_info(self, paths): return self.inner.get_file_info(paths)
    def create_dir(self, path, recursive): self.inner.create_dir(path, recursive=recursive)
    def delete_dir(self, path): self.inner.delete_dir(path)
    def delete_dir_contents(self, path, missing_dir_ok=False): self.inner.delete_dir_contents(path, missing_dir_ok)
    def delete_root_dir_contents(self): raise NotImplementedError
    def delete_file(self, path): self.inner.delete_file(path)
    def move(self, src, dest): self.inner.move(src, dest)
    def copy_file(self, src, dest): self.inner.copy_file(src, dest)
    def open_input_stream(self, path): return self.inner.open_input_stream(path)
    def open_input_file(self, path): return self.inner.open_input_file(path)
    def open_output_stream(self, path, metadata): return self.inner.open_output_stream(path, metadata=metadata)
    def open_append_stream(self, path, metadata): return self.inner.open_append_stream(path, metadata=metadata)


def test_on_an_object_store_a_months_clean_up_deletes_its_own_file_only(tmp_path):
    """The same race on a store that is not a local disk (as GCS): February's upload lands right after January's
    clean-up would have listed the date's folder empty; nothing of the folder is deleted but January's file."""
    root = str(tmp_path)
    local = pafs.LocalFileSystem()
    replace_month_partitions(local, root, clean_table(trips('2021-01-31 10:00', '2021-01-30 09:00'),
                                                      YELLOW).to_batches(), YELLOW, JAN)
    folder = f'{root}/nyc_taxi_data/yellow/tpep_pickup_date=2021-01-31'
    february = clean_table(trips('2021-01-31 23:00'), YELLOW).to_batches()
    handler = UploadAfterListing(folder, lambda: replace_month_partitions(local, root, february, YELLOW, FEB))
    replace_month_partitions(pafs.PyFileSystem(handler), root, clean_table(trips('2021-01-30 09:00'), YELLOW).to_batches(),
                             YELLOW, JAN)
    if not handler.done:  # January never looked at the folder again: February's upload comes after
        handler.upload()
    assert files(local, root) == [
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-01-30/yellow_tripdata_2021-01-0.parquet',
        'nyc_taxi_data/yellow/tpep_pickup_date=2021-01-31/yellow_tripdata_2021-02-0.parquet',
    ]
