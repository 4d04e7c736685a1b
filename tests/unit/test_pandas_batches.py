"""A pandas function over staged trips, a batch at a time: the result is what the function gives on the whole
month, with the staged types kept."""
import pandas as pd
import pyarrow as pa
import pytest

from nyc_taxi.model.schema import schema_for
from nyc_taxi.sources.release_csv import trip_batches
from nyc_taxi.staging.pandas_batches import write_mapped_trips
from nyc_taxi.staging.stage_files import stage_writer, staged_batches
from nyc_taxi.staging.staged_trips import StagedTrips

YELLOW = schema_for('yellow')


@pytest.fixture
def trips(tmp_path, yellow_jan_file) -> StagedTrips:
    path = tmp_path / 'source.arrow'
    rows = 0
    with stage_writer(path, YELLOW.staged_arrow_schema) as writer:
        for batch in trip_batches(yellow_jan_file, YELLOW, block_size=16 << 10):
            writer.write_batch(batch)  # many batches
            rows += batch.num_rows
    return StagedTrips('yellow', 'yellow 2021-01', 'x', rows, 1, None, None, str(path), 'load_taxi_data_api')


def test_a_filter_and_a_new_column_batch_by_batch_equal_the_same_on_the_whole_month(tmp_path, trips):
    def homework(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[frame['passenger_count'] > 0].copy()
        frame['tip_share'] = frame['tip_amount'] / frame['total_amount']
        return frame

    assert len(list(trips.batches())) > 3
    rows = write_mapped_trips(trips, homework, tmp_path / 'out.arrow')
    result = pa.Table.from_batches(list(staged_batches(tmp_path / 'out.arrow')))
    whole = pa.Table.from_batches(list(trips.batches())).to_pandas()
    expected = homework(whole)
    assert rows == len(expected) == result.num_rows < len(whole)
    for field in trips.schema():  # kept columns keep their types (pandas floats an int with nulls)
        assert result.schema.field(field.name).type == field.type
    pd.testing.assert_frame_equal(result.to_pandas(), expected.reset_index(drop=True), check_dtype=False)


def test_a_function_that_returns_no_frame_or_other_columns_per_batch_fails_naming_the_batch(tmp_path, trips):
    with pytest.raises(TypeError, match='returned int for batch 0 of yellow 2021-01'):
        write_mapped_trips(trips, lambda frame: len(frame), tmp_path / 'a.arrow')
    calls = []

    def changes_its_mind(frame):
        calls.append(1)
        return frame if len(calls) == 1 else frame.drop(columns=['tip_amount'])

    with pytest.raises(ValueError, match='Batch 1 of yellow 2021-01 .* return the same columns for every batch'):
        write_mapped_trips(trips, changes_its_mind, tmp_path / 'b.arrow')
