"""Mage's command line with the project's fixes to Mage 0.9.80: `python -m nyc_taxi.mage.cli start magic-zoomcamp`
instead of `mage start magic-zoomcamp`. Each fix's module says what it fixes and why:
- nyc_taxi.mage.worker_pool: the scheduler's process queue no longer loses queued runs;
- nyc_taxi.mage.pipeline_files: saving a pipeline (the editor does after each block run) writes no run or
  machine state into metadata.yaml; nyc_taxi.mage.kernel installs it in the editor's kernel too;
- nyc_taxi.mage.kernel_usage: the editor no longer says the kernel restarted when it was only slow to answer;
- nyc_taxi.mage.trigger_files: the scheduler no longer rewrites triggers.yaml;
- nyc_taxi.mage.editor_output: the editor shows the project's settings, not asterisks, and masks its secrets;
- nyc_taxi.mage.alerts: an alert of a failed run names the failed block and its error, and empty settings
  send nothing;
- nyc_taxi.mage.runs_at_once: a PIPELINE_RUNS_AT_ONCE that is not a number stops the start, naming it;
- nyc_taxi.mage.retries: Mage's retries of a failed block are for transient failures only;
- nyc_taxi.mage.crashed_runs: a run a killed server left half done runs all its blocks again when resumed;
- nyc_taxi.mage.state_sessions: the UI, the REST API and running blocks survive a restart of Mage's state database;
- nyc_taxi.mage.state_database: the database MAGE_DATABASE_CONNECTION_URL names is created when missing.
"""
from __future__ import annotations

import os
import sys

from nyc_taxi.mage.alerts import alert_with_the_error
from nyc_taxi.mage.crashed_runs import restart_crashed_runs_whole
from nyc_taxi.mage.editor_output import show_settings_in_editor_output
from nyc_taxi.mage.kernel import use_project_kernel
from nyc_taxi.mage.kernel_usage import keep_kernel_usage_when_unanswered
from nyc_taxi.mage.pipeline_files import keep_pipeline_files_clean
from nyc_taxi.mage.retries import retry_only_transient_errors
from nyc_taxi.mage.runs_at_once import pipeline_runs_at_once
from nyc_taxi.mage.state_database import StateDatabaseError, ensure_state_database
from nyc_taxi.mage.state_sessions import survive_state_database_restarts
from nyc_taxi.mage.trigger_files import keep_trigger_files_clean
from nyc_taxi.mage.worker_pool import keep_worker_pool_running


def install_fixes() -> None:
    """Every fix, into this process and the processes it forks; the editor's kernel gets its own."""
    keep_worker_pool_running()
    keep_pipeline_files_clean()
    keep_trigger_files_clean()
    show_settings_in_editor_output()
    alert_with_the_error()
    restart_crashed_runs_whole()
    retry_only_transient_errors()
    survive_state_database_restarts()
    use_project_kernel()
    keep_kernel_usage_when_unanswered()


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
        pipeline_runs_at_once(os.environ)
        if ensure_state_database(os.environ):
            print('Created Mage\'s state database (MAGE_DATABASE_CONNECTION_URL)', file=sys.stderr)
    except (ValueError, StateDatabaseError) as error:
        sys.exit(str(error))
    use_started_project(sys.argv)
    install_fixes()
    from mage_ai.cli.main import app

    sys.argv[0] = 'mage'
    sys.exit(app())


if __name__ == '__main__':
    main()
