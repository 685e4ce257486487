"""Promises to clients on each account manager's "due this month" list."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.urls import reverse

from trustledger.communications.models import Commitment
from trustledger.core.extensions import due_sources
from trustledger.relationships.due import DueItem

if TYPE_CHECKING:
    from trustledger.workspaces.models import User, Workspace


@due_sources.register
def due_commitments(workspace: Workspace, user: User | None, until: dt.date) -> list[DueItem]:
    """One query: promises not yet kept or broken, due by ``until`` (the owner's, or everyone's)."""
    promises = Commitment.objects.for_workspace(workspace).filter(
        done_on__isnull=True, broken_on__isnull=True, due_on__lte=until
    )
    if user is not None:
        promises = promises.filter(owner=user)
    return [
        DueItem(
            "commitment",
            "Promise",
            c.client_id,
            c.client.name,
            c.due_on,
            c.description,
            reverse("clients:detail", args=[c.client_id]) + "#commitments",
            "Keep it",
            owner=str(c.owner or ""),
        )
        for c in promises.select_related("client", "owner").order_by("due_on", "pk")
    ]
