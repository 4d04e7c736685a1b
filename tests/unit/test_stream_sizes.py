import pytest

from nyc_taxi.staging.stream_sizes import StreamSizes


def test_defaults_and_settings():
    assert StreamSizes.from_env({}) == StreamSizes(1 << 20, 100_000, 2)
    assert StreamSizes.from_env({'NYC_TAXI_CSV_BLOCK_BYTES': '16384', 'NYC_TAXI_ROWS_PER_GROUP': '500',
                                 'NYC_TAXI_COPY_STREAMS': '1'}) == StreamSizes(16384, 500, 1)


@pytest.mark.parametrize('value', ['0', '-5', 'lots'])
def test_nonsense_is_named(value):
    with pytest.raises(ValueError, match=f"NYC_TAXI_ROWS_PER_GROUP='{value}' must be a whole number"):
        StreamSizes.from_env({'NYC_TAXI_ROWS_PER_GROUP': value})
