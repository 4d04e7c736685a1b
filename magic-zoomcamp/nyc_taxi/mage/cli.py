"""Mage's command line with the project's fixes to Mage 0.9.80: `python -m nyc_taxi.mage.cli start magic-zoomcamp`
instead of `mage start magic-zoomcamp`. The fixes are in nyc_taxi.mage.fixes, one module each, with Mage's bug,
where the fix applies and its canary (docs/mage-fixes.md); each is installed only into the Mage it was
written for. Before that, the start checks PIPELINE_RUNS_AT_ONCE, builds MAGE_DATABASE_CONNECTION_URL from
compose's parts (MAGE_STATE_DB_HOST, ...; the password escaped) when it is unset, and creates Mage's state
database when the URL names one that is missing.
"""
from __future__ import annotations

import os
import sys

from nyc_taxi.mage.fixes import install_fixes
from nyc_taxi.mage.runs_at_once import pipeline_runs_at_once
from nyc_taxi.mage.state_database import StateDatabaseError, ensure_state_database, state_url_from_parts


def use_started_project(argv: list[str]) -> None:
    """For `start PROJECT`, points Mage at the project before the fixes import Mage's scheduler, as Mage's own
    `start` does before its imports: Mage reads the project's settings (queue_config, the state database's
    place) once, at import, from whatever project it is pointed at then, else from the working directory."""
    arguments = argv[1:]
    if arguments[:1] != ['start']:
        return
    project = next((argument for argument in arguments[1:] if not argument.startswith('-')), None)
    if project is not None:
        from mage_ai.settings.repo import set_repo_path

        set_repo_path(os.path.abspath(project))


def main() -> None:
    try:
        os.environ.update(state_url_from_parts(os.environ))
        pipeline_runs_at_once(os.environ)
        if ensure_state_database(os.environ):
            print('Created Mage\'s state database (MAGE_DATABASE_CONNECTION_URL)', file=sys.stderr)
    except (ValueError, StateDatabaseError) as error:
        sys.exit(str(error))
    use_started_project(sys.argv)
    install_fixes(sys.argv[1] if len(sys.argv) > 1 else None)
    from mage_ai.cli.main import app

    sys.argv[0] = 'mage'
    sys.exit(app())


if __name__ == '__main__':
    main()
