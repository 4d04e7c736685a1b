"""Canary of nyc_taxi/mage/fixes/blocks_of_yours.py: Mage hands a block the stored outputs of the block above it as
they are, so a block of a learner's below a block that outputs `[preview, staged trips]` (the project's loader
and transformer) gets that list: the course's `data[data['passenger_count'] > 0]` fails with a TypeError, and
`data[0]` is the preview."""
from __future__ import annotations

from tests.canaries.scenario import fix_can_go, mages_state, project_copy, run_scenario

STAGING_LOADER = '''from pathlib import Path

import pyarrow as pa

from nyc_taxi.mage.trips import block_output
from nyc_taxi.staging.stage_files import stage_writer
from nyc_taxi.staging.staged_trips import StagedTrips

if 'data_loader' not in globals():
    from mage_ai.data_preparation.decorators import data_loader


@data_loader
def load(*args, **kwargs):
    """Stages three trips as the project's loader does, and outputs them as it does."""
    path = Path(kwargs['staging_dir']) / 'stage' / 'clean.arrow'
    path.parent.mkdir()
    with stage_writer(path, pa.schema([('passenger_count', pa.int16())])) as writer:
        writer.write_table(pa.table({'passenger_count': pa.array([1, 0, 2], pa.int16())}))
    return block_output(StagedTrips('yellow', 'yellow 2021-01', 'canary', 3, path.stat().st_size, None, None,
                                    str(path), 'my_staging_loader'))
'''
COURSE_TRANSFORMER = '''if 'transformer' not in globals():
    from mage_ai.data_preparation.decorators import transformer


@transformer
def transform(data, *args, **kwargs):
    got = {'got': type(data).__name__}
    try:
        got['course line'] = len(data[data['passenger_count'] > 0])
    except Exception as error:
        got['course line'] = type(error).__name__
    try:
        got['data[0]'] = len(data[0])
    except Exception as error:
        got['data[0]'] = type(error).__name__
    with open(kwargs['result_file'], 'w') as result:
        result.write(repr(got))
    return None
'''


def what_a_learners_block_gets() -> dict:
    """A learner's pipeline: the staging loader, then the course's transformer; what the transformer got."""
    import ast
    import tempfile
    from pathlib import Path

    project = project_copy()
    from mage_ai.data_preparation.models.block import Block
    from mage_ai.data_preparation.models.pipeline import Pipeline

    mages_state()
    pipeline = Pipeline.create('my first pipeline', repo_path=str(project))
    loader = Block.create('my staging loader', 'data_loader', str(project), language='python', pipeline=pipeline)
    Block.create('my transformer', 'transformer', str(project), language='python', pipeline=pipeline,
                 upstream_block_uuids=[loader.uuid])
    (project / 'data_loaders' / 'my_staging_loader.py').write_text(STAGING_LOADER)
    (project / 'transformers' / 'my_transformer.py').write_text(COURSE_TRANSFORMER)
    work = Path(tempfile.mkdtemp())
    variables = {'staging_dir': str(work), 'result_file': str(work / 'result')}
    from mage_ai.data_preparation.executors.pipeline_executor import PipelineExecutor

    PipelineExecutor(Pipeline.get(pipeline.uuid)).execute(global_vars=variables)  # as `mage run` runs it
    return ast.literal_eval((work / 'result').read_text())


def test_stock_mage_hands_a_learners_block_the_list_of_outputs():
    assert run_scenario('blocks_of_yours', 'what_a_learners_block_gets') == {
        'got': 'list', 'course line': 'TypeError', 'data[0]': 3}, fix_can_go('blocks_of_yours')  # the preview


def test_fixed_a_learners_block_gets_the_trips_as_one_dataframe():
    assert run_scenario('blocks_of_yours', 'what_a_learners_block_gets', fixed=True) == {
        'got': 'DataFrame', 'course line': 2, 'data[0]': 'KeyError'}  # no preview among them
