"""Results and Integrity facts from engagements: milestones, budgets, reviews, defects, outcomes,
scope, slips, and the loyalty shown by repeat business and referrals.

About ten queries per call, each over the whole workspace (or the chosen clients).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Min,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Func

from trustledger.clients.models import Referral
from trustledger.core.inputs import trust_input
from trustledger.engagements.models import (
    ChangeRequest,
    DeliverableReview,
    Engagement,
    Milestone,
    Notice,
    QualityIssue,
    SuccessCriterion,
    TimeEntry,
)
from trustledger.engagements.selectors import BILLED, COVERED
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope

APPROVED = "approved"


@trust_input(
    Engagement,
    Milestone,
    Notice,
    ChangeRequest,
    DeliverableReview,
    QualityIssue,
    SuccessCriterion,
    TimeEntry,
    Referral,
)
def collect(scope: Scope, facts: FactsByClient) -> None:
    _milestones_and_slips(scope, facts)
    engagements = _engagements(scope)
    _budgets(scope, facts, engagements)
    _outcomes(scope, facts)
    _quality(scope, facts)
    _scope_control(scope, facts)
    _loyalty(scope, facts, engagements)


class WeeksSince(Func):
    """Whole weeks from a fixed date to a date column, in plain SQL.

    Django's TruncWeek runs as a Python function per row on SQLite; this stays in the engine.
    """

    output_field = IntegerField()

    def __init__(self, column: str, since: dt.date) -> None:
        super().__init__(F(column), Value(since.isoformat()))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST((julianday(%(expressions)s)) / 7 AS INTEGER)"
        return self.as_sql(
            compiler, connection, template=template, arg_joiner=") - julianday(", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((%(expressions)s::date) / 7)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)


def _of(model: type[Model], scope: Scope, client_path: str) -> QuerySet[Any]:
    """The model's rows in the workspace (and of the chosen clients, when there is a choice).

    For the chosen clients, rows hanging off an engagement are found through the engagement ids
    (a subquery), so the (workspace, engagement, ...) indexes serve a one-client recompute.
    """
    manager = model._default_manager
    if scope.client_ids is None:
        return manager.filter(workspace=scope.workspace)
    if client_path.endswith("engagement__client_id"):
        # the engagements are of this workspace, so their rows are too
        engagements = Engagement.objects.filter(
            workspace=scope.workspace, client_id__in=scope.client_ids
        ).values("pk")
        return manager.filter(**{f"{client_path.removesuffix('__client_id')}__in": engagements})
    return manager.filter(workspace=scope.workspace, **{f"{client_path}__in": scope.client_ids})


def _milestones_and_slips(scope: Scope, facts: FactsByClient) -> None:
    """Milestones due in the window; a late one is also a slip, told in advance or not."""
    slip_notice = Q(
        notices__kind="slip",
        notices__recorded_at__lt=scope.known_before,
        notices__sent_on__lte=scope.as_of,
    )
    rows = (
        _of(Milestone, scope, "engagement__client_id")
        .filter(
            committed_date__range=(scope.window_start, scope.as_of),
            recorded_at__lt=scope.known_before,
        )
        .exclude(status="cancelled")
        .annotate(told=Min("notices__sent_on", filter=slip_notice))
        .values_list(
            "engagement__client_id",
            "name",
            "engagement__name",
            "committed_date",
            "buffer_days",
            "delivered_on",
            "told",
        )
    )
    for client_id, name, engagement, committed, buffer, delivered, told in rows:
        known_delivery = delivered if delivered and delivered <= scope.as_of else None
        label = f"{engagement}: {name}"
        facts[client_id].milestones.append(
            ind.Milestone(label, committed, buffer, known_delivery, told)
        )
        if (known_delivery or scope.as_of) > committed + dt.timedelta(days=buffer):
            facts[client_id].slips.append(ind.Slip(f"{label} slipped", committed, told))


def _engagements(scope: Scope) -> list[dict[str, Any]]:
    return list(
        _of(Engagement, scope, "client_id")
        .filter(start_date__lte=scope.as_of)
        .exclude(status="proposed")
        .order_by("client_id", "start_date", "id")
        .values(
            "id",
            "client_id",
            "name",
            "start_date",
            "activated_on",
            "closed_on",
            "status",
            "budget_amount",
        )
    )


def _grouped(qs: QuerySet[Any], **aggregates: Any) -> dict[int, dict[str, Any]]:
    return {row["engagement_id"]: row for row in qs.values("engagement_id").annotate(**aggregates)}


def _budgets(scope: Scope, facts: FactsByClient, engagements: list[dict[str, Any]]) -> None:
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


def _outcomes(scope: Scope, facts: FactsByClient) -> None:
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


def _quality(scope: Scope, facts: FactsByClient) -> None:
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


def _scope_control(scope: Scope, facts: FactsByClient) -> None:
    """Weekly hours on and off approved scope, and change requests approved before their work."""
    weekly = (
        _of(TimeEntry, scope, "engagement__client_id")
        .filter(date__range=(scope.window_start, scope.as_of), recorded_at__lt=scope.known_before)
        .annotate(
            week=WeeksSince("date", scope.window_start),
            covered=Case(When(COVERED, then=Value(True)), default=Value(False)),
        )
        .values("engagement__client_id", "week", "covered")
        .annotate(total=Sum("hours"))
    )
    for row in weekly:
        week = scope.window_start + dt.timedelta(weeks=row["week"])
        what = "approved scope" if row["covered"] else "unapproved scope"
        facts[row["engagement__client_id"]].scope_work.append(
            ind.ScopeWork(
                f"{row['total']} h on {what}, week of {week:%d %b}",
                week,
                float(row["total"]),
                row["covered"],
            )
        )
    changes = (
        _of(ChangeRequest, scope, "engagement__client_id")
        .annotate(
            started=Min(
                "time_entries__date",
                filter=Q(
                    time_entries__date__lte=scope.as_of,
                    time_entries__recorded_at__lt=scope.known_before,
                ),
            )
        )
        .filter(started__gte=scope.window_start)
        .values_list("engagement__client_id", "title", "started", "status", "decided_on")
    )
    for client_id, title, started, status, decided_on in changes:
        approved = decided_on if status == APPROVED and decided_on <= scope.as_of else None
        facts[client_id].change_requests.append(ind.ChangeRequest(title, started, approved))


def _loyalty(scope: Scope, facts: FactsByClient, engagements: list[dict[str, Any]]) -> None:
    """Repeat engagements (or shrinking ones), referrals given, scope grown by approved changes."""
    previous: dict[int, dict[str, Any]] = {}
    for e in engagements:  # ordered by client and start date
        before = previous.get(e["client_id"])
        previous[e["client_id"]] = e
        if before is None or e["start_date"] < scope.window_start:
            continue
        shrinking = e["budget_amount"] < before["budget_amount"] / 2
        kind: ind.LoyaltyKind = "shrinking_spend" if shrinking else "repeat_engagement"
        text = f"{'Smaller' if shrinking else 'Repeat'} engagement: {e['name']}"
        facts[e["client_id"]].loyalty.append(ind.LoyaltySignal(text, e["start_date"], kind))
    referrals = (
        _of(Referral, scope, "referrer_id")
        .filter(referred_on__range=(scope.window_start, scope.as_of))
        .values_list("referrer_id", "referred__name", "referred_on")
    )
    for client_id, name, on in referrals:
        facts[client_id].loyalty.append(ind.LoyaltySignal(f"Referred {name}", on, "referral"))
    growth = (
        _of(ChangeRequest, scope, "engagement__client_id")
        .filter(
            status=APPROVED, cost_impact__gt=0, decided_on__range=(scope.window_start, scope.as_of)
        )
        .values_list("engagement__client_id", "title", "decided_on")
    )
    for client_id, title, on in growth:
        facts[client_id].loyalty.append(
            ind.LoyaltySignal(f"Scope grew: {title}", on, "scope_growth")
        )
