"""What a target keeps of each month it holds, beside the month itself: the ledger's entry.

Every writer records it in the same transaction or step as the month's rows (nyc_taxi.targets.postgres_ledger,
nyc_taxi.targets.gcs_ledger), so a month and its record never part: from it a run tells a month that is
current (the same source file, loaded under the same transform) from one to load again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

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

    def written(self, rows: int) -> LoadRecord:
        """The record of this load as it is written: its rows, and now."""
        return replace(self, rows=rows, loaded_at=datetime.now(tz=timezone.utc).replace(microsecond=0))

    def to_json(self) -> str:
        """The record as targets keep it (a partition's comment, an object's metadata): flat, sorted JSON."""
        version = self.version
        return json.dumps({'source_url': version.url if version else None, 'etag': version.etag if version else None,
                           'last_modified': version.last_modified if version else None,
                           'content_length': version.content_length if version else None,
                           'transform_fingerprint': self.transform_fingerprint, 'rows': self.rows,
                           'loaded_by': self.loaded_by,
                           'loaded_at': self.loaded_at.isoformat(timespec='seconds') if self.loaded_at else None},
                          sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> LoadRecord | None:
        """The record in `text`; None for no text, or text that is not a record (a comment of someone else's)."""
        if not text:
            return None
        try:
            loaded: dict[str, Any] = json.loads(text)
        except ValueError:
            return None
        if not isinstance(loaded, dict) or 'transform_fingerprint' not in loaded:
            return None
        version = SourceVersion(loaded['source_url'], loaded.get('etag'), loaded.get('last_modified'),
                                loaded.get('content_length')) if loaded.get('source_url') else None
        return cls(version=version, transform_fingerprint=loaded['transform_fingerprint'],
                   loaded_by=loaded.get('loaded_by') or '', rows=loaded.get('rows'),
                   loaded_at=datetime.fromisoformat(loaded['loaded_at']) if loaded.get('loaded_at') else None)
