"""The project's own pipelines: the fixes that change how a run runs apply to these and to no other pipeline.

A learner's pipelines in the same Mage (made in the UI, block by block by Mage's default) run as stock Mage
runs them. Every pipeline here runs in one process and stages its months in files that live only as long
as the run's process (nyc_taxi.staging), which is what those fixes are for.
"""
from __future__ import annotations

from typing import Any

PROJECT_PIPELINES = frozenset({
    'api_to_gcs', 'api_to_postgres', 'coverage', 'explore_trips', 'gcs_to_bigquery', 'taxi_zones', 'test_config',
})


# The project's blocks, which read one another's staged outputs as they are (tests/unit/test_mage_fix_guard.py
# keeps this the set of block files the project ships).
PROJECT_BLOCKS = frozenset({
    'coverage_of_targets', 'export_daily_trips_gcs', 'export_taxi_zones_to_bigquery', 'export_taxi_zones_to_gcs',
    'export_taxi_zones_to_postgres', 'keep_trips_with_passengers', 'load_taxi_data_api', 'load_taxi_data_gcs',
    'load_taxi_zones_api', 'taxi_data_to_bigquery', 'taxi_data_to_gcs_parquet', 'taxi_data_to_gcs_partitioned',
    'taxi_data_to_postgres', 'test_bigquery_connection', 'test_gcs_connection', 'test_postgres_connection',
    'transform_taxi_data',
})


def is_project_pipeline(pipeline_uuid: Any) -> bool:
    return pipeline_uuid in PROJECT_PIPELINES


def is_project_block(block_uuid: Any) -> bool:
    return block_uuid in PROJECT_BLOCKS
