"""Reads of recovery plans shared by the pages, the API, the portal and the "due" page.

Before/after measures use these windows (the plan's page and the API docs say the same):
- trust index before: the client's latest snapshot (weekly or current) dated on or before the
  opening day; after: the latest dated on or before the closing day.
- NPS before: answers of the client's contacts in the ``NPS_WINDOW_DAYS`` days up to and
  including the opening day; after: answers from the day after opening to the closing day
  (at most ``NPS_WINDOW_DAYS`` days), i.e. what the client said while the firm worked on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from trustledger.clients.models import Client
from trustledger.core.clock import local_today, zone
from trustledger.feedback.models import SurveyResponse
from trustledger.recovery.models import (
    Action,
    ActionStatus,
    PlanStatus,
    RecoveryPlan,
    RootCause,
    Update,
    WhyChain,
    WhyStep,
)
from trustledger.scoring.display import round_half_up
from trustledger.scoring.nps import CATEGORY_SCORES, nps_from_counts
from trustledger.trust.models import Alert, TrustSnapshot
from trustledger.workspaces.models import User, Workspace

NPS_WINDOW_DAYS = 180
ALERT_CAUSES = ("recovery_action_overdue", "recovery_update_missed")


# Measures


def snapshot_on(client: Client, day: dt.date) -> TrustSnapshot | None:
    """The client's index as it stood on ``day``: the latest snapshot dated by then."""
    return (
        TrustSnapshot.objects.for_workspace(client.workspace)
        .filter(client=client, as_of__lte=day)
        .order_by("-as_of", "kind")  # "current" before "weekly" on the same day
        .defer("evidence")
        .first()
    )


@dataclass(frozen=True)
class Nps:
    value: float | None
    answers: int


def nps_between(client: Client, first: dt.date, last: dt.date) -> Nps:
    """NPS of the client's answers on days first..last (the firm's days), counted in SQL."""
    tz = zone(client.workspace)
    start = dt.datetime.combine(first, dt.time.min, tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    row = (
        SurveyResponse.objects.for_workspace(client.workspace)
        .filter(client=client, answered_at__gte=start, answered_at__lt=end)
        .aggregate(
            n=Count("id"),
            promoters=Count("id", filter=Q(score__range=CATEGORY_SCORES["promoter"])),
            detractors=Count("id", filter=Q(score__range=CATEGORY_SCORES["detractor"])),
        )
    )
    n = row["n"] or 0
    passives = n - row["promoters"] - row["detractors"]
    result = nps_from_counts(row["promoters"], passives, row["detractors"])
    return Nps(None if result.nps is None else round_half_up(result.nps, 1), n)


def nps_before(client: Client, opened_on: dt.date) -> Nps:
    return nps_between(client, opened_on - dt.timedelta(days=NPS_WINDOW_DAYS - 1), opened_on)


def nps_after(client: Client, opened_on: dt.date, closed_on: dt.date) -> Nps:
    first = max(opened_on + dt.timedelta(days=1), closed_on - dt.timedelta(days=NPS_WINDOW_DAYS))
    if first > closed_on:
        return Nps(None, 0)
    return nps_between(client, first, closed_on)


# Plans


def list_plans(
    workspace: Workspace,
    *,
    status: str = "",
    client_id: int | None = None,
    owner_id: int | None = None,
    factor: str = "",
    category: str = "",
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[RecoveryPlan]:
    """Plans newest first, with their open and overdue actions and last update counted in SQL."""
    today = today or local_today(workspace)
    qs = (
        RecoveryPlan.objects.for_workspace(workspace)
        .select_related("client", "owner")
        .annotate(
            open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN)),
            overdue_actions=Count(
                "actions",
                filter=Q(actions__status=ActionStatus.OPEN, actions__due_on__lt=today),
            ),
            last_update_on=Max("updates__sent_on"),
        )
    )
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if factor or category:
        causes = RootCause.objects.filter(plan=OuterRef("pk"))
        if factor:
            causes = causes.filter(factor=factor)
        if category:
            causes = causes.filter(category=category)
        qs = qs.filter(Exists(causes))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(client__name__icontains=q))
    return qs.order_by("status", "-opened_on", "-id")


def plan_for_page(workspace: Workspace, pk: int) -> QuerySet[RecoveryPlan]:
    """One plan with everything its page shows, in a fixed number of queries."""
    chains = WhyChain.objects.select_related("root_cause").prefetch_related(
        Prefetch("steps", queryset=WhyStep.objects.order_by("position"))
    )
    return (
        RecoveryPlan.objects.for_workspace(workspace)
        .filter(pk=pk)
        .select_related("client", "owner", "alert", "created_by")
        .prefetch_related("attendees__person", "attendees__contact", "causes", "goals", "wins")
        .prefetch_related(Prefetch("chains", queryset=chains))
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner", "cause"))
        )
        .prefetch_related(Prefetch("updates", queryset=Update.objects.order_by("-sent_on", "-id")))
    )


@dataclass(frozen=True)
class Cadence:
    every_days: int
    last_update_on: dt.date | None
    next_due_on: dt.date
    missed: bool


def cadence(plan: RecoveryPlan, last_update_on: dt.date | None, today: dt.date) -> Cadence | None:
    """When the next update to the client is due; missed once that day has passed.

    The first update is due ``update_every_days`` after opening; each one resets the clock.
    A closed plan has no cadence.
    """
    if not plan.is_open:
        return None
    start = max(filter(None, (last_update_on, plan.opened_on)))
    due = start + dt.timedelta(days=plan.update_every_days)
    return Cadence(plan.update_every_days, last_update_on, due, today > due)


