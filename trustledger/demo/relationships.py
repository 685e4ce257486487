"""Tier routines, health checks and business reviews in the demo firm.

Health checks cover the last two years of most clients, roughly at their tier's routine; each
answer is drawn from the client's simulated service quality on the day (plus a per-client bias by
area: some accounts are strong on delivery and weak on talking about value), so the scores trend
down where service slipped. Checks lapse as quality falls, so some are overdue today.

Business reviews of key and growth clients are the business-review meetings the communications
history already holds (which lapse as quality falls): each becomes a review with its agenda, the
client's goals (their status drawn from quality), value delivered and next steps, linked to that
meeting. A few key clients have their next review planned. Everything is written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from trustledger.clients.models import Client
from trustledger.communications.models import Interaction, InteractionKind
from trustledger.core.clock import zone
from trustledger.demo.context import DemoContext
from trustledger.demo.simulation import ClientStory
from trustledger.relationships.models import (
    BusinessReview,
    GoalStatus,
    HealthAnswer,
    HealthCheck,
    ItemKind,
    ReviewItem,
    ReviewStatus,
)
from trustledger.relationships.questions import QUESTIONS
from trustledger.relationships.services import ensure_routines
from trustledger.scoring.health import add_months, health_score

HISTORY = dt.timedelta(days=730)
CHECKED_SHARE = 0.85
LOW_NOTES = [
    "Came up in the last steering meeting.",
    "The sponsor mentioned it twice.",
    "We have not raised this with them yet.",
    "Needs a conversation with the sponsor.",
]
HIGH_NOTES = ["The sponsor said so unprompted.", "Clear from the last review.", ""]
AGENDA = [
    "Results since the last review",
    "The client's priorities for next year",
    "Value delivered and how it was measured",
    "Risks and open issues",
    "Team and ways of working",
]
GOALS = [
    "Cut month-end close to five days",
    "Move the data warehouse to the cloud",
    "Open the Nordic market",
    "Reduce customer churn by 10%",
    "Automate supplier onboarding",
    "Pass the ISO 27001 audit",
]
VALUE = [
    ("Licence costs saved", (5_000, 40_000)),
    ("Hours of manual work removed per month", None),
    ("Faster reporting for the board", None),
    ("Penalties avoided through the compliance fix", (10_000, 80_000)),
]
STEPS = ["Send the roadmap draft", "Book the next steering meeting", "Share the benchmark study"]


def build(ctx: DemoContext) -> None:
    """Runs after the trust index is built (it reads alerts and snapshots)."""
    routines = ensure_routines(ctx.workspace)
    checks: list[tuple[HealthCheck, list[HealthAnswer]]] = []
    for story, client in zip(ctx.stories, ctx.clients, strict=True):
        if ctx.rng.random() < CHECKED_SHARE:
            months = routines[client.tier].health_check_months
            checks += _health_checks(ctx, story, client, months)
    HealthCheck.objects.bulk_create([c for c, _ in checks])
    for check, answers in checks:
        for answer in answers:
            answer.health_check = check
    HealthAnswer.objects.bulk_create([a for _, answers in checks for a in answers])
    _reviews(ctx)


def _health_checks(
    ctx: DemoContext, story: ClientStory, client: Client, months: int
) -> list[tuple[HealthCheck, list[HealthAnswer]]]:
    rng, end = ctx.rng, min(story.lost_on or ctx.today, ctx.today)
    bias = {q.area: rng.gauss(0, 0.07) for q in QUESTIONS}
    day = max(story.start, ctx.today - HISTORY) + dt.timedelta(days=rng.randint(10, 60))
    out = []
    while day <= end:
        quality = story.quality(day)
        if rng.random() < min(0.95, max(0.4, 1.2 * quality - 0.1)):  # lapses as service falls
            out.append(_check(ctx, client, day, quality, bias))
        day = add_months(day, months) + dt.timedelta(days=rng.randint(-12, 12))
    return out


def _check(
    ctx: DemoContext, client: Client, day: dt.date, quality: float, bias: dict[str, float]
) -> tuple[HealthCheck, list[HealthAnswer]]:
    rng = ctx.rng
    answers = []
    for q in QUESTIONS:
        value: int | None = None
        if rng.random() > 0.08:  # now and then a question is not assessed
            level = quality + bias[q.area] + rng.gauss(0, 0.06)
            value = min(5, max(1, round(1 + 4 * (level - 0.35) / 0.6)))
        notes = ""
        if value is not None and rng.random() < 0.4:
            notes = rng.choice(LOW_NOTES if value <= 2 else HIGH_NOTES)
        answers.append(
            HealthAnswer(
                workspace=ctx.workspace, question=q.key, area=q.area, answer=value, notes=notes
            )
        )
    result = health_score((a.area, a.answer) for a in answers)
    at = dt.datetime.combine(day, dt.time(17), tzinfo=zone(ctx.workspace))
    check = HealthCheck(
        workspace=ctx.workspace,
        client=client,
        held_on=day,
        reviewer=client.account_manager or ctx.owner,
        summary=_summary(result.overall),
        score=round(result.overall, 2) if result.overall is not None else None,
        created_at=at,
        updated_at=at,
    )
    return check, answers


def _summary(score: float | None) -> str:
    if score is None or score >= 75:
        return "A healthy relationship: keep the rhythm of reviews."
    if score >= 50:
        return "Solid delivery, but we should talk more about the value we bring."
    return "Trust is thinning: plan a frank conversation with the sponsor."


def _reviews(ctx: DemoContext) -> None:
    """Key and growth clients' business-review meetings become reviews (growth: every other)."""
    by_client = {c.pk: (s, c) for s, c in zip(ctx.stories, ctx.clients, strict=True)}
    meetings = (
        Interaction.objects.for_workspace(ctx.workspace)
        .filter(
            kind=InteractionKind.BUSINESS_REVIEW,
            client__tier__in=["key", "growth"],
            occurred_at__date__gte=ctx.today - HISTORY,
        )
        .order_by("client_id", "occurred_at")
    )
    tz = zone(ctx.workspace)
    reviews: list[BusinessReview] = []
    items: list[tuple[BusinessReview, list[ReviewItem]]] = []
    seen: dict[int, int] = {}
    for meeting in meetings:
        story, client = by_client[meeting.client_id]
        seen[client.pk] = seen.get(client.pk, 0) + 1
        if client.tier == "growth" and seen[client.pk] % 2 == 0:
            continue
        day = timezone.localtime(meeting.occurred_at, tz).date()
        review = BusinessReview(
            workspace=ctx.workspace,
            client=client,
            held_on=day,
            status=ReviewStatus.HELD,
            led_by=meeting.person or client.account_manager,
            attendees=list(meeting.participants) or [str(client.account_manager or "")],
            summary=meeting.summary[:500],
            interaction=meeting,
        )
        reviews.append(review)
        items.append((review, _items(ctx.rng, ctx, story.quality(day))))
    reviews += _planned(ctx)
    BusinessReview.objects.bulk_create(reviews)
    for review, rows in items:
        for row in rows:
            row.review = review
    ReviewItem.objects.bulk_create([row for _, rows in items for row in rows])


