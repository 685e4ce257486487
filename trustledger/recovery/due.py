"""Recovery actions on each account manager's "due this month" list."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.urls import reverse

from trustledger.core.extensions import due_sources
from trustledger.recovery.selectors import actions_due
from trustledger.relationships.due import DueItem

if TYPE_CHECKING:
    from trustledger.workspaces.models import User, Workspace


@due_sources.register
def due_recovery_actions(workspace: Workspace, user: User | None, until: dt.date) -> list[DueItem]:
    """One query: the open actions of open recovery plans due by ``until``."""
    return [
        DueItem(
            "recovery_action",
            "Recovery action",
            action.plan.client_id,
            action.plan.client.name,
            action.due_on,
            f"{action.title} (plan: {action.plan.title})",
            reverse("recovery:detail", args=[action.plan_id]) + "#actions",
            "Open the plan",
            owner=str(action.owner or action.plan.owner or ""),
        )
        for action in actions_due(workspace, user, until)
    ]
