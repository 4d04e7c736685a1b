"""What a loader hands down instead of staged trips when every target of the run holds its trips current.

The blocks below pass it on, and the exporters write nothing (nyc_taxi.mage.current_months decides for a month,
nyc_taxi.mage.current_dates for gcs_to_bigquery's dates). Mage stores it as a block output like the staged
trips, and shows `to_dict()` under the block.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nyc_taxi.staging.staged_trips import handle_in


@dataclass(frozen=True)
class Skipped:
    taxi_type: str
    # What was skipped: 'green 2020-03', or 'green 2020-10-01..2020-10-31'.
    what: str
    # 'green 2020-03 unchanged since 2026-12-07 14:02 UTC (ETag "…"): skipped; set force to reload'
    message: str
    # The source's version, as text: 'ETag "…"', or the GCS objects' generations.
    version: str
    # Each target's rows, by exporter block.
    rows: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {'skipped': self.what, 'why': self.message, 'version': self.version, 'rows': dict(self.rows)}

    def as_frame(self) -> pd.DataFrame:
        """The block's first output, what the editor and the run's page show first."""
        return pd.DataFrame({'skipped': [self.what], 'why': [self.message]})


def skipped_in(data: Any) -> Skipped | None:
    """The Skipped among a block's input (the loader's or the transformer's outputs), if any."""
    return handle_in(data, Skipped)
