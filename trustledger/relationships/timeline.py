"""What relationship management adds to a client's timeline (see clients/timeline.py): health
checks with their score, and business reviews with their goals and value delivered.

The review's meeting also shows as a communications touch; this event adds what was agreed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, Q, Sum
from django.urls import reverse

from trustledger.charts import format_money
from trustledger.clients.timeline import TimelineEvent, Tone
from trustledger.core.extensions import timeline_sources
from trustledger.relationships.models import (
    BusinessReview,
    HealthAnswer,
    HealthCheck,
    ItemKind,
    ReviewStatus,
)
from trustledger.relationships.questions import area_label
from trustledger.scoring.display import format_number
from trustledger.scoring.health import health_band

if TYPE_CHECKING:
    from trustledger.clients.models import Client
    from trustledger.workspaces.models import Workspace


def _tone(score: float | None) -> Tone:
    band = health_band(score)
    return "good" if band == "strong" else "bad" if band == "weak" else "neutral"


@timeline_sources.register
def events(workspace: Workspace, client: Client) -> Iterable[TimelineEvent]:
    """Three queries: the checks, their weakest answered area, and the held reviews."""
    checks = list(
        HealthCheck.objects.for_workspace(workspace)
        .filter(client=client)
        .select_related("reviewer")
        .only("held_on", "score", "summary", "reviewer__full_name", "reviewer__email")
    )
    low = _lowest_areas(workspace, client)
    for c in checks:
        score = "not scored" if c.score is None else f"{format_number(c.score)} of 100"
        detail = f"Weakest: {area_label(low[c.pk])}." if c.pk in low else ""
        if c.summary:
            detail = (detail + " " + c.summary[:200]).strip()
        url = reverse("relationships:health_check", args=[c.pk])
        yield TimelineEvent(
            c.held_on, "Health check", f"Health check: {score}", detail, url, _tone(c.score)
        )
    reviews = (
        BusinessReview.objects.for_workspace(workspace)
        .filter(client=client, status=ReviewStatus.HELD)
        .annotate(
            goals=Count("items", filter=Q(items__kind=ItemKind.GOAL)),
            achieved=Count(
                "items", filter=Q(items__kind=ItemKind.GOAL, items__goal_status="achieved")
            ),
            at_risk=Count(
                "items", filter=Q(items__kind=ItemKind.GOAL, items__goal_status="at_risk")
            ),
            value=Sum("items__amount", filter=Q(items__kind=ItemKind.VALUE)),
        )
        .only("held_on", "currency")
    )
    for r in reviews:
        parts = [f"{r.goals} goal{'s' * (r.goals != 1)}"]
        if r.achieved:
            parts.append(f"{r.achieved} achieved")
        if r.at_risk:
            parts.append(f"{r.at_risk} at risk")
        if r.value:
            parts.append(f"{format_money(float(r.value), r.currency)} value delivered")
        tone: Tone = "bad" if r.at_risk else "good"
        url = reverse("relationships:review", args=[r.pk])
        yield TimelineEvent(
            r.held_on,
            "Business review",
            "Reviewed goals and value with the client",
            ", ".join(parts),
            url,
            tone,
        )


def _lowest_areas(workspace: Workspace, client: Client) -> dict[int, str]:
    """Each check's lowest area, by the mean of its answers, when below 3.5 of 5 (one query)."""
    rows = (
        HealthAnswer.objects.for_workspace(workspace)
        .filter(health_check__client=client, answer__isnull=False)
        .values("health_check_id", "area")
        .annotate(mean=Avg("answer"))
        .order_by("health_check_id", "mean", "area")
    )
    out: dict[int, str] = {}
    for row in rows:
        if row["mean"] < 3.5:
            out.setdefault(row["health_check_id"], row["area"])
    return out
