"""The logger a block should hand to the library: Mage's own in scheduled runs, stdout otherwise."""
from __future__ import annotations

import logging
import sys
from typing import Any, Mapping


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


def block_logger(kwargs: Mapping[str, Any]) -> logging.Logger | MageLogger:
    # Scheduled and backfill runs pass Mage's logger, whose lines land in the run's log in the UI;
    # `mage run` passes none, and there stdout is what the user watches.
    mage_logger = kwargs.get('logger')
    if mage_logger is not None:
        return MageLogger(mage_logger)
    logger = logging.getLogger('nyc_taxi')
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(message)s'))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
