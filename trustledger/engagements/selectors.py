"""Reads about engagements shared by pages, the API, reports and the trust signals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from trustledger.core.claims import recorded_on
from trustledger.core.clock import HasTimeZone
from trustledger.engagements.models import (
    Assignment,
    ChangeRequest,
    ChangeRequestStatus,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneStatus,
    ScopeItem,
    TaskMapping,
    TimeClassification,
    TimeEntry,
    normalise_task,
)
from trustledger.scoring import indicators as ind
from trustledger.scoring.capacity import Booking, PersonLoad, check_capacity
from trustledger.scoring.evm import EvmInputs, EvmResult, compute_evm, linear_planned_value
from trustledger.workspaces.models import Membership, Workspace

ZERO = Decimal(0)
COST = ExpressionWrapper(
    F("hours") * F("cost_rate"), output_field=DecimalField(max_digits=16, decimal_places=4)
)
BILLED = ExpressionWrapper(
    F("hours") * F("bill_rate"), output_field=DecimalField(max_digits=16, decimal_places=4)
)
# Covered work: on a scope item the client had approved by the day it was done (the charter's,
# or one a change request added, from its approval), on a change request approved by that day, or
# approved overhead.
_ITEM_OF_THE_CHARTER = Q(scope_item__change_request__isnull=True)
_ITEM_APPROVED_BY_THEN = Q(
    scope_item__change_request__status=ChangeRequestStatus.APPROVED,
    scope_item__change_request__decided_on__lte=F("date"),
)
COVERED = (
    (Q(scope_item__isnull=False) & (_ITEM_OF_THE_CHARTER | _ITEM_APPROVED_BY_THEN))
    | Q(
        change_request__status=ChangeRequestStatus.APPROVED,
        change_request__decided_on__lte=F("date"),
    )
    | Q(classification=TimeClassification.OVERHEAD)
)
# Imported work whose task nobody has classified: counted neither as covered nor as creep.
UNCLASSIFIED = Q(classification=TimeClassification.UNCLASSIFIED)
# Scope creep: work on scope the client had not approved on the day it was done.
CREEP = ~COVERED & ~UNCLASSIFIED


class Standing(StrEnum):
    """What an entry's hours count as, in words the pages, the API and the index share."""

    APPROVED = "approved"
    OVERHEAD = "overhead"
    UNAPPROVED = "unapproved"
    UNCLASSIFIED = "unclassified"

    @property
    def label(self) -> str:
        return STANDING_LABELS[self]


STANDING_LABELS = {
    Standing.APPROVED: "Approved scope",
    Standing.OVERHEAD: "Approved overhead",
    Standing.UNAPPROVED: "Unapproved scope",
    Standing.UNCLASSIFIED: "Unclassified",
}


def scope_standing(known_before: dt.datetime | None = None) -> Case:
    """An entry's standing: approved scope, approved overhead, unapproved scope (creep) or
    unclassified. As known before ``known_before``: an entry classified again at or after it
    (a task mapped later) was then still unclassified."""
    later = (
        []
        if known_before is None
        else [When(reclassified_at__gte=known_before, then=Value(Standing.UNCLASSIFIED.value))]
    )
    return Case(
        *later,
        When(UNCLASSIFIED, then=Value(Standing.UNCLASSIFIED.value)),
        When(classification=TimeClassification.OVERHEAD, then=Value(Standing.OVERHEAD.value)),
        When(COVERED, then=Value(Standing.APPROVED.value)),
        default=Value(Standing.UNAPPROVED.value),
        output_field=CharField(),
    )


def standing_of_versions(
    entries: list[dict[str, Any]], known_before: dt.datetime
) -> list[Standing]:
    """``scope_standing`` of versions of entries (``core.history``: their columns as dicts),
    which are no rows to run its SQL on: the same rule, read against their scope items and
    change requests (two queries, none without versions)."""
    if not entries:
        return []
    item_ids = {e["scope_item_id"] for e in entries} - {None}
    items = {
        pk: (cr_id, status, decided_on)
        for pk, cr_id, status, decided_on in ScopeItem.objects.filter(pk__in=item_ids).values_list(
            "pk", "change_request_id", "change_request__status", "change_request__decided_on"
        )
    }
    request_ids = {e["change_request_id"] for e in entries} - {None}
    requests = {
        pk: (status, decided_on)
        for pk, status, decided_on in ChangeRequest.objects.filter(pk__in=request_ids).values_list(
            "pk", "status", "decided_on"
        )
    }
    return [_standing(e, items, requests, known_before) for e in entries]


