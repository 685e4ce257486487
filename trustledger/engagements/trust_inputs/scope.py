"""Scope control: work on approved scope (not on unclassified imports) and change requests
decided in time."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import (
    Min,
    Q,
    Sum,
)

from trustledger.engagements.models import (
    ChangeRequest,
    TimeEntry,
)
from trustledger.engagements.selectors import Standing, scope_standing
from trustledger.engagements.trust_inputs._sql import (
    APPROVED,
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


def collect(scope: Scope, facts: FactsByClient) -> None:
    """Weekly hours on approved scope (or overhead), on unapproved scope, and unclassified (an
    imported task nobody has classified: neither, so the scoring leaves it out), and change
    requests approved before their work."""
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
    for row in weekly:
        week = scope.window_start + dt.timedelta(weeks=row["week"])
        standing = Standing(row["standing"])
        what = " (approved overhead)" if standing == Standing.OVERHEAD else ""
        facts[row["engagement__client_id"]].scope_work.append(
            ind.ScopeWork(
                f"Week of {week:%d %b}{what}",
                week,
                float(row["total"]),
                APPROVED_BY_STANDING[standing],
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
