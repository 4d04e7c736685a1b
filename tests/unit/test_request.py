import pytest

from nyc_taxi.request import DEFAULT_BASE_URL, MonthRequest, base_url_from_env, month_request_from_kwargs


def test_defaults_are_yellow_january_2021():
    assert month_request_from_kwargs({}) == MonthRequest(taxi_type='yellow', year=2021, month=1)


def test_runtime_variables_arrive_as_strings_and_are_coerced():
    request = month_request_from_kwargs({'taxi_type': 'green', 'year': '2020', 'month': '11', 'env': 'dev'})
    assert (request.taxi_type, request.year, request.month) == ('green', 2020, 11)


def test_url_follows_the_release_layout():
    request = MonthRequest(taxi_type='green', year=2020, month=3)
    assert request.url('http://host/base/') == 'http://host/base/green/green_tripdata_2020-03.csv.gz'
    assert str(request.month_start) == '2020-03-01'


@pytest.mark.parametrize('variables, named', [
    ({'taxi_type': 'yellow; DROP TABLE x'}, 'taxi_type'),
    ({'taxi_type': 'fhv'}, 'taxi_type'),
    ({'month': 13}, 'month'),
    ({'month': 0}, 'month'),
    ({'year': 1999}, 'year'),
    ({'year': 'twenty'}, 'year'),
])
def test_invalid_variables_are_rejected_by_name(variables, named):
    with pytest.raises(ValueError, match=f'Invalid pipeline variables: {named}='):
        month_request_from_kwargs(variables)


def test_base_url_defaults_to_the_public_release():
    assert base_url_from_env({}) == DEFAULT_BASE_URL
    assert base_url_from_env({'TAXI_DATA_BASE_URL': 'http://127.0.0.1:1'}) == 'http://127.0.0.1:1'
