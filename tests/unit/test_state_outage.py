"""The scheduler's news while Mage's state database is away: how long, every minute, one alert, and its end."""
from __future__ import annotations

from sqlalchemy.exc import OperationalError

from nyc_taxi.mage.state_outage import ALERT_AFTER_S, LOG_EVERY_S, StateOutage

LOST = OperationalError('SELECT 1', {}, Exception('server closed the connection unexpectedly\nmore'))


def test_the_first_skipped_tick_says_so_then_a_line_a_minute_with_how_long():
    outage = StateOutage()
    first = outage.tick_failed(1000.0, LOST)
    assert first.log_line.startswith("Mage's state database has been unreachable for 0 s (")
    assert 'server closed the connection unexpectedly' in first.log_line and 'skips this tick' in first.log_line
    assert outage.tick_failed(1010.0, LOST).log_line is None
    assert 'unreachable for 60 s' in outage.tick_failed(1000.0 + LOG_EVERY_S, LOST).log_line


def test_one_alert_once_it_has_been_too_long_and_a_line_when_it_is_back():
    outage = StateOutage()
    outage.tick_failed(0.0, LOST)
    assert outage.tick_failed(ALERT_AFTER_S - 1, LOST).alert is None
    alert = outage.tick_failed(ALERT_AFTER_S, LOST).alert
    assert f'for {ALERT_AFTER_S:.0f} s' in alert and 'no scheduled or backfill run starts' in alert
    assert outage.tick_failed(ALERT_AFTER_S + 30, LOST).alert is None
    assert outage.tick_passed(ALERT_AFTER_S + 40).log_line == \
        f"Mage's state database is back after {ALERT_AFTER_S + 40:.0f} s; the scheduler ticks again"
    assert outage.tick_passed(ALERT_AFTER_S + 50).log_line is None
    assert outage.tick_failed(1000.0, LOST).log_line.startswith("Mage's state database has been unreachable for 0 s")


def test_a_new_outage_alerts_again():
    outage = StateOutage()
    outage.tick_failed(0.0, LOST)
    assert outage.tick_failed(ALERT_AFTER_S, LOST).alert
    outage.tick_passed(ALERT_AFTER_S + 1)
    outage.tick_failed(1000.0, LOST)
    assert outage.tick_failed(1000.0 + ALERT_AFTER_S, LOST).alert
