"""Milestones delivered on time, and slips told in advance (no surprises)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import (
    Min,
    Q,
)

from trustledger.engagements.models import (
    Milestone,
)
from trustledger.engagements.trust_inputs._sql import (
    _of,
)
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


def collect_milestones_and_slips(scope: Scope, facts: FactsByClient) -> None:
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
