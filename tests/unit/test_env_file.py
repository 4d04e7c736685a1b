from devstack.env_file import merged_environment, read_env_file, write_env_file


def test_round_trip_and_environment_wins(tmp_path):
    path = tmp_path / 'stack.env'
    write_env_file(path, {'POSTGRES_PORT': '54320', 'TAXI_DATA_BASE_URL': 'http://127.0.0.1:8765'})
    values = read_env_file(path)
    assert values == {'POSTGRES_PORT': '54320', 'TAXI_DATA_BASE_URL': 'http://127.0.0.1:8765'}
    merged = merged_environment({'POSTGRES_PORT': '6543'}, values)
    assert merged['POSTGRES_PORT'] == '6543' and merged['TAXI_DATA_BASE_URL'] == 'http://127.0.0.1:8765'
