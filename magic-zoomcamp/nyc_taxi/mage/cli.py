"""Mage's command line with the project's fix for its process queue (see mage_worker_pool):
`python -m nyc_taxi.mage.cli start magic-zoomcamp` instead of `mage start magic-zoomcamp`."""
from __future__ import annotations

import sys

from nyc_taxi.mage.worker_pool import keep_worker_pool_running


def main() -> None:
    keep_worker_pool_running()
    from mage_ai.cli.main import app

    sys.argv[0] = 'mage'
    sys.exit(app())


if __name__ == '__main__':
    main()
