"""What the scheduler says while Mage's state database is away: how long, and an alert once it has been too long.

The scheduler skips its ticks meanwhile (nyc_taxi.mage.fixes.state_sessions) so that the running runs go on; this
keeps that from being a silent stall: a line at the first skipped tick and every LOG_EVERY_S after, an alert
through the project's notification_config once the outage reaches ALERT_AFTER_S, and a line when it ends."""
from __future__ import annotations

from dataclasses import dataclass

from nyc_taxi.error_lines import first_line

LOG_EVERY_S = 60.0
ALERT_AFTER_S = 300.0


@dataclass(frozen=True)
class OutageNews:
    log_line: str | None = None
    alert: str | None = None


@dataclass
class StateOutage:
    since: float | None = None
    logged_at: float | None = None
    alerted: bool = False

    def tick_failed(self, now: float, error: BaseException) -> OutageNews:
        if self.since is None:
            self.since, self.logged_at, self.alerted = now, None, False
        away = now - self.since
        quoted = first_line(error)
        log_line = None
        if self.logged_at is None or now - self.logged_at >= LOG_EVERY_S:
            self.logged_at = now
            log_line = (f"Mage's state database has been unreachable for {away:.0f} s ({quoted}); the scheduler "
                        'skips this tick and tries again at the next, leaving the running runs alone')
        alert = None
        if not self.alerted and away >= ALERT_AFTER_S:
            self.alerted = True
            alert = (f"Mage's scheduler has not reached its state database for {away:.0f} s ({quoted}): no "
                     'scheduled or backfill run starts until it is back. Check the database '
                     '(MAGE_DATABASE_CONNECTION_URL, or MAGE_STATE_DB_HOST in docker compose); the scheduler '
                     'goes on by itself once it answers.')
        return OutageNews(log_line, alert)

    def tick_passed(self, now: float) -> OutageNews:
        if self.since is None:
            return OutageNews()
        away, self.since = now - self.since, None
        return OutageNews(f"Mage's state database is back after {away:.0f} s; the scheduler ticks again")
