"""Where a block stages its output and when a staged input may go: the Mage facts staging needs.

A block runs either as part of a pipeline run (`mage run`, a trigger, a backfill: every block once, in
order) or alone in Mage's editor, whose notebook kernel keeps each block's last output as the input of
the blocks below it for as long as the user likes. Stages follow (see nyc_taxi.staging.stage): a run's
go as soon as their readers are done; the editor's stay until their block makes a new output.
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from nyc_taxi.staging.stage import Stage, keep_only_newest, new_editor_stage, new_stage, stage_of
from nyc_taxi.staging.staged_trips import StagedTrips


def in_editor(kwargs: Mapping[str, Any]) -> bool:
    """Whether this block runs alone in Mage's editor: in its notebook kernel (IPython), with no pipeline run
    behind it. Every pipeline run, `mage run` included, runs its blocks in a plain process."""
    if kwargs.get('pipeline_run_id') not in (None, ''):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def stage_for_output(kwargs: Mapping[str, Any], block_uuid: str) -> Stage:
    """A fresh stage for `block_uuid`'s output in the run these kwargs belong to."""
    from mage_ai.settings.repo import get_variables_dir

    pipeline = str(kwargs.get('pipeline_uuid') or 'editor')
    if in_editor(kwargs):
        return new_editor_stage(get_variables_dir(), pipeline, block_uuid)
    run_id = kwargs.get('pipeline_run_id')
    label = f'run-{run_id}' if run_id not in (None, '') else f'manual-{os.getpid()}'
    stage = new_stage(get_variables_dir(), pipeline, f'{label}-{block_uuid}')
    stage.expect_readers(downstream_blocks(kwargs, block_uuid))
    return stage


def output_made(kwargs: Mapping[str, Any], stage: Stage) -> None:
    """`stage` holds its block's new output: in the editor, the stages of the block's earlier outputs go."""
    if in_editor(kwargs):
        keep_only_newest(stage)


def input_read(kwargs: Mapping[str, Any], trips: StagedTrips, block_uuid: str) -> None:
    """`block_uuid` is done with the staged trips it got: in a run, the last reader removes their stage; in the
    editor they stay, the upstream block's output, until that block runs again."""
    if not in_editor(kwargs):
        stage_of(trips.staged_file).release(block_uuid)


def downstream_blocks(kwargs: Mapping[str, Any], block_uuid: str) -> list[str]:
    """The blocks that run after `block_uuid` in this run's pipeline (they read what it staged)."""
    from mage_ai.data_preparation.models.pipeline import Pipeline

    pipeline = Pipeline.get(kwargs['pipeline_uuid'])
    return list(pipeline.get_block(block_uuid).downstream_block_uuids)


def blocks_below(kwargs: Mapping[str, Any], block_uuid: str) -> set[str]:
    """Every block below `block_uuid` in this run's pipeline, however far down."""
    from mage_ai.data_preparation.models.pipeline import Pipeline

    pipeline = Pipeline.get(kwargs['pipeline_uuid'])
    found: set[str] = set()
    waiting = list(pipeline.get_block(block_uuid).downstream_block_uuids)
    while waiting:
        uuid = waiting.pop()
        if uuid not in found:
            found.add(uuid)
            waiting.extend(pipeline.get_block(uuid).downstream_block_uuids)
    return found
