"""The project's pipeline files hold what a person wrote, not what a run did or where this machine keeps its data.

Mage's bug (0.9.80, mage_ai/data_preparation/models/pipeline.py, Pipeline.save and its safe_write): Mage saves a
pipeline's metadata.yaml after every block run in the editor (and on every save), writing into it each block's
`status` and `all_upstream_blocks_executed` (run state) and the pipeline's `variables_dir` (the absolute path of
this machine's data directory, which Mage never reads back). Committed after a session in the editor, those would
put one user's runs and paths into everyone's repository, and dirty `git status` after any session.

The fix: those keys are left out of the file when Mage writes it, and a block's status is derived when
Mage loads the pipeline, from what the status stands for: `executed` if the block has a stored output
in the editor's variables directory (the output the blocks below it read), else `not_executed`. Mage's
own check "Please run upstream blocks [...] before running the current block" keeps working, across
restarts too. Everything else of the file stays in Mage's own form, so a save of an unchanged pipeline
leaves it byte for byte as it is (tests/integration/test_editor.py checks it after block runs, and
tests/e2e/test_editor_ui.py after a save from the editor of each pipeline). The editor's kernel saves too:
nyc_taxi.mage.fixes.editor_kernel has it install this fix.

Applies to: the project's pipelines only (nyc_taxi.mage.fixes.scope), the files the repository shares. A
pipeline of a learner's is saved and loaded as stock Mage does it.

Canary: tests/canaries/test_pipeline_files.py (stock Mage writes variables_dir and block statuses into the
metadata.yaml of api_to_postgres when it saves it).
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from nyc_taxi.mage.fixes.guard import MageFix, Target
from nyc_taxi.mage.fixes.scope import is_project_pipeline

RUN_STATE_BLOCK_KEYS = ('status', 'all_upstream_blocks_executed')
MACHINE_STATE_KEYS = ('variables_dir',)
EXECUTED, NOT_EXECUTED = 'executed', 'not_executed'


def without_run_state(config: dict[str, Any]) -> dict[str, Any]:
    """The pipeline's metadata.yaml content as Mage wrote it, less run and machine state."""
    clean = {key: value for key, value in config.items() if key not in MACHINE_STATE_KEYS}
    for key in ('blocks', 'callbacks', 'conditionals', 'widgets'):
        if isinstance(clean.get(key), list):
            clean[key] = [{name: value for name, value in block.items() if name not in RUN_STATE_BLOCK_KEYS}
                          if isinstance(block, dict) else block for block in clean[key]]
    return clean


def with_derived_status(config: dict[str, Any], has_output: Any) -> dict[str, Any]:
    """`config` with each block that has no status given `executed` if `has_output(block_uuid)`, else
    `not_executed`."""
    blocks = []
    for block in config.get('blocks') or []:
        if isinstance(block, dict) and not block.get('status') and block.get('uuid'):
            block = {**block, 'status': EXECUTED if has_output(block['uuid']) else NOT_EXECUTED}
        blocks.append(block)
    return {**config, 'blocks': blocks} if 'blocks' in config else config


def project_pipeline_file(path: str) -> bool:
    """Whether `path` is `.../pipelines/<one of the project's pipelines>/metadata.yaml`."""
    pipeline_dir = os.path.dirname(path)
    return os.path.basename(path) == 'metadata.yaml' and os.path.basename(os.path.dirname(pipeline_dir)) \
        == 'pipelines' and is_project_pipeline(os.path.basename(pipeline_dir))


def install() -> None:
    """Installs the fix into Mage's Pipeline (once per process, before Mage saves or loads pipelines)."""
    from mage_ai.data_preparation.models import pipeline as pipeline_module
    from mage_ai.shared.yaml import load_yaml, yaml

    Pipeline = pipeline_module.Pipeline
    mages_write, mages_write_async = pipeline_module.safe_write, pipeline_module.safe_write_async
    mages_load_config = Pipeline.load_config

    def clean_content(path: str, content: str) -> str:
        if not project_pipeline_file(path):
            return content
        return yaml.dump(without_run_state(load_yaml(content) or {}), allow_unicode=True)

    def safe_write(path: str, content: str, *args: Any, **kwargs: Any) -> Any:
        return mages_write(path, clean_content(path, content), *args, **kwargs)

    async def safe_write_async(path: str, content: str, *args: Any, **kwargs: Any) -> Any:
        return await mages_write_async(path, clean_content(path, content), *args, **kwargs)

    def load_config(self: Any, config: Any, catalog: Any = None) -> Any:
        if isinstance(config, dict) and is_project_pipeline(self.uuid):
            config = with_derived_status(config, lambda block_uuid: _has_editor_output(self, block_uuid))
        return mages_load_config(self, config, catalog=catalog)

    pipeline_module.safe_write = safe_write
    pipeline_module.safe_write_async = safe_write_async
    Pipeline.load_config = load_config


def _has_editor_output(pipeline: Any, block_uuid: str) -> bool:
    """Whether the editor stored an output of the block: `{variables dir}/pipelines/<p>/.variables/<block>/`."""
    try:
        directory = os.path.join(pipeline.variables_dir, 'pipelines', pipeline.uuid, '.variables', block_uuid)
        return any(entry.startswith('output') for entry in os.listdir(directory))
    except (OSError, TypeError, AttributeError):
        return False


def install_in_server() -> None:
    """The fix in the server, and in the editor's kernel, which the server starts."""
    from nyc_taxi.mage.fixes.editor_kernel import use_project_kernel

    install()
    use_project_kernel()


_WRITE_PARAMETERS = ('filepath', 'content', 'write_func', 'write_mode')
FIX = MageFix(
    name='pipeline_files',
    bug="saving a pipeline writes its blocks' run status and this machine's variables_dir into metadata.yaml",
    applies_to="the project's pipelines' metadata.yaml, in the server and the editor's kernel",
    targets=(Target('mage_ai.data_preparation.models.pipeline', 'safe_write', _WRITE_PARAMETERS),
             Target('mage_ai.data_preparation.models.pipeline', 'safe_write_async', _WRITE_PARAMETERS),
             Target('mage_ai.data_preparation.models.pipeline', 'Pipeline.load_config', ('self', 'config', 'catalog')),
             # Mage writes metadata.yaml through the module's names, which the fix replaces.
             Target('mage_ai.data_preparation.models.pipeline', 'Pipeline.save', uses='safe_write('),
             Target('mage_ai.data_preparation.models.pipeline', 'Pipeline.save_async', uses='safe_write_async('),
             Target('mage_ai.server.kernels', 'kernel_managers')),
    install=install_in_server,
)
# The same fix as the editor's kernel installs it into itself (nyc_taxi.mage.fixes.editor_kernel).
IN_KERNEL = replace(FIX, targets=FIX.targets[:-1], install=install)
