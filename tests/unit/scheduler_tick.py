"""One tick of Mage's scheduler loop with the project's fixes, whose schedule_all raises the error named on
the command line (`lost`: the state database refusing connections; `bug`: anything else), or `twice`: the
fixes installed twice. Run in a process of its own (tests/unit/test_state_sessions.py): importing Mage's
scheduler forks its job queue's manager, which would outlive the test and hold pytest's pipes open."""
from __future__ import annotations

import sys

import sqlalchemy.exc

from nyc_taxi.mage.fixes import state_sessions
from nyc_taxi.mage.fixes.guard import install_guarded

ERRORS = {
    'lost': sqlalchemy.exc.OperationalError(
        'SELECT 1', {}, OSError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')),
    'bug': ValueError('a bug'),
}


def tick(error: BaseException) -> None:
    from mage_ai.orchestration.triggers import time_trigger
    from mage_ai.orchestration.triggers.loop_time_trigger import LoopTimeTrigger

    install_guarded((state_sessions.FIX,))

    def schedule_all() -> None:
        raise error

    time_trigger.schedule_all = schedule_all
    time_trigger.check_sla = lambda: None
    LoopTimeTrigger(trigger_interval=1).run()


def installs_once() -> bool:
    from mage_ai.orchestration.triggers.time_trigger import TimeTrigger

    install_guarded((state_sessions.FIX,))
    first = TimeTrigger.run
    install_guarded((state_sessions.FIX,))
    return TimeTrigger.run is first


if __name__ == '__main__':
    case = sys.argv[1]
    if case == 'twice':
        print(f'wrapped once: {installs_once()}')
    else:
        tick(ERRORS[case])
        print('the tick returned')
