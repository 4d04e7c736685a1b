"""Where a block of a Mage run stages its month, and which blocks read it: the Mage facts staging needs."""
from __future__ import annotations

import os
from typing import Any, Mapping

from nyc_taxi.staging.stage import Stage, new_stage


def stage_for_run(kwargs: Mapping[str, Any]) -> Stage:
    """A fresh stage under Mage's data directory for the run these kwargs belong to."""
    from mage_ai.settings.repo import get_variables_dir

    run_id = kwargs.get('pipeline_run_id')
    label = f'run-{run_id}' if run_id not in (None, '') else f'manual-{os.getpid()}'
    return new_stage(get_variables_dir(), str(kwargs.get('pipeline_uuid') or 'editor'), label)


def downstream_blocks(kwargs: Mapping[str, Any], block_uuid: str) -> list[str]:
    """The blocks that run after `block_uuid` in this run's pipeline (they read what it staged)."""
    from mage_ai.data_preparation.models.pipeline import Pipeline

    pipeline = Pipeline.get(kwargs['pipeline_uuid'])
    return list(pipeline.get_block(block_uuid).downstream_block_uuids)