# Systemic issues


@dataclass(frozen=True)
class Recurrence:
    key: str
    causes: int
    plans: int
    clients: int

    @property
    def recurs(self) -> bool:
        return self.plans >= 2


def recurring_causes(workspace: Workspace, by: str) -> list[Recurrence]:
    """Root causes counted by ``factor`` or ``category`` across plans, most widespread first."""
    if by not in ("factor", "category"):
        raise ValueError(by)
    rows = (
        RootCause.objects.for_workspace(workspace)
        .values(by)
        .annotate(
            causes=Count("id"),
            plans=Count("plan", distinct=True),
            clients=Count("plan__client", distinct=True),
        )
        .order_by("-plans", "-causes", by)
    )
    return [Recurrence(r[by], r["causes"], r["plans"], r["clients"]) for r in rows]


def recurring_pairs(workspace: Workspace) -> dict[tuple[str, str], int]:
    """Plans per (factor, category): the cells of the systemic-issues grid."""
    rows = (
        RootCause.objects.for_workspace(workspace)
        .values("factor", "category")
        .annotate(plans=Count("plan", distinct=True))
    )
    return {(r["factor"], r["category"]): r["plans"] for r in rows}


# For other capabilities


def plans_shared_with(workspace: Workspace, client: Client) -> QuerySet[RecoveryPlan]:
    """The client's plans the client may see in the portal: flagged as shared, or with at least
    one update shared in the portal. Render each with ``recovery/_portal_plan.html``."""
    shared_update = Update.objects.filter(plan=OuterRef("pk"), shared_in_portal=True)
    return (
        RecoveryPlan.objects.for_workspace(workspace)
        .filter(client=client)
        .filter(Q(shared_with_client=True) | Exists(shared_update))
        .prefetch_related("goals", "actions")
        .order_by("-opened_on", "-id")
    )


def actions_due(workspace: Workspace, owner: User | None, until: dt.date) -> QuerySet[Action]:
    """Open actions of open plans due by ``until`` that ``owner`` owes (everyone's for None):
    their own, and those without an owner on the plans they own. Oldest due date first."""
    actions = Action.objects.for_workspace(workspace).filter(
        status=ActionStatus.OPEN, due_on__lte=until, plan__status=PlanStatus.OPEN
    )
    if owner is not None:
        actions = actions.filter(Q(owner=owner) | Q(owner__isnull=True, plan__owner=owner))
    return actions.select_related("plan", "plan__client", "owner", "plan__owner").order_by(
        "due_on", "id"
    )


# A plan's own timeline


@dataclass(frozen=True)
class Entry:
    on: dt.date
    kind: str
    text: str
    detail: str = ""
    tone: str = "neutral"


def plan_alerts(plan: RecoveryPlan) -> QuerySet[Alert]:
    """The alerts that belong in the plan's story: its trigger and the recovery alerts raised
    about its client while it was open."""
    during = Q(cause__in=ALERT_CAUSES, created_at__date__gte=plan.opened_on)
    if plan.closed_on:
        during &= Q(created_at__date__lte=plan.closed_on)
    trigger = Q(pk=plan.alert_id) if plan.alert_id else Q(pk__in=[])
    return (
        Alert.objects.for_workspace(plan.workspace)
        .filter(client_id=plan.client_id)
        .filter(during | trigger)
    )


def plan_timeline(plan: RecoveryPlan, alerts: list[Alert]) -> list[Entry]:
    """Everything that happened on the plan, oldest first (reads the prefetched plan)."""
    entries = [Entry(plan.opened_on, "Opened", plan.title, plan.trigger, "bad")]
    if plan.meeting_scheduled_on:
        entries.append(Entry(plan.meeting_scheduled_on, "Meeting", "Acknowledge meeting scheduled"))
    if plan.meeting_held_on:
        taken = {True: "responsibility taken", False: "responsibility not taken"}.get(
            plan.responsibility_taken,  # type: ignore[arg-type]
            "",
        )
        entries.append(Entry(plan.meeting_held_on, "Acknowledged", "Meeting held", taken, "good"))
    for chain in plan.chains.all():
        steps = " → ".join(s.answer for s in chain.steps.all())
        entries.append(Entry(chain.created_at.date(), "5 Whys", chain.problem, steps))
    for cause in plan.causes.all():
        entries.append(
            Entry(
                cause.created_at.date(),
                "Root cause",
                cause.description,
                f"{cause.get_category_display()} · {cause.get_factor_display()}",
            )
        )
    for action in plan.actions.all():
        entries.append(
            Entry(
                action.created_at.date(),
                "Action",
                f"Planned: {action.title}",
                f"due {action.due_on:%d %b %Y}",
            )
        )
        if action.done_on:
            entries.append(Entry(action.done_on, "Action done", action.title, tone="good"))
    for update in plan.updates.all():
        shared = " · shared in the portal" if update.shared_in_portal else ""
        entries.append(Entry(update.sent_on, "Update", update.summary[:200] + shared))
    for win in plan.wins.all():
        entries.append(Entry(win.on, "Small win", win.what, tone="good"))
    for alert in alerts:
        entries.append(
            Entry(alert.created_at.date(), "Alert", alert.detail, alert.get_status_display(), "bad")
        )
    if plan.closed_on:
        tone = {"recovered": "good", "lost": "bad"}.get(plan.outcome, "neutral")
        entries.append(
            Entry(plan.closed_on, "Closed", plan.get_outcome_display(), plan.lessons[:200], tone)
        )
    order = {"Opened": 0, "Closed": 2}
    return sorted(entries, key=lambda e: (e.on, order.get(e.kind, 1)))
