"""The logger a block should hand to the library: Mage's own in scheduled runs, stdout otherwise."""
from __future__ import annotations

import logging
import sys
from typing import Any, Mapping, Union


class MageLogger:
    """Mage's run logger (a DictLogger) behind the `logging` call style the library uses:
    DictLogger takes one finished message, not a format string and arguments."""

    def __init__(self, mage_logger: Any) -> None:
        self._mage_logger = mage_logger

    def _log(self, level: str, message: str, *args: Any) -> None:
        getattr(self._mage_logger, level)(message % args if args else message)

    def info(self, message: str, *args: Any) -> None:
        self._log('info', message, *args)

    def warning(self, message: str, *args: Any) -> None:
        self._log('warning', message, *args)

    def error(self, message: str, *args: Any) -> None:
        self._log('error', message, *args)


class BlockPrefix(logging.LoggerAdapter):
    """Starts each line with `pipeline/block: `, so a terminal shows which block of which pipeline is working."""

    def process(self, msg: Any, kwargs: Any) -> tuple[str, Any]:
        return f'{self.extra["block"]}: {msg}', kwargs


RunLogger = Union[logging.Logger, BlockPrefix, MageLogger]


def block_logger(kwargs: Mapping[str, Any], block: str) -> RunLogger:
    """The logger for `block` (its uuid) of the run whose kwargs these are.

    The block names itself: Mage writes `block_uuid` into one dict shared by the blocks it runs at once
    (api_to_gcs's three exporters), so kwargs['block_uuid'] can name a sibling.
    """
    # Scheduled and backfill runs pass Mage's logger (a DictLogger), whose lines land in the block's log in
    # the UI; `mage run` passes none, and the editor a stdlib logger named `{block}_test` that writes to
    # stderr: there stdout is what the user watches, each line prefixed with its pipeline and block.
    mage_logger = kwargs.get('logger')
    if mage_logger is not None and not isinstance(mage_logger, logging.Logger):
        return MageLogger(mage_logger)
    pipeline = kwargs.get('pipeline_uuid')
    return BlockPrefix(_stdout_logger(), {'block': f'{pipeline}/{block}' if pipeline else block})


class _CurrentStdout(logging.StreamHandler):
    """Writes to whatever sys.stdout is now: Mage's editor (and pytest) swap it between block executions,
    and a handler holding the first one would write to a closed or stale stream."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def _stdout_logger() -> logging.Logger:
    logger = logging.getLogger('nyc_taxi')
    if not logger.handlers:
        handler = _CurrentStdout()
        handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(message)s'))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
