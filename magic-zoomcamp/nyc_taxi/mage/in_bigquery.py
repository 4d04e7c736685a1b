"""transform_taxi_data's step for trips staged in BigQuery (gcs_to_bigquery): the rules run as SQL there."""
from __future__ import annotations

from typing import Any

from mage_ai.settings.repo import get_repo_path

from nyc_taxi.logs import block_logger
from nyc_taxi.mage.staging_tables import staging_target, table_made, table_read
from nyc_taxi.model.transform import TransformReport
from nyc_taxi.resources.gcs import DEFAULT_GOOGLE_PROFILE
from nyc_taxi.resources.identifiers import trips_table_name
from nyc_taxi.resources.io_config import load_profile
from nyc_taxi.staging.bigquery_staging import clean_range, preview
from nyc_taxi.staging.staged_table import StagedTable
from nyc_taxi.targets.bigquery import BigQuerySettings


def clean_in_bigquery(source: StagedTable, block: str, drop_missing_passengers: bool, **kwargs: Any) -> list[Any]:
    """The block output `[first clean trips, per-date summary, clean staging table]`, made by BigQuery jobs."""
    settings = BigQuerySettings.from_io_config(load_profile(get_repo_path(), DEFAULT_GOOGLE_PROFILE))
    client = settings.client()
    target_table = trips_table_name(source.taxi_type)
    target = staging_target(kwargs, block, target_table, settings)
    summary, clean = clean_range(client, settings, source, target, block, drop_missing_passengers)
    table_read(kwargs, client, settings, source, block)
    table_made(kwargs, client, settings, clean, target_table)
    block_logger(kwargs, block).info('%s, in BigQuery: %s', TransformReport.of_summary(summary),
                                     clean.table_id or '(no table: no trips)')
    return [preview(client, settings, clean), summary, clean]
