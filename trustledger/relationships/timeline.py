"""What the relationships capability adds to a client's timeline (see trustledger/clients/timeline.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from trustledger.clients.timeline import TimelineEvent

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace


def events(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    return []
