"""Scope control: work on approved scope (not on unclassified imports) and change requests
decided in time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Min,
    Q,
    Sum,
)

from trustledger.engagements.models import (
    ChangeRequest,
    TimeEntry,
)
from trustledger.engagements.selectors import Standing, scope_standing, standing_of_versions
from trustledger.engagements.trust_inputs._sql import (
    APPROVED,
    Versions,
    WeeksSince,
    _of,
)
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope

# ScopeWork.approved: True on approved scope or overhead, False on unapproved, None unclassified.
APPROVED_BY_STANDING: dict[Standing, bool | None] = {
    Standing.APPROVED: True,
    Standing.OVERHEAD: True,
    Standing.UNAPPROVED: False,
    Standing.UNCLASSIFIED: None,
}


def collect(scope: Scope, facts: FactsByClient, versions: Versions) -> None:
    """Weekly hours on approved scope (or overhead), on unapproved scope, and unclassified (an
    imported task nobody has classified: neither, so the scoring leaves it out), and change
    requests approved before their work. Entries edited or deleted after as_of count as they
    stood then (``versions``)."""
    in_window = [e for e in versions.time_entries if scope.window_start <= e["date"] <= scope.as_of]
    for (client_id, week, standing), total in _weekly_hours(scope, in_window).items():
        day = scope.window_start + dt.timedelta(weeks=week)
        what = " (approved overhead)" if standing == Standing.OVERHEAD else ""
        facts[client_id].scope_work.append(
            ind.ScopeWork(
                f"Week of {day:%d %b}{what}", day, float(total), APPROVED_BY_STANDING[standing]
            )
        )
    for client_id, title, started, status, decided_on in _started_changes(scope, versions):
        approved = decided_on if status == APPROVED and decided_on <= scope.as_of else None
        facts[client_id].change_requests.append(ind.ChangeRequest(title, started, approved))


def _weekly_hours(
    scope: Scope, versions: list[dict[str, Any]]
) -> dict[tuple[int, int, Standing], Decimal]:
    """Hours per client, week of the window and standing: the live entries known on as_of and
    the versions in force then."""
    weekly = (
        _of(TimeEntry, scope, "engagement__client_id")
        .filter(date__range=(scope.window_start, scope.as_of), recorded_at__lt=scope.known_before)
        .annotate(
            week=WeeksSince("date", scope.window_start),
            standing=scope_standing(scope.known_before),
        )
        .values("engagement__client_id", "week", "standing")
        .annotate(total=Sum("hours"))
    )
    hours: defaultdict[tuple[int, int, Standing], Decimal] = defaultdict(Decimal)
    for row in weekly:
        key = (row["engagement__client_id"], row["week"], Standing(row["standing"]))
        hours[key] += row["total"]
    standings = standing_of_versions(versions, scope.known_before)
    for entry, standing in zip(versions, standings, strict=True):
        week = (entry["date"] - scope.window_start).days // 7
        hours[(entry["client_id"], week, standing)] += entry["hours"]
    return hours


def _started_changes(scope: Scope, versions: Versions) -> list[tuple[Any, ...]]:
    """Change requests whose work started in the window (the first entry known on as_of, live or
    a version in force then), with their client, title, status and decision day."""
    first_in_versions: dict[int, dt.date] = {}
    for entry in versions.time_entries:
        request, day = entry["change_request_id"], entry["date"]
        if request is not None and day <= scope.as_of:
            first_in_versions[request] = min(day, first_in_versions.get(request, day))
    rows = (
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
        .filter(Q(started__gte=scope.window_start) | Q(pk__in=list(first_in_versions)))
        .values_list("pk", "engagement__client_id", "title", "started", "status", "decided_on")
    )
    out = []
    for pk, client_id, title, started, status, decided_on in rows:
        days = [d for d in (started, first_in_versions.get(pk)) if d is not None]
        if days and min(days) >= scope.window_start:
            out.append((client_id, title, min(days), status, decided_on))
    return out
