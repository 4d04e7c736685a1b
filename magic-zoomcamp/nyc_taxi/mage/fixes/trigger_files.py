"""The project's trigger files stay as they were written under `mage start`.

Mage's bug (0.9.80, mage_ai/orchestration/db/models/schedules.py, PipelineSchedule.create_or_update_batch):
the scheduler syncs each pipeline's triggers.yaml into its database every tick. The first time
it sees an active trigger without `last_enabled_at`, it sets that to now and writes the whole file back
(`PipelineSchedule.create_or_update_batch`): comments gone, keys sorted, and a timestamp of this machine's
first start in a file everyone shares. `last_enabled_at` is the scheduler's own state (it keeps runs from
before that moment from being made), so the fix keeps it where the rest of that state lives, in Mage's
database: an active trigger the file gives no `last_enabled_at` gets the one the database already holds
for it, or now when it is new, before Mage looks. The scheduler then behaves as it would have, and
writes the file only when a person changes a trigger in the UI.

Applies to: the triggers of the project's pipelines (nyc_taxi.mage.fixes.scope); a learner's triggers are
synced as stock Mage syncs them.

Canary: tests/canaries/test_trigger_files.py (stock Mage rewrites api_to_postgres's triggers.yaml at its
first sync).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from nyc_taxi.mage.fixes.guard import MageFix, Target
from nyc_taxi.mage.fixes.scope import is_project_pipeline


def install() -> None:
    """Installs the fix into Mage's scheduler sync (call before Mage's scheduler starts; forks inherit it)."""
    from mage_ai.orchestration.db.models.schedules import PipelineSchedule, ScheduleStatus

    mages_batch = PipelineSchedule.create_or_update_batch.__func__

    def create_or_update_batch(cls: Any, trigger_configs: list) -> Any:
        missing = [trigger for trigger in trigger_configs
                   if trigger.status == ScheduleStatus.ACTIVE and trigger.last_enabled_at is None
                   and is_project_pipeline(trigger.pipeline_uuid)]
        if missing:
            known = {(schedule.pipeline_uuid, schedule.name): schedule.last_enabled_at
                     for schedule in PipelineSchedule.repo_query.filter(
                         PipelineSchedule.name.in_([trigger.name for trigger in missing])).all()}
            for trigger in missing:
                trigger.last_enabled_at = known.get((trigger.pipeline_uuid, trigger.name)) \
                    or datetime.now(tz=timezone.utc)
        return mages_batch(cls, trigger_configs)

    PipelineSchedule.create_or_update_batch = classmethod(create_or_update_batch)


FIX = MageFix(
    name='trigger_files',
    bug='the scheduler rewrites triggers.yaml at its first sync (last_enabled_at added, comments dropped)',
    applies_to="the project's pipelines' triggers.yaml",
    # Mage wraps the method in safe_db_query, which hides its parameters (trigger_configs).
    targets=(Target('mage_ai.orchestration.db.models.schedules', 'PipelineSchedule.create_or_update_batch',
                    ('args', 'kwargs')),),
    install=install,
)
