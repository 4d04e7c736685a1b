"""Reading trips back from object storage: a month object, or a date range of the partitioned dataset."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from nyc_taxi.model.arrow import clean_arrow_schema
from nyc_taxi.targets.parquet_exports import month_object_key, partitioned_root
from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.model.schema import TripFileSchema, schema_for


def to_frame(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(coerce_temporal_nanoseconds=True)


def read_month_object(filesystem: pafs.FileSystem, bucket: str, request: MonthRequest) -> pa.Table:
    path = f'{bucket}/{month_object_key(request)}'
    try:
        return pq.read_table(path, filesystem=filesystem)
    except FileNotFoundError:
        raise FileNotFoundError(f'gs://{path} does not exist: run api_to_gcs for {request} first') from None


def partitioned_dataset(filesystem: pafs.FileSystem, bucket: str, schema: TripFileSchema) -> ds.Dataset:
    # An explicit partitioning schema, or the date comes back as a string. The clean schema, not the
    # first file's: files written before a later column was declared read it as NULL.
    partitioning = ds.partitioning(pa.schema([(schema.pickup_date, pa.date32())]), flavor='hive')
    return ds.dataset(partitioned_root(bucket, schema.taxi_type), filesystem=filesystem, format='parquet',
                      partitioning=partitioning, schema=clean_arrow_schema(schema))


def read_date_range(filesystem: pafs.FileSystem, bucket: str, taxi_type: str, first: date, last: date) -> pa.Table:
    """Trips picked up from `first` to `last` inclusive; only those dates' partitions are read."""
    check_dataset_exists(filesystem, bucket, taxi_type)
    schema = schema_for(taxi_type)
    dataset = partitioned_dataset(filesystem, bucket, schema)
    column = ds.field(schema.pickup_date)
    return dataset.to_table(filter=(column >= pa.scalar(first, pa.date32())) & (column <= pa.scalar(last, pa.date32())))


def check_dataset_exists(filesystem: pafs.FileSystem, bucket: str, taxi_type: str) -> None:
    root = partitioned_root(bucket, taxi_type)
    if filesystem.get_file_info(root).type == pafs.FileType.NotFound:
        raise FileNotFoundError(f'No partitioned dataset at gs://{root}/: run api_to_gcs for the months first')
