import pytest

from nyc_taxi.runs.request import DEFAULT_BASE_URL, MonthRequest, base_url_from_env, validated_month_request


def test_runtime_variables_arrive_as_strings_and_are_coerced():
    request = validated_month_request(taxi_type='green', year='2020', month='11')
    assert (request.taxi_type, request.year, request.month) == ('green', 2020, 11)


def test_a_month_names_its_file_and_first_day():
    request = MonthRequest(taxi_type='green', year=2020, month=3)
    assert request.file_name == 'green_tripdata_2020-03.csv.gz' and str(request.month_start) == '2020-03-01'


@pytest.mark.parametrize('variables, named', [
    ({'taxi_type': 'yellow; DROP TABLE x'}, 'taxi_type'),
    ({'taxi_type': 'hvfhv'}, 'taxi_type'),
    ({'month': 13}, 'month'),
    ({'month': 0}, 'month'),
    ({'year': 1999}, 'year'),
    ({'year': 'twenty'}, 'year'),
])
def test_invalid_variables_are_rejected_by_name(variables, named):
    with pytest.raises(ValueError, match=f'Invalid pipeline variables: {named}='):
        validated_month_request(**{'taxi_type': 'yellow', 'year': 2021, 'month': 1, **variables})


def test_base_url_defaults_to_the_public_release():
    assert base_url_from_env({}) == DEFAULT_BASE_URL
    assert base_url_from_env({'TAXI_DATA_BASE_URL': 'http://127.0.0.1:1'}) == 'http://127.0.0.1:1'
