"""Mage's editor without a browser: `python -m tests.editor_server STEPS_JSON RESULTS_FILE` runs blocks as a click on a
block's run button does, in one long-lived notebook kernel, and prints what the editor would show.

It plays the part of Mage's server for the editor: the project's fixes installed as nyc_taxi.mage.cli
installs them, Mage's own kernel manager starting the kernel (the project's kernel command), and each
block's code built by the functions websocket_server.py builds it with (add_execution_code, then
add_internal_output_info), with the same runtime variables. What the kernel prints is masked as the
server masks it before the browser sees it. Run with MAGE_REPO_PATH, MAGE_DATA_DIR and the stack's settings.

A step is {"pipeline": P, "block": B} (optionally "run_upstream": true, the block's "Execute with all
upstream blocks"), or {"pipeline": P, "save": true} (what the editor does when a pipeline is saved).
Writes a result per step, {"text", "error", "outputs"}, as JSON to RESULTS_FILE.
"""
from __future__ import annotations

import base64
import json
import os
import queue
import sys
from datetime import datetime, timedelta
from typing import Any

import simplejson

from nyc_taxi.mage.fixes import install_fixes

OUTPUT_TAG = '<RenderOutput>'


def run_block(client: Any, pipeline_uuid: str, block_uuid: str, run_upstream: bool) -> dict[str, Any]:
    from mage_ai.data_preparation.models.pipeline import Pipeline
    from mage_ai.data_preparation.variable_manager import get_global_variables
    from mage_ai.server.utils.output_display import add_execution_code, add_internal_output_info
    from mage_ai.server.websocket_server import reload_all_repo_modules
    from mage_ai.shared.security import filter_out_env_var_values

    pipeline = Pipeline.get(pipeline_uuid)
    block = pipeline.get_block(block_uuid)
    custom_code = block.content
    # websocket_server.WebSocketServer.on_message: the runtime variables of an editor run.
    global_vars = get_global_variables(pipeline_uuid)
    global_vars['env'] = 'dev'
    if 'execution_date' not in global_vars:
        now = datetime.now()
        global_vars.update(execution_date=now, interval_end_datetime=now + timedelta(days=1), interval_seconds=None,
                           interval_start_datetime=now, interval_start_datetime_previous=None)
    global_vars['event'] = dict()
    pipeline_config = pipeline.get_config_from_yaml()
    repo_config = pipeline.repo_config.to_dict(remote=False)
    reload_all_repo_modules(custom_code, client)
    code = add_execution_code(
        pipeline_uuid, block_uuid, custom_code, global_vars, pipeline.repo_path, block_type=block.type,
        kernel_name='python3', output_messages_to_logs=False, pipeline_config=pipeline_config,
        pipeline_config_json_encoded=base64.b64encode(simplejson.dumps(pipeline_config).encode()).decode(),
        repo_config=repo_config,
        repo_config_json_encoded=base64.b64encode(simplejson.dumps(repo_config).encode()).decode(),
        run_incomplete_upstream=False, run_settings=None, run_tests=True, run_upstream=run_upstream,
        update_status=True, upstream_blocks=block.upstream_block_uuids, variables=None)  # as the frontend sends it
    msg_id = client.execute(add_internal_output_info(block, code))
    texts, outputs, error = [], [], None
    while True:
        try:
            message = client.get_iopub_msg(timeout=600)
        except queue.Empty:
            error = 'no answer from the kernel in 600 s'
            break
        if message['parent_header'].get('msg_id') != msg_id:
            continue
        kind, content = message['msg_type'], message['content']
        if kind == 'stream':
            texts.append(content['text'])
        elif kind in ('execute_result', 'display_data'):
            texts.append(content['data'].get('text/plain', ''))
        elif kind == 'error':
            error = '\n'.join(content['traceback'] or [f"{content['ename']}: {content['evalue']}"])
        elif kind == 'status' and content['execution_state'] == 'idle':
            break
    text = filter_out_env_var_values(''.join(texts))
    for line in text.splitlines():
        if line.startswith(OUTPUT_TAG):
            outputs.extend(json.loads(line[len(OUTPUT_TAG):line.rindex('</RenderOutput>')]))
    return {'text': text, 'error': filter_out_env_var_values(error) if error else None, 'outputs': outputs}


def save_pipeline(pipeline_uuid: str) -> dict[str, Any]:
    from mage_ai.data_preparation.models.pipeline import Pipeline

    Pipeline.get(pipeline_uuid).save()
    return {'text': '', 'error': None, 'outputs': []}


def main(steps: list[dict[str, Any]], results_file: str) -> None:
    install_fixes()
    from mage_ai.server.kernels import kernel_managers

    manager = kernel_managers['python3']
    manager.start_kernel(cwd=os.path.dirname(os.environ['MAGE_REPO_PATH']))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        results = [save_pipeline(step['pipeline']) if step.get('save') else
                   run_block(client, step['pipeline'], step['block'], bool(step.get('run_upstream')))
                   for step in steps]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    with open(results_file, 'w') as out:
        json.dump(results, out, default=str)


if __name__ == '__main__':
    main(json.loads(sys.argv[1]), sys.argv[2])
