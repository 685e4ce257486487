"""Milestones delivered on time, and slips told in advance (no surprises).

A delivery counts once it was recorded, and as it was known on the day: an edit recorded later
leaves the version it replaced in force before it. A slip notice counts from the later of the
day it says the client was told and the day it was recorded, so dating a notice earlier earns no
lead time.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from trustledger.engagements.models import (
    Milestone,
    Notice,
)
from trustledger.engagements.trust_inputs._sql import (
    Versions,
    _of,
    engagement_names,
    first_notices,
    known_delivery,
)
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


def collect_milestones_and_slips(scope: Scope, facts: FactsByClient, versions: Versions) -> None:
    """Milestones due in the window; a late one is also a slip, told in advance or not."""
    slip_notices = _of(Notice, scope, "engagement__client_id").filter(
        kind="slip", milestone__committed_date__range=(scope.window_start, scope.as_of)
    )
    told = first_notices(slip_notices, "milestone_id", scope)
    for pk, client_id, name, engagement, committed, buffer, delivered, recorded in _milestones(
        scope, versions
    ):
        delivery = known_delivery(delivered, recorded, scope)
        first = told.get(pk)
        label = f"{engagement}: {name}"
        facts[client_id].milestones.append(
            ind.Milestone(label, committed, buffer, delivery, first.counts_from if first else None)
        )
        if (delivery or scope.as_of) > committed + dt.timedelta(days=buffer):
            facts[client_id].slips.append(ind.Slip(f"{label} slipped", committed, first))


def _milestones(scope: Scope, versions: Versions) -> list[tuple[Any, ...]]:
    """The milestones due in the window as known on as_of: the live rows recorded by then and
    the versions an edit or deletion recorded later replaced (``core.history``)."""
    columns = (
        "id",
        "engagement__client_id",
        "name",
        "engagement__name",
        "committed_date",
        "buffer_days",
        "delivered_on",
        "delivery_recorded_at",
    )
    window = (scope.window_start, scope.as_of)
    rows: list[tuple[Any, ...]] = list(
        _of(Milestone, scope, "engagement__client_id")
        .filter(committed_date__range=window, recorded_at__lt=scope.known_before)
        .exclude(status="cancelled")
        .values_list(*columns)
    )
    in_window = [
        v
        for v in versions.milestones
        if window[0] <= v["committed_date"] <= window[1] and v["status"] != "cancelled"
    ]
    names = engagement_names(scope, {v["engagement_id"] for v in in_window})
    for v in in_window:
        v |= {
            "engagement__client_id": v["client_id"],
            "engagement__name": names[v["engagement_id"]],
        }
        rows.append(tuple(v[column] for column in columns))
    return rows
