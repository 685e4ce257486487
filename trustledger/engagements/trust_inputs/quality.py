"""Outcomes against success criteria, deliverable reviews and client-found issues."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    Q,
)

from trustledger.engagements.models import (
    DeliverableReview,
    QualityIssue,
    SuccessCriterion,
)
from trustledger.engagements.trust_inputs._sql import (
    _of,
)
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


def collect_outcomes(scope: Scope, facts: FactsByClient) -> None:
    rows = (
        _of(SuccessCriterion, scope, "engagement__client_id")
        .filter(
            engagement__status="closed",
            engagement__closed_on__range=(scope.window_start, scope.as_of),
        )
        .values("engagement__client_id", "engagement__name", "engagement__closed_on")
        .annotate(
            total=Count("id"), met=Count("id", filter=Q(met=True, assessed_on__lte=scope.as_of))
        )
    )
    for row in rows:
        facts[row["engagement__client_id"]].outcomes.append(
            ind.Outcome(
                row["engagement__name"], row["engagement__closed_on"], row["met"], row["total"]
            )
        )


def collect_quality(scope: Scope, facts: FactsByClient) -> None:
    """First reviews in the window (accepted or sent back) and defects the client found."""
    reviews = (
        _of(DeliverableReview, scope, "deliverable__engagement__client_id")
        .filter(
            reviewed_on__range=(scope.window_start - dt.timedelta(days=120), scope.as_of),
            recorded_at__lt=scope.known_before,
        )
        .order_by("deliverable_id", "reviewed_on", "id")
        .values_list(
            "deliverable_id",
            "deliverable__engagement__client_id",
            "deliverable__name",
            "reviewed_on",
            "outcome",
        )
    )
    seen: set[int] = set()
    for deliverable_id, client_id, name, reviewed_on, outcome in reviews:
        if deliverable_id in seen:
            continue
        seen.add(deliverable_id)
        if reviewed_on >= scope.window_start:
            facts[client_id].reviews.append(ind.Review(name, reviewed_on, outcome == "accepted"))
    issues = (
        _of(QualityIssue, scope, "engagement__client_id")
        .filter(
            found_by="client",
            opened_on__range=(scope.window_start, scope.as_of),
            recorded_at__lt=scope.known_before,
        )
        .values_list("engagement__client_id", "title", "opened_on", "severity")
    )
    for client_id, title, opened_on, severity in issues:
        facts[client_id].client_issues.append(ind.ClientIssue(title, opened_on, severity))
