"""Loyalty: repeat business and referrals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustledger.clients.models import Referral
from trustledger.engagements.models import (
    ChangeRequest,
)
from trustledger.engagements.trust_inputs._sql import (
    APPROVED,
    _of,
)
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import FactsByClient, Scope


def collect(scope: Scope, facts: FactsByClient, engagements: list[dict[str, Any]]) -> None:
    """Repeat engagements (or shrinking ones), referrals given, scope grown by approved changes."""
    previous: dict[int, dict[str, Any]] = {}
    for e in engagements:  # ordered by client and start date
        before = previous.get(e["client_id"])
        previous[e["client_id"]] = e
        if before is None or e["start_date"] < scope.window_start:
            continue
        # sizes compare in one currency only: the index converts no money (docs/trust-index.md)
        same_currency = e["currency"] == before["currency"]
        shrinking = same_currency and e["budget_amount"] < before["budget_amount"] / 2
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
