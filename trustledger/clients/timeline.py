"""One timeline of a client relationship, gathered from every capability.

Each capability that has something to tell about a client registers, in its ``timeline``
module, a function ``events(workspace, client) -> Iterable[TimelineEvent]`` with
``core.extensions.timeline_sources``; it reads its facts in a fixed number of queries. The
client page merges them newest first, so a reader sees the story in order: engagements, slips,
notices, check-ins, surveys, alerts, recovery steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from trustledger.core.extensions import timeline_sources

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace

Tone = Literal["good", "bad", "neutral"]


@dataclass(frozen=True)
class TimelineEvent:
    on: dt.date
    kind: str  # a short label shown as the event's tag, e.g. "Slip", "Check-in", "Alert"
    title: str
    detail: str = ""
    url: str = ""
    tone: Tone = "neutral"


def client_timeline(
    workspace: Workspace, client: Client, *, kinds: set[str] | None = None
) -> list[TimelineEvent]:
    """Every source's events for the client, newest first (ties keep the sources' order)."""
    gathered: list[TimelineEvent] = []
    for events in timeline_sources:
        gathered.extend(events(workspace, client))
    if kinds:
        gathered = [e for e in gathered if e.kind in kinds]
    return sorted(gathered, key=lambda e: e.on, reverse=True)
