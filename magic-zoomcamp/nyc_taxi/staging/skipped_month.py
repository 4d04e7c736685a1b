"""What the loader hands down instead of staged trips when every target of the run holds the month current.

The blocks below pass it on, and the exporters write nothing (nyc_taxi.mage.current_months decides). Mage
stores it as a block output like the staged trips, and shows `to_dict()` under the block.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nyc_taxi.runs.request import MonthRequest
from nyc_taxi.sources.source_version import SourceVersion
from nyc_taxi.staging.staged_trips import handle_in


@dataclass(frozen=True)
class SkippedMonth:
    request: MonthRequest
    source_name: str
    version: SourceVersion
    # 'yellow 2020-03 unchanged since 2026-12-07 14:02 UTC (ETag "…"): skipped; set force to reload'
    message: str
    # Each target's rows, by exporter block.
    rows: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {'skipped': str(self.request), 'why': self.message, 'source': self.version.url,
                'version': self.version.describe(), 'rows': dict(self.rows)}

    def as_frame(self) -> pd.DataFrame:
        """The block's first output, what the editor and the run's page show first."""
        return pd.DataFrame({'skipped': [str(self.request)], 'why': [self.message]})


def skipped_month_in(data: Any) -> SkippedMonth | None:
    """The SkippedMonth among a block's input (the loader's or the transformer's outputs), if any."""
    return handle_in(data, SkippedMonth)
