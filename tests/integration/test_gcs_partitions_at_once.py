"""Two adjacent months written into the partitioned dataset at once (PIPELINE_RUNS_AT_ONCE=2, the default) on the GCS
emulator: they share the date folders of their out-of-month trips, and neither ever deletes the other's file."""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from nyc_taxi.model.arrow import clean_table
from nyc_taxi.targets.parquet_exports import partitioned_root, replace_month_partitions
from tests.unit.test_parquet_exports import FEB, JAN, YELLOW, trips

pytestmark = pytest.mark.integration
ROUNDS = 20
# Each month in two versions, as a republished file differs: the second of each drops the trips it had on a date
# the other month also has trips on, so each round one month deletes its file there while the other writes its own.
JAN_VERSIONS = (['2021-01-30 09:00', '2021-01-31 10:00', '2021-01-31 11:00', '2021-02-01 00:10'],
                ['2021-01-30 09:00', '2021-01-31 10:00'])
FEB_VERSIONS = (['2021-01-31 23:50', '2021-02-01 01:00', '2021-02-01 02:00', '2021-02-02 08:00'],
                ['2021-02-01 01:00', '2021-02-02 08:00'])


def expected_files(month: str, pickups: list[str]) -> dict[str, int]:
    """{date folder/file name: rows} of one month's version."""
    return {f'tpep_pickup_date={day}/yellow_tripdata_{month}-0.parquet': rows
            for day, rows in Counter(pickup[:10] for pickup in pickups).items()}


def test_two_adjacent_months_written_at_once_twenty_times_keep_each_others_files(gcs_filesystem, new_bucket):
    bucket = new_bucket('partitions-at-once')
    root = partitioned_root(bucket, 'yellow')
    for round_ in range(ROUNDS):
        january, february = JAN_VERSIONS[round_ % 2], FEB_VERSIONS[(round_ // 2) % 2]
        with ThreadPoolExecutor(max_workers=2) as pool:
            writes = [pool.submit(replace_month_partitions, gcs_filesystem, bucket,
                                  clean_table(trips(*pickups), YELLOW).to_batches(max_chunksize=1), YELLOW, request)
                      for request, pickups in ((JAN, january), (FEB, february))]
            for write in writes:
                write.result()
        found = {info.path[len(root) + 1:]: pq.ParquetFile(gcs_filesystem.open_input_file(info.path)).metadata.num_rows
                 for info in gcs_filesystem.get_file_info(pafs.FileSelector(root, recursive=True))
                 if info.type == pafs.FileType.File}
        assert found == {**expected_files('2021-01', january), **expected_files('2021-02', february)}, round_