def _items(rng: random.Random, ctx: DemoContext, quality: float) -> list[ReviewItem]:
    ws = ctx.workspace
    rows = [
        ReviewItem(workspace=ws, kind=ItemKind.AGENDA, text=text, position=n)
        for n, text in enumerate(rng.sample(AGENDA, 3))
    ]
    for n, goal in enumerate(rng.sample(GOALS, rng.randint(2, 3))):
        roll = rng.random() + quality - 0.75
        status = (
            GoalStatus.ACHIEVED
            if roll > 0.75
            else GoalStatus.ON_TRACK
            if roll > 0.2
            else GoalStatus.AT_RISK
        )
        rows.append(
            ReviewItem(workspace=ws, kind=ItemKind.GOAL, text=goal, goal_status=status, position=n)
        )
    for n, (text, span) in enumerate(rng.sample(VALUE, 2 if quality > 0.6 else 1)):
        amount = Decimal(rng.randrange(span[0], span[1], 500)) if span else None
        rows.append(
            ReviewItem(workspace=ws, kind=ItemKind.VALUE, text=text, amount=amount, position=n)
        )
    rows.append(ReviewItem(workspace=ws, kind=ItemKind.NEXT_STEP, text=rng.choice(STEPS)))
    return rows


def _planned(ctx: DemoContext) -> list[BusinessReview]:
    """A few active key clients have their next review in the diary."""
    key = [c for c in ctx.clients if c.tier == "key" and c.status == "active"]
    return [
        BusinessReview(
            workspace=ctx.workspace,
            client=c,
            held_on=ctx.today + dt.timedelta(days=ctx.rng.randint(5, 25)),
            status=ReviewStatus.PLANNED,
            led_by=c.account_manager,
            attendees=[str(c.account_manager)] if c.account_manager else [],
        )
        for c in ctx.rng.sample(key, min(3, len(key)))
    ]
