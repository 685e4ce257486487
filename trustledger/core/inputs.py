"""How facts apps feed the trust index: each contributes the SQL that reads its facts.

An app's ``trust_inputs`` module registers a ``collect(scope, facts)`` function with
``trust_input(Model, ...)``, naming the models it reads. ``collect`` reads the whole workspace
(or the chosen clients) in a fixed number of queries and fills each client's ``ClientFacts``.
Point in time: it uses only facts that happened by ``scope.as_of`` and were recorded before
``scope.known_before``. The trust app calls every registered input; the models named here are
the ones whose changes must reach the index (a test holds every service to announcing them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Model

from trustledger.core.clock import day_starts
from trustledger.core.extensions import trust_inputs
from trustledger.scoring.facts import ClientFacts
from trustledger.scoring.index import IndexSettings

if TYPE_CHECKING:
    from trustledger.workspaces.models import Workspace


@dataclass(frozen=True)
class Scope:
    """What an input reads: one workspace, as of a date, optionally only some clients."""

    workspace: Workspace
    as_of: dt.date
    settings: IndexSettings
    client_ids: Sequence[int] | None = None

    @property
    def window_start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=self.settings.window_days)

    @property
    def known_before(self) -> dt.datetime:
        """Facts recorded before this instant (the end of ``as_of`` in the workspace's time
        zone, as ``core.clock`` reads days) were known on as_of."""
        return day_starts(self.workspace, self.as_of + dt.timedelta(days=1))


type FactsByClient = defaultdict[int, ClientFacts]
type Collect = Callable[[Scope, FactsByClient], None]


@dataclass(frozen=True)
class TrustInput:
    name: str
    collect: Collect
    reads: tuple[type[Model], ...]


def trust_input(*reads: type[Model]) -> Callable[[Collect], Collect]:
    """Register ``collect`` as an input of the trust index that reads ``reads``."""

    def decorator(collect: Collect) -> Collect:
        trust_inputs.register(TrustInput(collect.__module__, collect, reads))
        return collect

    return decorator


def models_read() -> set[type[Model]]:
    """Every model some input reads (the clients themselves are read by the trust app)."""
    return {model for item in trust_inputs for model in item.reads}
