"""A block of yours below the project's loader or transformer gets the month's trips as one pandas DataFrame.

Mage's bug (0.9.80, mage_ai/data_preparation/models/block/__init__.py, Block.fetch_input_variables), or rather
what Mage leaves to a project: a block gets the outputs of the block above it as they were stored, and the
project's blocks output `[preview, (summary,) staged trips]`, which its own blocks read a batch at a time. The
course's code below them (`data[data['passenger_count'] > 0]`) then failed with "list indices must be integers
or slices, not str", and `data[0]` ran green on the 10-row preview as if it were the month.

The fix: a block that is not one of the project's (nyc_taxi.mage.fixes.scope.PROJECT_BLOCKS), in any pipeline,
gets for such an output the trips as one DataFrame, up to NYC_TAXI_PANDAS_MAX_TRIPS trips, else the staged
trips, which refuse DataFrame use naming the month's size, the setting and map_trips
(nyc_taxi.mage.trips.input_for_a_block_of_yours). Every other input is as Mage hands it: a pipeline that does
not use the project's blocks runs as on stock Mage.

Applies to: blocks of yours that read an output of the project's staging blocks, in the editor, in runs and
with `mage run`.

Canary: tests/canaries/test_blocks_of_yours.py (stock Mage hands such a block the list of outputs).
"""
from __future__ import annotations

from typing import Any

from nyc_taxi.mage.fixes.guard import MageFix, Target
from nyc_taxi.mage.fixes.scope import is_project_block

MAGES_PARAMETERS = ('self', 'input_args', 'block_run_outputs_cache', 'data_integration_settings_mapping',
                    'dynamic_block_index', 'dynamic_block_indexes', 'dynamic_upstream_block_uuids',
                    'execution_partition', 'from_notebook', 'global_vars', 'upstream_block_uuids', 'metadata',
                    'upstream_block_uuids_override')


def install() -> None:
    from mage_ai.data_preparation.models.block import Block

    mages_fetch = Block.fetch_input_variables

    def fetch_input_variables(self: Any, input_args: Any, *args: Any, **kwargs: Any) -> Any:
        input_vars, kwargs_vars, upstream_block_uuids = mages_fetch(self, input_args, *args, **kwargs)
        if input_args is not None or is_project_block(self.uuid) or not isinstance(input_vars, list):
            return input_vars, kwargs_vars, upstream_block_uuids
        from nyc_taxi.mage.trips import input_for_a_block_of_yours

        in_editor = bool(kwargs['from_notebook'] if 'from_notebook' in kwargs else
                         args[MAGES_PARAMETERS.index('from_notebook') - 2] if len(args) > 6 else False)
        return ([input_for_a_block_of_yours(value, self.uuid, in_editor) for value in input_vars], kwargs_vars,
                upstream_block_uuids)

    Block.fetch_input_variables = fetch_input_variables


FIX = MageFix(
    name='blocks_of_yours',
    bug="a block below the project's loader or transformer gets its list of outputs, not the trips: the course's "
        "pandas line fails, and data[0] is the 10-row preview",
    applies_to="blocks of yours, in any pipeline, reading an output of the project's loader or transformer",
    targets=(Target('mage_ai.data_preparation.models.block', 'Block.fetch_input_variables', MAGES_PARAMETERS),
             # Where a block's inputs come from before its function runs, in the editor and in runs alike.
             Target('mage_ai.data_preparation.models.block', 'Block._Block__get_outputs_from_input_vars',
                    uses='self.fetch_input_variables(')),
    install=install,
)