def _standing(
    entry: dict[str, Any],
    items: Mapping[int, tuple[int | None, str | None, dt.date | None]],
    requests: Mapping[int, tuple[str, dt.date | None]],
    known_before: dt.datetime,
) -> Standing:
    """One entry's standing by ``scope_standing``'s rule (COVERED, UNCLASSIFIED above)."""
    reclassified = entry["reclassified_at"]
    if entry["classification"] == TimeClassification.UNCLASSIFIED or (
        reclassified is not None and reclassified >= known_before
    ):
        return Standing.UNCLASSIFIED
    if entry["classification"] == TimeClassification.OVERHEAD:
        return Standing.OVERHEAD

    def approved_by_then(status: str | None, decided_on: dt.date | None) -> bool:
        return (
            status == ChangeRequestStatus.APPROVED
            and decided_on is not None
            and (decided_on <= entry["date"])
        )

    item = items.get(entry["scope_item_id"])
    if item is not None and (item[0] is None or approved_by_then(item[1], item[2])):
        return Standing.APPROVED
    request = requests.get(entry["change_request_id"])
    if request is not None and approved_by_then(*request):
        return Standing.APPROVED
    return Standing.UNAPPROVED


BOOKING_STATUSES = (EngagementStatus.PROPOSED, EngagementStatus.ACTIVE, EngagementStatus.ON_HOLD)


def first_told_by(
    workspace: HasTimeZone, notices: Iterable[tuple[int, dt.date, dt.datetime]]
) -> dict[int, ind.Told]:
    """Of notices given as (key, sent_on, recorded_at), the one that told the client first per key
    (a milestone or an engagement): each counts from the later of the day it says the client was
    told and the day it was recorded, on the workspace's calendar."""
    told: defaultdict[int, list[ind.Told]] = defaultdict(list)
    for key, sent_on, recorded_at in notices:
        told[key].append(ind.Told(sent_on, recorded_on(workspace, recorded_at)))
    return {key: first for key, of_key in told.items() if (first := ind.first_told(of_key))}


def list_engagements(
    workspace: Workspace, *, client_id: int | None = None, status: str = "", q: str = ""
) -> QuerySet[Engagement]:
    qs = Engagement.objects.for_workspace(workspace).select_related("client", "lead")
    if client_id:
        qs = qs.filter(client_id=client_id)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(client__name__icontains=q))
    return qs.order_by("-start_date", "name", "pk")


def scope_creep_entries(engagement: Engagement) -> QuerySet[TimeEntry]:
    """Time logged on scope the client had not approved by the day of the work."""
    return engagement.time_entries.filter(CREEP)


@dataclass(frozen=True)
class Burn:
    hours: Decimal
    cost: Decimal
    billed: Decimal
    creep_hours: Decimal
    creep_cost: Decimal
    unclassified_hours: Decimal


def burn(engagement: Engagement, as_of: dt.date | None = None) -> Burn:
    """Hours, cost, billed value and scope creep logged on the engagement (up to ``as_of``)."""
    entries = engagement.time_entries.all()
    if as_of is not None:
        entries = entries.filter(date__lte=as_of)
    totals = (
        entries.aggregate(  # keys differ from field names: Django refuses Sum("hours") as "hours"
            total_hours=Coalesce(Sum("hours"), ZERO),
            total_cost=Coalesce(Sum(COST), ZERO, output_field=DecimalField()),
            total_billed=Coalesce(Sum(BILLED), ZERO, output_field=DecimalField()),
            total_creep_hours=Coalesce(Sum("hours", filter=CREEP), ZERO),
            total_creep_cost=Coalesce(Sum(COST, filter=CREEP), ZERO, output_field=DecimalField()),
            total_unclassified_hours=Coalesce(Sum("hours", filter=UNCLASSIFIED), ZERO),
        )
    )
    return Burn(**{k.removeprefix("total_"): Decimal(v) for k, v in totals.items()})


def percent_complete(engagement: Engagement, as_of: dt.date) -> float | None:
    """Share of the (non-cancelled) milestones delivered by ``as_of``; None without milestones."""
    milestones = engagement.milestones.exclude(status=MilestoneStatus.CANCELLED)
    counts = milestones.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(delivered_on__lte=as_of)),
    )
    return counts["done"] / counts["total"] if counts["total"] else None


