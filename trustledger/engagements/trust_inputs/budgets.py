"""Budgets: cost performance of active engagements and how closed ones ended."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    Min,
    Q,
    Sum,
)

from trustledger.engagements.models import (
    ChangeRequest,
    Engagement,
    Milestone,
    Notice,
    TimeEntry,
)
from trustledger.engagements.selectors import BILLED
from trustledger.engagements.trust_inputs._sql import (
    APPROVED,
    _grouped,
    _of,
)
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


def collect(scope: Scope, facts: FactsByClient, engagements: list[dict[str, Any]]) -> None:
    """CPI of engagements running on as_of; within budget or not for those closed in the window.

    The client's budget is spent at bill rates, so actual cost here is hours x bill rate; earned
    value is the budget times the share of milestones delivered (unmeasurable before the first).
    The budget is taken as it stood on as_of: change requests approved later are taken out.
    """
    as_of = scope.as_of
    relevant = {
        e["id"]: e
        for e in engagements
        if e["activated_on"]
        and e["activated_on"] <= as_of
        and (e["closed_on"] is None or e["closed_on"] > scope.window_start)
    }
    by_engagement = (
        Q(engagement__in=list(relevant))
        if len(relevant) < 500
        else Q(
            engagement__in=Engagement.objects.filter(
                workspace=scope.workspace, activated_on__lte=as_of
            )
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=scope.window_start))
            .values("pk")
        )
    )
    known = Q(recorded_at__lt=scope.known_before)
    billed = _grouped(
        _of(TimeEntry, scope, "engagement__client_id").filter(
            by_engagement, known, date__lte=as_of
        ),
        billed=Sum(BILLED),
    )
    progress = _grouped(
        _of(Milestone, scope, "engagement__client_id")
        .filter(by_engagement, known)
        .exclude(status="cancelled"),
        total=Count("id"),
        done=Count("id", filter=Q(delivered_on__lte=as_of)),
    )
    later_changes = _grouped(
        _of(ChangeRequest, scope, "engagement__client_id").filter(
            by_engagement, status=APPROVED, decided_on__gt=as_of
        ),
        added=Sum("cost_impact"),
    )
    overrun_told = _grouped(
        _of(Notice, scope, "engagement__client_id").filter(
            by_engagement, known, kind="overrun", sent_on__lte=as_of
        ),
        first=Min("sent_on"),
    )
    for eid, e in relevant.items():
        budget = float(e["budget_amount"] - later_changes.get(eid, {}).get("added", Decimal(0)))
        spent = float(billed.get(eid, {}).get("billed") or 0)
        client = facts[e["client_id"]]
        closed = e["closed_on"] is not None and e["closed_on"] <= as_of
        if closed and e["status"] == "closed":
            client.closed_budgets.append(
                ind.ClosedBudget(e["name"], e["closed_on"], spent <= budget)
            )
            if spent > budget:
                told = overrun_told.get(eid, {}).get("first")
                client.slips.append(ind.Slip(f"{e['name']} went over budget", e["closed_on"], told))
        elif not closed:
            ms = progress.get(eid)
            if ms and ms["done"] and spent > 0 and budget > 0:
                earned = budget * ms["done"] / ms["total"]
                client.active_budgets.append(ind.ActiveBudget(e["name"], as_of, earned / spent))
