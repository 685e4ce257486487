"""What is due: the relationship routines each account manager owes by a date.

The page is built from the due sources each capability registers in its ``due`` module with
``core.extensions.due_sources``: functions ``(workspace, user | None, until) -> list[DueItem]``
(``user`` None: everyone's) that read the whole workspace in a fixed number of queries. Here:
health checks, business reviews, tiers without an account manager; elsewhere: recovery actions
and promises to clients.

A routine is due its tier's interval after it was last done; never done is due now (today, in the
workspace's time zone). Only active clients owe routines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.urls import reverse

from trustledger.clients.models import Client, ClientStatus
from trustledger.core.clock import local_today
from trustledger.core.extensions import due_sources
from trustledger.relationships import reviews
from trustledger.relationships.models import BusinessReview, ReviewStatus
from trustledger.relationships.services import ensure_routines
from trustledger.scoring.health import add_months

if TYPE_CHECKING:
    from trustledger.workspaces.models import User, Workspace


@dataclass(frozen=True)
class DueItem:
    kind: str  # "health_check", "business_review", "account_manager", ...
    label: str  # shown as the item's tag
    client_id: int
    client_name: str
    due_on: dt.date
    detail: str  # "Last done 3 Feb 2025", "Never done", ...
    action_url: str
    action_label: str
    owner: str = ""  # the account manager's name, empty for nobody

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today

    def days_overdue(self, today: dt.date) -> int:
        return max(0, (today - self.due_on).days)


type DueSource = Callable[["Workspace", "User | None", dt.date], list[DueItem]]


def _clients(workspace: Workspace, user: User | None) -> QuerySet[Client]:
    qs = Client.objects.for_workspace(workspace).filter(status=ClientStatus.ACTIVE)
    if user is not None:
        qs = qs.filter(account_manager=user)
    return qs.select_related("account_manager").order_by("name", "pk")


def _owner(client: Client) -> str:
    return str(client.account_manager) if client.account_manager else ""


def _last(day: dt.date | None) -> str:
    return f"Last done {day:%-d %b %Y}" if day else "Never done"


@due_sources.register
def due_health_checks(workspace: Workspace, user: User | None, until: dt.date) -> list[DueItem]:
    """Two queries: the routines, and every client with its latest health check."""
    routines, today = ensure_routines(workspace), local_today(workspace)
    rows = _clients(workspace, user).annotate(last=Max("health_checks__held_on"))
    items = []
    for client in rows:
        last: dt.date | None = client.last
        due = add_months(last, routines[client.tier].health_check_months) if last else today
        if due <= until:
            items.append(
                DueItem(
                    "health_check",
                    "Health check",
                    client.pk,
                    client.name,
                    due,
                    _last(last),
                    reverse("relationships:health_check_create", args=[client.pk]),
                    "Start health check",
                    _owner(client),
                )
            )
    return items


@due_sources.register
def due_business_reviews(workspace: Workspace, user: User | None, until: dt.date) -> list[DueItem]:
    """Four queries: the routines, the calendar's zone (two), and every client with its latest
    held and next planned review (``reviews`` holds the rule)."""
    routines, today = ensure_routines(workspace), local_today(workspace)
    zone = reviews.review_zone(workspace)
    planned = BusinessReview.objects.filter(
        client=OuterRef("pk"), status=ReviewStatus.PLANNED
    ).order_by("held_on", "pk")
    rows = reviews.with_review_dates(_clients(workspace, user)).annotate(
        planned_id=Subquery(planned.values("pk")[:1]),
        planned_on=Subquery(planned.values("held_on")[:1]),
    )
    items = []
    for client in rows:
        review = reviews.cadence(client, zone, routines[client.tier].review_months)
        last, due = review.last_held_on, review.next_due(today)
        if due > until:
            continue
        planned_id: int | None = client.planned_id
        detail = _last(last)
        if planned_id:
            detail += f"; planned for {client.planned_on:%-d %b %Y}"
            url = reverse("relationships:review_edit", args=[planned_id])
            action = "Record the review"
        else:
            url = reverse("relationships:review_create", args=[client.pk])
            action = "Plan or record a review"
        items.append(
            DueItem(
                "business_review",
                "Business review",
                client.pk,
                client.name,
                due,
                detail,
                url,
                action,
                _owner(client),
            )
        )
    return items


@due_sources.register
def clients_without_manager(
    workspace: Workspace, user: User | None, until: dt.date
) -> list[DueItem]:
    """Clients whose tier needs a dedicated account manager and have none: due now. They are
    nobody's, so they show on everyone's list and on the firm's."""
    routines, today = ensure_routines(workspace), local_today(workspace)
    tiers = [t for t, r in routines.items() if r.account_manager_required]
    rows = _clients(workspace, None).filter(account_manager__isnull=True, tier__in=tiers)
    return [
        DueItem(
            "account_manager",
            "Account manager",
            c.pk,
            c.name,
            today,
            f"{c.get_tier_display()} client without a dedicated account manager",
            reverse("clients:edit", args=[c.pk]),
            "Assign an account manager",
        )
        for c in rows
    ]


def due_items(
    workspace: Workspace,
    user: User | None,
    *,
    until: dt.date,
    sources: list[DueSource] | None = None,
) -> list[DueItem]:
    """Everything due by ``until``: overdue first, then by due date."""
    today = local_today(workspace)
    chosen = sources if sources is not None else list(due_sources)
    items = [item for source in chosen for item in source(workspace, user, until)]
    return sorted(
        items, key=lambda i: (not i.overdue(today), i.due_on, i.client_name.lower(), i.kind)
    )
