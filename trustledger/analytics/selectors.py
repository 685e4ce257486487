"""Portfolio measures over a period: a fixed handful of aggregate queries per measure.

The SQL gathers per-client or per-engagement totals for the whole workspace; the formulas live
in `trustledger.scoring.portfolio` (definitions in docs/analytics.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from trustledger.clients.models import Client
from trustledger.engagements.models import (
    DeliverableReview,
    Engagement,
    EngagementStatus,
    FoundBy,
    Milestone,
    MilestoneStatus,
    QualityIssue,
    ReviewOutcome,
    Severity,
    TimeEntry,
)
from trustledger.engagements.selectors import BILLED, COST
from trustledger.feedback.selectors import nps_answers_by_client
from trustledger.scoring import portfolio as measures
from trustledger.scoring.nps import NpsResult, compute_nps
from trustledger.scoring.stats import median
from trustledger.trust.models import SnapshotKind, TrustSnapshot
from trustledger.workspaces.models import Workspace

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=18, decimal_places=4)
PERIOD_MONTHS = (3, 6, 12, 24)


@dataclass(frozen=True)
class Period:
    """Both ends inclusive."""

    start: dt.date
    end: dt.date

    @classmethod
    def last_months(cls, months: int, *, today: dt.date) -> Period:
        """The `months` months ending `today`: from the day after the same date `months` ago."""
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        day = min(today.day, calendar.monthrange(year, month + 1)[1])  # 31 March -> 28 Feb
        return cls(dt.date(year, month + 1, day) + dt.timedelta(days=1), today)


# --- retention ------------------------------------------------------------------------------


def retention(workspace: Workspace, period: Period) -> measures.Retention:
    """S, N, E and R from relationship_start and lost_on, in one aggregate query.

    Served on a day: the relationship began by that day and the client was not lost before it
    (a client lost on the last day of the period is not served at its end).
    """
    start, end = period.start, period.end
    at_start = Q(relationship_start__lt=start) & (Q(lost_on__isnull=True) | Q(lost_on__gte=start))
    kept = Q(lost_on__isnull=True) | Q(lost_on__gt=end)
    counts = Client.objects.for_workspace(workspace).aggregate(
        s=Count("pk", filter=at_start),
        n=Count("pk", filter=Q(relationship_start__range=(start, end))),
        e=Count("pk", filter=Q(relationship_start__lte=end) & kept),
        r=Count("pk", filter=at_start & kept),
    )
    return measures.retention(
        at_start=counts["s"], new=counts["n"], at_end=counts["e"], retained=counts["r"]
    )


# --- profitability --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfitRow:
    client_id: int
    client: str
    profit: measures.ClientProfit
    trust_index: float | None
    quadrant: measures.Quadrant | None


@dataclass(frozen=True)
class Profitability:
    rows: list[ProfitRow]
    pareto: measures.Pareto
    median_margin_pct: float | None

    @property
    def effort_heavy(self) -> list[ProfitRow]:
        """Clients whose share of the effort far exceeds their share of the revenue."""
        heavy = {p.client_id for p in measures.effort_heavy(row.profit for row in self.rows)}
        return [row for row in self.rows if row.client_id in heavy]


def profitability(workspace: Workspace, period: Period) -> Profitability:
    """Revenue (billed), cost and margin per client from time logged in the period: two queries."""
    totals = (
        TimeEntry.objects.for_workspace(workspace)
        .filter(date__range=(period.start, period.end))
        .values("engagement__client_id", "engagement__client__name")
        .annotate(
            total_hours=Coalesce(Sum("hours"), ZERO),
            total_cost=Coalesce(Sum(COST), ZERO, output_field=MONEY),
            total_billed=Coalesce(Sum(BILLED), ZERO, output_field=MONEY),
        )
        .order_by()
    )
    names: dict[int, str] = {}
    economics = []
    for row in totals:
        client_id = row["engagement__client_id"]
        names[client_id] = row["engagement__client__name"]
        economics.append(
            measures.ClientEconomics(
                client_id,
                hours=float(row["total_hours"]),
                cost=float(row["total_cost"]),
                revenue=float(row["total_billed"]),
            )
        )
    trust = dict(
        TrustSnapshot.objects.for_workspace(workspace)
        .filter(kind=SnapshotKind.CURRENT, client_id__in=list(names))
        .values_list("client_id", "index")
    )
    profits = measures.profitability(economics)
    threshold = median([p.margin_pct for p in profits if p.margin_pct is not None])
    rows = [
        ProfitRow(
            client_id=p.client_id,
            client=names[p.client_id],
            profit=p,
            trust_index=trust.get(p.client_id),
            quadrant=measures.quadrant(
                trust.get(p.client_id), p.margin_pct, margin_threshold=threshold
            ),
        )
        for p in profits
    ]
    return Profitability(rows, measures.pareto(economics), threshold)


# --- project success ------------------------------------------------------------------------


@dataclass(frozen=True)
class Success:
    rates: measures.SuccessRates
    outcomes: dict[int, measures.ProjectOutcome]  # by engagement id


def success_rates(workspace: Workspace, period: Period) -> Success:
    """On time, within budget and quality for engagements closed in the period: five queries."""
    closed = Engagement.objects.for_workspace(workspace).filter(
        status=EngagementStatus.CLOSED, closed_on__range=(period.start, period.end)
    )
    engagements = list(closed.values_list("pk", "budget_amount", "closed_on", "end_date"))
    billed = dict(
        TimeEntry.objects.filter(engagement__in=closed)
        .values("engagement_id")
        .annotate(total_billed=Coalesce(Sum(BILLED), ZERO, output_field=MONEY))
        .order_by()
        .values_list("engagement_id", "total_billed")
    )
    milestones: dict[int, list[measures.MilestoneFact]] = {}
    for engagement_id, committed, buffer_days, delivered_on, status in Milestone.objects.filter(
        engagement__in=closed
    ).values_list("engagement_id", "committed_date", "buffer_days", "delivered_on", "status"):
        milestones.setdefault(engagement_id, []).append(
            measures.MilestoneFact(
                committed, buffer_days, delivered_on, status == MilestoneStatus.CANCELLED
            )
        )
    severe = dict(
        QualityIssue.objects.filter(
            engagement__in=closed,
            found_by=FoundBy.CLIENT,
            severity__in=(Severity.HIGH, Severity.CRITICAL),
        )
        .values("engagement_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("engagement_id", "n")
    )
    returned_first = _first_reviews_returned(closed)
    outcomes = {
        pk: measures.ProjectOutcome(
            on_time=measures.delivered_on_time(
                milestones.get(pk, []), closed_on=closed_on, end_date=end_date
            ),
            within_budget=measures.within_budget(float(billed.get(pk, ZERO)), float(budget)),
            quality=measures.met_quality(
                severe_client_issues=severe.get(pk, 0),
                first_reviews_returned=returned_first.get(pk, 0),
            ),
        )
        for pk, budget, closed_on, end_date in engagements
    }
    return Success(measures.success_rates(outcomes.values()), outcomes)


def _first_reviews_returned(closed: QuerySet[Engagement]) -> dict[int, int]:
    """Per engagement, how many deliverables were returned at their first client review."""
    seen: set[int] = set()
    returned: dict[int, int] = {}
    reviews = (
        DeliverableReview.objects.filter(deliverable__engagement__in=closed)
        .order_by("deliverable_id", "reviewed_on", "pk")
        .values_list("deliverable__engagement_id", "deliverable_id", "outcome")
    )
    for engagement_id, deliverable_id, outcome in reviews:
        if deliverable_id in seen:
            continue
        seen.add(deliverable_id)
        if outcome == ReviewOutcome.RETURNED:
            returned[engagement_id] = returned.get(engagement_id, 0) + 1
    return returned


# --- NPS ------------------------------------------------------------------------------------


def nps(workspace: Workspace, period: Period) -> NpsResult:
    """NPS with its margin of error over every answer given in the period (one query)."""
    answers = nps_answers_by_client(workspace, period.end, since=period.start)
    return compute_nps(a.score for client_answers in answers.values() for a in client_answers)
