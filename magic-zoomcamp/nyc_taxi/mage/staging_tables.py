"""Which BigQuery staging table a block writes, and when one may go: the Mage facts of gcs_to_bigquery.

The same lifecycle as the staged files (nyc_taxi.mage.run_context), for tables: in a pipeline run a
block's table is dropped by the block that reads it, once no other block still has to; in the editor it
stays, the input of the blocks below, until its block runs again. Every staging table expires by itself
too (nyc_taxi.staging.staged_table), so a crash or a closed editor leaves nothing for long.
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from google.cloud import bigquery

from nyc_taxi.mage.run_context import downstream_blocks, in_editor
from nyc_taxi.staging.bigquery_staging import drop_table, drop_tables_starting_with
from nyc_taxi.staging.staged_table import (EDITOR_LABEL, EDITOR_STAGING_LIFETIME, STAGING_LIFETIME, StagedTable,
                                           StagingTarget, staging_table_name, table_prefix)
from nyc_taxi.targets.bigquery import BigQuerySettings


def staging_target(kwargs: Mapping[str, Any], block_uuid: str, target_table: str,
                   settings: BigQuerySettings) -> StagingTarget:
    """A new staging table for `block_uuid`'s output, beside `target_table` in the profile's dataset."""
    pipeline = str(kwargs.get('pipeline_uuid') or 'editor')
    if in_editor(kwargs):
        label, readers, lifetime = EDITOR_LABEL, (), EDITOR_STAGING_LIFETIME
    else:
        run_id = kwargs.get('pipeline_run_id')
        label = f'run{run_id}' if run_id not in (None, '') else f'manual{os.getpid()}'
        readers, lifetime = tuple(downstream_blocks(kwargs, block_uuid)), STAGING_LIFETIME
    name = staging_table_name(target_table, pipeline, block_uuid, label)
    return StagingTarget(f'{settings.project}.{settings.dataset}.{name}', readers, lifetime)


def table_made(kwargs: Mapping[str, Any], client: bigquery.Client, settings: BigQuerySettings, staged: StagedTable,
               target_table: str) -> None:
    """`staged` is its block's new output: in the editor, the tables of the block's earlier outputs go."""
    if in_editor(kwargs):
        prefix = table_prefix(target_table, str(kwargs.get('pipeline_uuid') or 'editor'), staged.staged_by)
        drop_tables_starting_with(client, settings, prefix, keep=[staged.table_id])


def table_read(kwargs: Mapping[str, Any], client: bigquery.Client, settings: BigQuerySettings, staged: StagedTable,
               block_uuid: str) -> None:
    """`block_uuid` is done with `staged`: in a run, its table goes if no other block is to read it."""
    if staged.table_id and not in_editor(kwargs) and set(staged.readers) <= {block_uuid}:
        drop_table(client, settings, staged.table_id)