def evm(engagement: Engagement, as_of: dt.date) -> EvmResult | None:
    """Earned value on the money budget; None without milestones or a budget to measure."""
    done = percent_complete(engagement, as_of)
    bac = float(engagement.budget_amount)
    if done is None or bac <= 0:
        return None
    inputs = EvmInputs(
        bac=bac,
        planned_value=linear_planned_value(bac, engagement.start_date, engagement.end_date, as_of),
        earned_value=bac * done,
        actual_cost=float(
            burn(engagement, as_of).billed
        ),  # the client's budget burns at bill rates
    )
    return compute_evm(inputs)


def capacity_check(engagement: Engagement) -> list[PersonLoad]:
    """Everyone assigned to ``engagement``: their booked hours vs capacity over its dates."""
    people = list(engagement.assignments.values_list("person_id", flat=True))
    overlapping = Assignment.objects.filter(
        workspace_id=engagement.workspace_id,
        person_id__in=people,
        engagement__status__in=BOOKING_STATUSES,
        engagement__start_date__lte=engagement.end_date,
        engagement__end_date__gte=engagement.start_date,
    ).values_list(
        "person_id",
        "engagement_id",
        "engagement__start_date",
        "engagement__end_date",
        "weekly_hours",
    )
    bookings = [
        Booking(person, start, end, float(hours), proposed=eng == engagement.pk)
        for person, eng, start, end, hours in overlapping
    ]
    capacities = dict(
        Membership.objects.filter(
            workspace_id=engagement.workspace_id, user_id__in=people
        ).values_list("user_id", "weekly_capacity_hours")
    )
    return check_capacity(
        bookings,
        {k: float(v) for k, v in capacities.items()},
        engagement.start_date,
        engagement.end_date,
    )


def milestones_with_notices(engagement: Engagement) -> QuerySet[Milestone]:
    return engagement.milestones.prefetch_related("notices", "deliverables")


def with_burned(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Annotate ``burned``: the budget used so far, time at bill rates (as ``evm`` counts it), in
    the same query as the engagements."""
    billed = Sum(F("time_entries__hours") * F("time_entries__bill_rate"))
    return engagements.annotate(burned=Coalesce(billed, ZERO, output_field=DecimalField()))


# --- time and scope: what imported tasks count as --------------------------------------------


@dataclass(frozen=True)
class TaskHours:
    """Unclassified time under one task name (spellings that differ only in case merged)."""

    task: str
    entries: int
    hours: Decimal
    first: dt.date
    last: dt.date
    engagements: int


def hours_by_standing(engagement: Engagement) -> dict[Standing, Decimal]:
    """The engagement's hours on approved scope, overhead, unapproved scope and unclassified."""
    rows = (
        engagement.time_entries.annotate(standing=scope_standing())
        .order_by()
        .values("standing")
        .annotate(total=Sum("hours"))
    )
    totals = dict.fromkeys(Standing, ZERO)
    for row in rows:
        totals[Standing(row["standing"])] = Decimal(row["total"])
    return totals


def unclassified_tasks(
    workspace: Workspace, *, engagement: Engagement | None = None
) -> list[TaskHours]:
    """The task names of unclassified time (of one engagement, or of the whole workspace), the
    most hours first."""
    entries = TimeEntry.objects.for_workspace(workspace).filter(UNCLASSIFIED)
    if engagement is not None:
        entries = entries.filter(engagement=engagement)
    rows = (
        entries.order_by()
        .values("task", "engagement_id")
        .annotate(entries=Count("id"), hours=Sum("hours"), first=Min("date"), last=Max("date"))
    )
    merged: dict[str, TaskHours] = {}
    engagements: dict[str, set[int]] = {}
    for row in rows:
        key = normalise_task(row["task"])
        engagements.setdefault(key, set()).add(row["engagement_id"])
        seen = merged.get(key)
        merged[key] = TaskHours(
            task=seen.task if seen else row["task"],
            entries=row["entries"] + (seen.entries if seen else 0),
            hours=Decimal(row["hours"]) + (seen.hours if seen else ZERO),
            first=min(row["first"], seen.first) if seen else row["first"],
            last=max(row["last"], seen.last) if seen else row["last"],
            engagements=len(engagements[key]),
        )
    return sorted(merged.values(), key=lambda t: (-t.hours, normalise_task(t.task)))


def task_mappings(
    workspace: Workspace, *, engagement: Engagement | None = None
) -> QuerySet[TaskMapping]:
    """The firm-wide mappings, and the engagement's own when one is given (its own first)."""
    scope = Q(engagement__isnull=True)
    if engagement is not None:
        scope |= Q(engagement=engagement)
    return (
        TaskMapping.objects.for_workspace(workspace)
        .filter(scope)
        .select_related("scope_item", "engagement")
        .order_by(F("engagement").asc(nulls_last=True), "task_key", "id")
    )
