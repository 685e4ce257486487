"""Signals: the SQL that turns a workspace's facts into indicator inputs, as of a date.

Each fact source (engagements, communications, feedback) contributes a ``collect`` function that
reads the whole workspace in a fixed number of queries, whatever the number of clients, and fills
the ``ClientFacts`` of every client. Point in time: a source uses only facts that happened by
``as_of`` and were recorded by the end of that day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trustledger.scoring.facts import ClientFacts
from trustledger.scoring.index import IndexSettings
from trustledger.trust.signals import communications, engagements, feedback
from trustledger.workspaces.models import Workspace


@dataclass(frozen=True)
class Scope:
    """What a source reads: one workspace, as of a date, optionally only some clients."""

    workspace: Workspace
    as_of: dt.date
    settings: IndexSettings
    client_ids: Sequence[int] | None = None

    @property
    def window_start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=self.settings.window_days)

    @property
    def known_before(self) -> dt.datetime:
        """Facts recorded before this instant (the end of ``as_of``, UTC) were known on as_of."""
        return dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


type FactsByClient = defaultdict[int, ClientFacts]
type Source = Callable[[Scope, FactsByClient], None]

SOURCES: list[Source] = [engagements.collect, communications.collect, feedback.collect]


def collect(
    workspace: Workspace,
    as_of: dt.date,
    settings: IndexSettings,
    client_ids: Sequence[int] | None = None,
) -> FactsByClient:
    """Every client's facts as of ``as_of`` (clients without any facts are absent)."""
    scope = Scope(workspace, as_of, settings, client_ids)
    facts: FactsByClient = defaultdict(ClientFacts)
    for source in SOURCES:
        source(scope, facts)
    return facts
