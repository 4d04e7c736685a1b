"""What a target keeps of each month it holds, beside the month itself: the ledger's entry.

Every writer records it in the same transaction or step as the month's rows (the Postgres writer:
nyc_taxi.targets.postgres_ledger), so a month and its record never part: from it a run tells a month that is
current (the same source file, loaded under the same transform) from one to load again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nyc_taxi.sources.source_version import SourceVersion


@dataclass(frozen=True)
class LoadRecord:
    # The source file's version as its server described it when it was downloaded; None: it said nothing.
    version: SourceVersion | None
    transform_fingerprint: str
    # Which run wrote it: '<pipeline> run <id>' under Mage's scheduler, '<pipeline>' otherwise.
    loaded_by: str
    rows: int | None = None
    loaded_at: datetime | None = None

    def current_for(self, version: SourceVersion | None, transform_fingerprint: str) -> bool:
        """Whether a load of `version` under `transform_fingerprint` would write what this load wrote."""
        return (self.version is not None and version is not None and self.version.same_file(version)
                and self.transform_fingerprint == transform_fingerprint)
