"""Reads about relationships shared by pages, the API and the client page's panel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.safestring import SafeString

from trustledger.clients.models import Client, Tier
from trustledger.core.clock import local_today
from trustledger.relationships import reviews
from trustledger.relationships.charts import health_chart
from trustledger.relationships.models import (
    BusinessReview,
    HealthAnswer,
    HealthCheck,
    ItemKind,
    ReviewItem,
    ReviewStatus,
    TierRoutine,
)
from trustledger.relationships.questions import AREA_LABELS, BY_KEY, GROUPS, QUESTIONS
from trustledger.relationships.services import ensure_routines
from trustledger.scoring.health import Trend, add_months, health_score, trend
from trustledger.workspaces.models import Workspace

TREND_CHECKS = 12  # the panel's chart shows the last dozen checks


def list_routines(workspace: Workspace) -> list[TierRoutine]:
    routines = ensure_routines(workspace)
    return [routines[t] for t in Tier.values]


def list_health_checks(
    workspace: Workspace, *, client_id: int | None = None
) -> QuerySet[HealthCheck]:
    qs = HealthCheck.objects.for_workspace(workspace).select_related("client", "reviewer")
    if client_id:
        qs = qs.filter(client_id=client_id)
    return qs.prefetch_related("answers").order_by("-held_on", "-pk")


def list_reviews(
    workspace: Workspace, *, client_id: int | None = None, status: str = ""
) -> QuerySet[BusinessReview]:
    qs = BusinessReview.objects.for_workspace(workspace).select_related("client", "led_by")
    if client_id:
        qs = qs.filter(client_id=client_id)
    if status:
        qs = qs.filter(status=status)
    items = Prefetch("items", queryset=ReviewItem.objects.order_by("kind", "position", "pk"))
    return qs.prefetch_related(items).order_by("-held_on", "-pk")


@dataclass(frozen=True)
class AreaResult:
    area: str
    label: str
    score: float | None
    weak: bool
    answers: list[tuple[str, HealthAnswer | None]]  # (question text, answer)


@dataclass(frozen=True)
class CheckSheet:
    """A health check laid out as its form is: groups of areas, each with its questions."""

    overall: float | None
    groups: list[tuple[str, list[AreaResult]]]
    weakest: list[str]  # area labels, weakest first


def check_sheet(check: HealthCheck) -> CheckSheet:
    answers = {a.question: a for a in check.answers.all()}
    result = health_score((a.area, a.answer) for a in answers.values())
    groups = []
    for name, areas in GROUPS:
        rows = []
        for area in areas:
            questions = [(q.text, answers.get(q.key)) for q in QUESTIONS if q.area == area]
            score = result.areas.get(area)
            rows.append(
                AreaResult(area, AREA_LABELS[area], score, area in result.weakest, questions)
            )
        groups.append((name, rows))
    return CheckSheet(check.score, groups, [AREA_LABELS[a] for a in result.weakest])


def health_trend(client: Client) -> list[tuple[dt.date, float]]:
    """The client's health scores, oldest first (the last ``TREND_CHECKS`` checks)."""
    rows = list(
        HealthCheck.objects.for_workspace(client.workspace)
        .filter(client=client, score__isnull=False)
        .order_by("-held_on", "-pk")
        .values_list("held_on", "score")[:TREND_CHECKS]
    )
    return [(day, score) for day, score in reversed(rows) if score is not None]


@dataclass(frozen=True)
class RelationshipPanel:
    """What the client page shows about the relationship routines, in a handful of queries."""

    client: Client
    routine: TierRoutine
    today: dt.date
    last_check: HealthCheck | None
    next_check_on: dt.date
    last_review_on: dt.date | None
    next_review_on: dt.date
    planned_review: BusinessReview | None
    review_interval: str = ""
    scores: list[tuple[dt.date, float]] = field(default_factory=list)
    weakest: list[str] = field(default_factory=list)

    @property
    def trend(self) -> Trend:
        return trend([s for _, s in self.scores])

    @property
    def check_overdue(self) -> bool:
        return self.next_check_on < self.today

    @property
    def review_overdue(self) -> bool:
        return self.next_review_on < self.today

    @property
    def chart(self) -> SafeString:
        return health_chart(self.scores, chart_id=f"health-trend-{self.client.pk}")

    @property
    def needs_manager(self) -> bool:
        return self.routine.account_manager_required and self.client.account_manager_id is None


def relationship_panel(client: Client) -> RelationshipPanel:
    workspace = client.workspace
    routine = ensure_routines(workspace)[client.tier]
    # A lost client's routines stopped with the relationship, as its cadences on the
    # communications panel do: nothing falls due after the day it was lost.
    today = min(local_today(workspace), client.lost_on or dt.date.max)
    scores = health_trend(client)
    last_check = (
        HealthCheck.objects.for_workspace(workspace)
        .filter(client=client)
        .prefetch_related("answers")
        .order_by("-held_on", "-pk")
        .first()
    )
    review = reviews.cadence(
        reviews.with_review_dates(Client.objects.filter(pk=client.pk)).get(),
        reviews.review_zone(workspace),
        routine.review_months,
    )
    planned = (
        BusinessReview.objects.for_workspace(workspace)
        .filter(client=client, status=ReviewStatus.PLANNED)
        .order_by("held_on", "pk")
        .first()
    )
    weakest: list[str] = []
    if last_check is not None:
        result = health_score((a.area, a.answer) for a in last_check.answers.all())
        weakest = [AREA_LABELS[a] for a in result.weakest]
    return RelationshipPanel(
        client=client,
        routine=routine,
        today=today,
        last_check=last_check,
        next_check_on=(
            add_months(last_check.held_on, routine.health_check_months) if last_check else today
        ),
        last_review_on=review.last_held_on,
        next_review_on=review.next_due(today),
        review_interval=review.interval_label,
        planned_review=planned,
        scores=scores,
        weakest=weakest,
    )


def review_items(review: BusinessReview) -> dict[str, list[ReviewItem]]:
    """The review's items by kind (agenda, goal, value, next_step), in their order."""
    out: dict[str, list[ReviewItem]] = {k: [] for k in ItemKind.values}
    for item in review.items.all():
        out[item.kind].append(item)
    return out


def question_text(key: str) -> str:
    question = BY_KEY.get(key)
    return question.text if question else key
