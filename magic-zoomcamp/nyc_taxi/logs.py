"""The logger a block should hand to the library: Mage's own in scheduled runs, stdout otherwise."""
from __future__ import annotations

import logging
import sys
from typing import Any, Mapping


def block_logger(kwargs: Mapping[str, Any]) -> logging.Logger:
    # Scheduled and backfill runs pass Mage's logger, whose lines land in the run's log in the UI;
    # `mage run` passes none, and there stdout is what the user watches.
    mage_logger = kwargs.get('logger')
    if mage_logger is not None:
        return mage_logger
    logger = logging.getLogger('nyc_taxi')
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(message)s'))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
