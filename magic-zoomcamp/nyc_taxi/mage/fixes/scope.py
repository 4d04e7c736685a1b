"""The project's own pipelines: the fixes that change how a run runs apply to these and to no other pipeline.

A learner's pipelines in the same Mage (made in the UI, block by block by Mage's default) run as stock Mage
runs them. Every pipeline here runs in one process and stages its months in files that live only as long
as the run's process (nyc_taxi.staging), which is what those fixes are for.
"""
from __future__ import annotations

from typing import Any

PROJECT_PIPELINES = frozenset({
    'api_to_gcs', 'api_to_postgres', 'explore_trips', 'gcs_to_bigquery', 'taxi_zones', 'test_config',
})


def is_project_pipeline(pipeline_uuid: Any) -> bool:
    return pipeline_uuid in PROJECT_PIPELINES
