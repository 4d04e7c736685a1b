import pytest

from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.sources.month_source import DEFAULT_TLC_URL, month_source

MARCH = MonthRequest(taxi_type='fhv', year=2019, month=3)


def test_release_is_the_default_and_keeps_the_release_layout():
    source = month_source({}, {'TAXI_DATA_BASE_URL': 'http://h/base/'})
    assert source.url(MARCH) == 'http://h/base/fhv/fhv_tripdata_2019-03.csv.gz'


@pytest.mark.parametrize('value', ['tlc', 'TLC', ' tlc '])
def test_tlc_reads_the_flat_parquet_layout(value):
    assert month_source({'source': value}, {}).url(MARCH) == f'{DEFAULT_TLC_URL}/fhv_tripdata_2019-03.parquet'
    assert month_source({'source': value}, {'TLC_TRIP_DATA_URL': 'http://h/trip-data'}).url(MARCH) == \
        'http://h/trip-data/fhv_tripdata_2019-03.parquet'


@pytest.mark.parametrize('value', [None, '', 'None', 'null'])
def test_unset_means_release(value):
    assert month_source({'source': value}, {}).name == 'release'


def test_nonsense_is_named():
    with pytest.raises(ValueError, match="Invalid pipeline variables: source='s3' must be one of release, tlc"):
        month_source({'source': 's3'}, {})
