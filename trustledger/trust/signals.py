"""Signals: every facts app's inputs of the index, read for a workspace as of a date.

The inputs themselves live in the facts apps (``<app>/trust_inputs.py``, see ``core.inputs``);
this gathers them in a fixed number of queries, whatever the number of clients.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from trustledger.core.extensions import trust_inputs
from trustledger.core.inputs import FactsByClient, Scope
from trustledger.scoring.facts import ClientFacts
from trustledger.scoring.index import IndexSettings
from trustledger.workspaces.models import Workspace

__all__ = ["FactsByClient", "Scope", "collect"]


def collect(
    workspace: Workspace,
    as_of: dt.date,
    settings: IndexSettings,
    client_ids: Sequence[int] | None = None,
) -> FactsByClient:
    """Every client's facts as of ``as_of`` (clients without any facts are absent)."""
    scope = Scope(workspace, as_of, settings, client_ids)
    facts: FactsByClient = defaultdict(ClientFacts)
    for source in trust_inputs:
        source.collect(scope, facts)
    return facts
