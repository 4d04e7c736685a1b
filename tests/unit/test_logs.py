"""Log lines say which block of which pipeline wrote them, on stdout and in Mage's own run log."""
from __future__ import annotations

from nyc_taxi.logs import block_logger


def test_mage_run_lines_start_with_pipeline_and_block(capsys):
    block_logger({'pipeline_uuid': 'api_to_postgres'}, 'load_taxi_data_api').info('%d rows', 3)
    assert capsys.readouterr().out.rstrip().endswith('INFO api_to_postgres/load_taxi_data_api: 3 rows')


def test_the_block_names_itself_whatever_kwargs_say(capsys):
    # Mage shares one kwargs dict between blocks it runs at once: block_uuid may be a sibling's.
    block_logger({'pipeline_uuid': 'api_to_gcs', 'block_uuid': 'taxi_data_to_gcs_partitioned'},
                 'taxi_data_to_gcs_parquet').info('written')
    assert capsys.readouterr().out.rstrip().endswith('INFO api_to_gcs/taxi_data_to_gcs_parquet: written')


def test_outside_a_pipeline_lines_name_the_block(capsys):
    block_logger({}, 'load_taxi_data_api').warning('nothing to %s', 'write')
    assert capsys.readouterr().out.rstrip().endswith('WARNING load_taxi_data_api: nothing to write')


class DictLoggerLike:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, message: str) -> None:
        self.lines.append(('info', message))


def test_scheduled_runs_hand_finished_lines_to_mages_logger():
    mage_logger = DictLoggerLike()
    block_logger({'logger': mage_logger}, 'b').info('%s of %s', 'day', 'trips')
    assert mage_logger.lines == [('info', 'day of trips')]
