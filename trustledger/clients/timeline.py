"""One timeline of a client relationship, gathered from every capability.

Each capability that has something to tell about a client lists a module in ``SOURCES`` with a
function ``events(workspace, client) -> Iterable[TimelineEvent]`` that reads its facts in a fixed
number of queries. The client page merges them newest first, so a reader sees the story in order:
engagements, slips, notices, check-ins, surveys, alerts, recovery steps.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace

Tone = Literal["good", "bad", "neutral"]

SOURCES = [
    "trustledger.engagements.timeline",
    "trustledger.communications.timeline",
    "trustledger.feedback.timeline",
    "trustledger.trust.timeline",
    "trustledger.recovery.timeline",
    "trustledger.relationships.timeline",
]


@dataclass(frozen=True)
class TimelineEvent:
    on: dt.date
    kind: str  # a short label shown as the event's tag, e.g. "Slip", "Check-in", "Alert"
    title: str
    detail: str = ""
    url: str = ""
    tone: Tone = "neutral"


class Source(Protocol):
    def events(self, workspace: Workspace, client: Client) -> Iterable[TimelineEvent]: ...


def client_timeline(
    workspace: Workspace, client: Client, *, kinds: set[str] | None = None
) -> list[TimelineEvent]:
    """Every source's events for the client, newest first (ties keep the sources' order)."""
    gathered: list[TimelineEvent] = []
    for name in SOURCES:
        source: Source = importlib.import_module(name)
        gathered.extend(source.events(workspace, client))
    if kinds:
        gathered = [e for e in gathered if e.kind in kinds]
    return sorted(gathered, key=lambda e: e.on, reverse=True)
