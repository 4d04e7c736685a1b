"""Log lines say which block of which pipeline wrote them, on stdout and in Mage's own run log."""
from __future__ import annotations

from nyc_taxi.logs import block_logger


def test_mage_run_lines_start_with_pipeline_and_block(capsys):
    block_logger({'pipeline_uuid': 'api_to_postgres', 'block_uuid': 'load_taxi_data_api'}).info('%d rows', 3)
    assert capsys.readouterr().out.rstrip().endswith('INFO api_to_postgres/load_taxi_data_api: 3 rows')


def test_without_a_block_lines_are_plain(capsys):
    block_logger({}).warning('nothing to %s', 'write')
    assert capsys.readouterr().out.rstrip().endswith('WARNING nothing to write')


class DictLoggerLike:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, message: str) -> None:
        self.lines.append(('info', message))


def test_scheduled_runs_hand_finished_lines_to_mages_logger():
    mage_logger = DictLoggerLike()
    block_logger({'logger': mage_logger, 'block_uuid': 'b'}).info('%s of %s', 'day', 'trips')
    assert mage_logger.lines == [('info', 'day of trips')]
