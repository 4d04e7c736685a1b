"""A commit that is saved but whose caller never hears so: the moment a restart of PostgreSQL can leave a write in.

With a synchronous standby that never comes, a commit is written and durable, then waits for it; ending its
connection then (pg_terminate_backend, what a restart does to each connection) leaves the commit standing and the
caller with a lost connection. The stack's server runs with synchronous_commit=off for speed: the database whose
commits are to wait turns it on for itself."""
from __future__ import annotations

import threading
from typing import Callable

from tests.integration.pg import query
from tests.integration.waiting import wait_until


def commits_can_wait(admin, database: str) -> None:
    with admin.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE {database} SET synchronous_commit = on')


def commits_wait_for_a_standby(admin, wait: bool) -> None:
    setting = "ALTER SYSTEM SET synchronous_standby_names = 'a_standby_that_never_comes'" if wait else \
        'ALTER SYSTEM RESET synchronous_standby_names'
    with admin.cursor() as cursor:
        cursor.execute(setting)
        cursor.execute('SELECT pg_reload_conf()')


def waiting_commits(admin, database: str) -> list[int]:
    return [pid for (pid,) in query(admin, "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                           "AND wait_event = 'SyncRep'", (database,))]


def lose_the_connection_of_the_first_commit(admin, database: str, write: Callable[[], None]) -> None:
    """Runs `write` (which commits to `database`) on a thread: its first commit is saved, then its connection is
    lost; the commits after it go through. Returns when `write` has returned."""
    commits_wait_for_a_standby(admin, True)
    try:
        caller = threading.Thread(target=write)
        caller.start()
        wait_until(lambda: waiting_commits(admin, database), timeout_s=60, every_s=0.1)
        for pid in waiting_commits(admin, database):
            query(admin, 'SELECT pg_terminate_backend(%s)', (pid,))
    finally:
        commits_wait_for_a_standby(admin, False)
    caller.join(timeout=120)
