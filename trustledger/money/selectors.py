"""Reads of the workspace's money settings: the rates that convert, and what the page lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from trustledger.engagements.models import Engagement
from trustledger.money.models import ExchangeRate
from trustledger.scoring.currency import RATE_PLACES, Rates, format_rate
from trustledger.workspaces.models import Workspace


def rates_for(
    workspace: Workspace, currencies: Iterable[str], first: dt.date, last: dt.date
) -> Rates:
    """The rates to the workspace's base of ``currencies`` that convert amounts dated from
    ``first`` to ``last``: those dated in between and each one's latest before. One query (none
    when every currency is the base)."""
    base = workspace.base_currency
    wanted = sorted(set(currencies) - {base})
    if not wanted:
        return Rates(base)
    to_base = ExchangeRate.objects.for_workspace(workspace).filter(base=base, currency__in=wanted)
    latest_before = (
        to_base.filter(currency=OuterRef("currency"), date__lte=first)
        .order_by("-date")
        .values("date")[:1]
    )
    rows = to_base.filter(
        Q(date__gte=first) | Q(date=Subquery(latest_before)), date__lte=last
    ).values_list("currency", "date", "rate")
    return Rates.of(base, rows)


def rates_of(workspace: Workspace, currency: str = "") -> QuerySet[ExchangeRate]:
    """The rates to the current base, newest first (of one currency when given)."""
    rates = ExchangeRate.objects.for_workspace(workspace).filter(base=workspace.base_currency)
    if currency:
        rates = rates.filter(currency=currency)
    return rates.select_related("recorded_by").order_by("-date", "currency")


@dataclass(frozen=True)
class CurrencyUse:
    """A currency of the workspace: its engagements and the rates that convert them."""

    code: str
    engagements: int
    rates: int
    latest_on: dt.date | None
    latest_rate: Decimal | None

    @property
    def latest_text(self) -> str:
        return format_rate(self.latest_rate) if self.latest_rate is not None else ""


def currencies_in_use(workspace: Workspace) -> list[CurrencyUse]:
    """Every currency other than the base that engagements use or rates exist for; those in use
    first (two queries)."""
    base = workspace.base_currency
    used = dict(
        Engagement.objects.for_workspace(workspace)
        .exclude(currency=base)
        .values("currency")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("currency", "n")
    )
    latest = ExchangeRate.objects.filter(
        workspace=workspace, base=base, currency=OuterRef("currency")
    ).order_by("-date")
    rated = {
        row["currency"]: row
        for row in ExchangeRate.objects.for_workspace(workspace)
        .filter(base=base)
        .values("currency")
        .annotate(
            n=Count("pk"),
            last_on=Max("date"),
            last_rate=Subquery(latest.values("rate")[:1]),
        )
        .order_by()
    }
    uses = [
        CurrencyUse(
            code,
            used.get(code, 0),
            rated[code]["n"] if code in rated else 0,
            rated[code]["last_on"] if code in rated else None,
            Decimal(rated[code]["last_rate"]).quantize(RATE_PLACES) if code in rated else None,
        )
        for code in set(used) | set(rated)
    ]
    return sorted(uses, key=lambda u: (-u.engagements, u.code))
