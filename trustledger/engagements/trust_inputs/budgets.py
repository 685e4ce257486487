"""Budgets: cost performance of active engagements, how closed ones ended, and overruns.

An overrun is a surprise or not by when it happened: the first day the cost passed the budget
or the forecast passed it by the threshold (``scoring.overruns``), not the day the engagement
closed. Claims count from when they were recorded: a delivery from its recording, a change
request's extra budget from the later of its decision date and the decision's recording, and an
overrun notice from the later of its date and its recording.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, Sum

from trustledger.core.claims import recorded_on
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
    Versions,
    _of,
    first_notices,
    known_delivery,
)
from trustledger.scoring import indicators as ind
from trustledger.scoring.overruns import Spending, first_overrun

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


@dataclass
class _Money:
    """One engagement's money as known on as_of."""

    approved: Decimal = Decimal(0)  # every approved change request's amount, known or not
    raises: list[tuple[dt.date, float]] = field(default_factory=list)  # known, with their day
    costs: list[tuple[dt.date, float]] = field(default_factory=list)
    deliveries: list[dt.date] = field(default_factory=list)
    planned: int = 0

    def spending(self, budget_amount: Decimal) -> Spending:
        """``budget_amount`` includes every approval: the budget before them starts the story."""
        before = float(budget_amount - self.approved)
        return Spending(before, self.raises, self.costs, self.deliveries, self.planned)


def collect(
    scope: Scope, facts: FactsByClient, engagements: list[dict[str, Any]], versions: Versions
) -> None:
    """CPI of engagements running on as_of; within budget or not for those closed in the window;
    and each overrun as a slip the client was told of in advance or not.

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
    money = _money(scope, _by_engagement(scope, relevant))
    _known_versions(scope, versions, set(relevant), money)
    overrun_told = first_notices(
        _of(Notice, scope, "engagement__client_id").filter(
            _by_engagement(scope, relevant), kind="overrun"
        ),
        "engagement_id",
        scope,
    )
    for eid, e in relevant.items():
        m = money[eid]
        spending = m.spending(e["budget_amount"])
        budget = spending.budget + sum(amount for _, amount in m.raises)
        spent = sum(cost for _, cost in m.costs)
        client = facts[e["client_id"]]
        closed = e["closed_on"] is not None and e["closed_on"] <= as_of
        if closed and e["status"] == "closed":
            client.closed_budgets.append(
                ind.ClosedBudget(e["name"], e["closed_on"], spent <= budget)
            )
        elif not closed and m.deliveries and spent > 0 and budget > 0:
            earned = budget * len(m.deliveries) / m.planned
            client.active_budgets.append(ind.ActiveBudget(e["name"], as_of, earned / spent))
        overrun = first_overrun(spending, until=as_of) if budget > 0 else None
        if overrun is not None:
            what = "was forecast to go over budget" if overrun.forecast else "went over budget"
            client.slips.append(ind.Slip(f"{e['name']} {what}", overrun.day, overrun_told.get(eid)))


def _by_engagement(scope: Scope, relevant: dict[int, dict[str, Any]]) -> Q:
    if len(relevant) < 500:
        return Q(engagement__in=list(relevant))
    return Q(
        engagement__in=Engagement.objects.filter(
            workspace=scope.workspace, activated_on__lte=scope.as_of
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=scope.window_start))
        .values("pk")
    )


def _money(scope: Scope, by_engagement: Q) -> defaultdict[int, _Money]:
    """Cost per day, deliveries and approved budget changes of the engagements, as known."""
    money: defaultdict[int, _Money] = defaultdict(_Money)
    known = Q(recorded_at__lt=scope.known_before)
    daily = (
        _of(TimeEntry, scope, "engagement__client_id")
        .filter(by_engagement, known, date__lte=scope.as_of)
        .values("engagement_id", "date")
        .annotate(billed=Sum(BILLED))
        .values_list("engagement_id", "date", "billed")
    )
    for eid, day, billed in daily:
        money[eid].costs.append((day, float(billed or 0)))
    milestones = (
        _of(Milestone, scope, "engagement__client_id")
        .filter(by_engagement, known)
        .exclude(status="cancelled")
        .values_list("engagement_id", "delivered_on", "delivery_recorded_at")
    )
    for eid, delivered_on, delivery_recorded_at in milestones:
        money[eid].planned += 1
        if delivery := known_delivery(delivered_on, delivery_recorded_at, scope):
            money[eid].deliveries.append(delivery)
    approvals = (
        _of(ChangeRequest, scope, "engagement__client_id")
        .filter(by_engagement, status=APPROVED, decided_on__isnull=False)
        .values_list("engagement_id", "decided_on", "decision_recorded_at", "cost_impact")
    )
    for eid, decided_on, recorded_at, amount in approvals:
        money[eid].approved += amount
        counts_from = decided_on
        if recorded_at is not None:  # a decision counts from when it was recorded
            if recorded_at >= scope.known_before:
                continue
            counts_from = max(decided_on, recorded_on(scope.workspace, recorded_at))
        if counts_from <= scope.as_of:
            money[eid].raises.append((counts_from, float(amount)))
    return money


def _known_versions(
    scope: Scope, versions: Versions, relevant: set[int], money: defaultdict[int, _Money]
) -> None:
    """Time and milestones as they stood on as_of where an edit or deletion recorded later
    replaced them (``core.history``): the live rows are then recorded too late to count."""
    for entry in versions.time_entries:
        if entry["engagement_id"] in relevant and entry["date"] <= scope.as_of:
            billed = entry["hours"] * entry["bill_rate"]
            money[entry["engagement_id"]].costs.append((entry["date"], float(billed)))
    for milestone in versions.milestones:
        eid = milestone["engagement_id"]
        if eid not in relevant or milestone["status"] == "cancelled":
            continue
        money[eid].planned += 1
        delivered, recorded = milestone["delivered_on"], milestone["delivery_recorded_at"]
        if delivery := known_delivery(delivered, recorded, scope):
            money[eid].deliveries.append(delivery)
