"""Milestones delivered on time, and slips told in advance (no surprises).

A delivery counts once it was recorded; a slip notice counts from the later of the day it says
the client was told and the day it was recorded, so dating a notice earlier earns no lead time.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from trustledger.engagements.models import (
    Milestone,
    Notice,
)
from trustledger.engagements.trust_inputs._sql import (
    _of,
    first_notices,
    known_delivery,
)
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


def collect_milestones_and_slips(scope: Scope, facts: FactsByClient) -> None:
    """Milestones due in the window; a late one is also a slip, told in advance or not."""
    in_window = {
        "committed_date__range": (scope.window_start, scope.as_of),
        "recorded_at__lt": scope.known_before,
    }
    rows = (
        _of(Milestone, scope, "engagement__client_id")
        .filter(**in_window)
        .exclude(status="cancelled")
        .values_list(
            "id",
            "engagement__client_id",
            "name",
            "engagement__name",
            "committed_date",
            "buffer_days",
            "delivered_on",
            "delivery_recorded_at",
        )
    )
    slip_notices = _of(Notice, scope, "engagement__client_id").filter(
        kind="slip", **{f"milestone__{name}": value for name, value in in_window.items()}
    )
    told = first_notices(slip_notices, "milestone_id", scope)
    for pk, client_id, name, engagement, committed, buffer, delivered, recorded in rows:
        delivery = known_delivery(delivered, recorded, scope)
        first = told.get(pk)
        label = f"{engagement}: {name}"
        facts[client_id].milestones.append(
            ind.Milestone(label, committed, buffer, delivery, first.counts_from if first else None)
        )
        if (delivery or scope.as_of) > committed + dt.timedelta(days=buffer):
            facts[client_id].slips.append(ind.Slip(f"{label} slipped", committed, first))
