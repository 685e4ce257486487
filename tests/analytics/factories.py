"""Time entries for the analytics tests, written as the app's write paths write them: the
entry, then the engagement's monthly roll-up (analytics.rollup) rebuilt."""

from __future__ import annotations

from typing import Any

from tests.engagements.factories import TimeEntryFactory as _TimeEntryFactory
from trustledger.analytics.rollup import rebuild_engagements
from trustledger.engagements.models import TimeEntry


class TimeEntryFactory(_TimeEntryFactory):
    @classmethod
    def _create(cls, model_class: type[TimeEntry], *args: Any, **kwargs: Any) -> TimeEntry:
        entry: TimeEntry = super()._create(model_class, *args, **kwargs)
        rebuild_engagements([entry.engagement_id])
        return entry
