"""What a block of yours gets for an output of the project's loader or transformer (nyc_taxi.mage.trips)."""
from __future__ import annotations

import pandas as pd
import pytest

from nyc_taxi.mage.trips import (PANDAS_MAX_TRIPS, PANDAS_MAX_TRIPS_SETTING, block_output, input_for_a_block_of_yours,
                                 map_trips, pandas_max_trips, trips_to_export)
from nyc_taxi.model.schema import schema_for
from nyc_taxi.model.transform import clean_trips
from nyc_taxi.sources.release_csv import read_trip_file
from nyc_taxi.staging.stage import new_stage
from tests.unit.test_staging import staged_source

YELLOW = schema_for('yellow')


@pytest.fixture
def staged(tmp_path, yellow_jan_file):
    return staged_source(new_stage(tmp_path, 'api_to_postgres', 'run-1-load_taxi_data_api'), yellow_jan_file)


def test_a_month_within_the_limit_is_one_dataframe_of_every_trip_and_the_course_line_works(staged, yellow_jan_file):
    data = input_for_a_block_of_yours(block_output(staged), 'homework', in_editor=True, environ={})
    assert type(data) is pd.DataFrame  # Mage checks `type(df) is DataFrame` in places: no subclass
    expected = read_trip_file(yellow_jan_file, YELLOW)
    assert len(data) == staged.trips == len(expected) and list(data.columns) == list(expected.columns)
    kept = data[data['passenger_count'] > 0]
    assert len(kept) == int((expected['passenger_count'] > 0).sum())
    with pytest.raises(KeyError):
        data[0]  # what one tries on a list of outputs: never the preview


def test_over_the_limit_the_staged_trips_refuse_dataframe_use_naming_size_setting_and_map_trips(staged):
    data = input_for_a_block_of_yours(block_output(staged), 'homework', in_editor=True,
                                      environ={PANDAS_MAX_TRIPS_SETTING: '100'})
    with pytest.raises(TypeError) as refused:
        data[data['passenger_count'] > 0]
    message = str(refused.value)
    assert f'{staged.trips:,} trips' in message and f'{PANDAS_MAX_TRIPS_SETTING}=100' in message
    assert 'map_trips(data, function, **kwargs)' in message and 'GB' in message


def test_in_a_run_the_block_of_yours_releases_the_stage_it_read_whole(staged):
    stage_dir = staged.path.parent
    input_for_a_block_of_yours(block_output(staged), 'homework', in_editor=False, environ={})
    assert not stage_dir.exists()  # its only reader; in the editor it stays, the loader's output


def test_any_other_input_is_handed_as_mage_hands_it():
    frame = pd.DataFrame({'a': [1]})
    assert input_for_a_block_of_yours(frame, 'mine', in_editor=True, environ={}) is frame
    assert input_for_a_block_of_yours([1, 'x'], 'mine', in_editor=True, environ={}) == [1, 'x']


def test_the_limit_setting():
    assert pandas_max_trips({}) == PANDAS_MAX_TRIPS
    assert pandas_max_trips({PANDAS_MAX_TRIPS_SETTING: '2_500_000'}) == 2_500_000
    with pytest.raises(ValueError, match=PANDAS_MAX_TRIPS_SETTING):
        pandas_max_trips({PANDAS_MAX_TRIPS_SETTING: 'lots'})


def test_map_trips_on_a_dataframe_applies_the_function_to_it():
    frame = pd.DataFrame({'passenger_count': [0, 1, 2]})
    kept = map_trips(frame, lambda trips: trips[trips['passenger_count'] > 0], block_uuid='mine')
    assert kept['passenger_count'].tolist() == [1, 2]


def test_an_exporter_takes_the_clean_columns_of_a_dataframe_of_yours_in_batches(yellow_jan_file):
    clean = clean_trips(read_trip_file(yellow_jan_file, YELLOW), YELLOW)[0]
    clean['a_column_of_yours'] = 1
    run = {'taxi_type': 'yellow', 'year': 2021, 'month': 1}  # a `mage run` of the month
    trips = trips_to_export(clean, 'taxi_data_to_postgres', run)
    batches = list(trips.batches())
    assert str(trips.request) == 'yellow 2021-01' and sum(batch.num_rows for batch in batches) == len(clean)
    assert 'a_column_of_yours' not in batches[0].schema.names
    with pytest.raises(ValueError, match='lack the column'):
        list(trips_to_export(clean.drop(columns=['trip_distance']), 'x', run).batches())
