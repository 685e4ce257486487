"""Template helpers for engagement pages: money in the engagement's currency, tones.

Percentages, ratios and shares are ``{% load numbers %}`` filters, shared by every page."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.db.models import QuerySet

from trustledger.charts import format_money
from trustledger.engagements import selectors
from trustledger.engagements.models import Engagement

register = template.Library()
Number = Decimal | float | int | None

# How a status or severity reads at a glance: the badge-* class to give it.
TONES = {
    "proposed": "info",
    "active": "ok",
    "on_hold": "warn",
    "submitted": "warn",
    "in_progress": "info",
    "in_review": "info",
    "returned": "warn",
    "approved": "ok",
    "accepted": "ok",
    "delivered": "ok",
    "rejected": "bad",
    "medium": "warn",
    "high": "bad",
    "critical": "bad",
    # the verdicts of scoring.evm on the budget and the schedule
    "within_budget": "ok",
    "over_budget": "warn",
    "overrun": "bad",
    "on_plan": "ok",
    "behind": "warn",
    "well_behind": "bad",
}
VERDICTS = {
    "no_forecast": "No forecast yet",
    "within_budget": "Within budget",
    "over_budget": "Over budget",
    "overrun": "Forecast overrun",
    "unknown": "Not measurable yet",
    "on_plan": "On plan",
    "behind": "Behind plan",
    "well_behind": "Well behind plan",
}


def _number(value: object) -> float | None:
    """Template values are None or "" when missing (e.g. ``evm.cpi`` without an EVM result)."""
    if value is None or value == "":
        return None
    return float(value)  # type: ignore[arg-type]


@register.filter
def money(amount: Number, currency: str = "EUR") -> str:
    """``{{ amount|money:engagement.currency }}``: ``€60,000``; a dash when there is no amount."""
    number = _number(amount)
    return "—" if number is None else format_money(number, currency or "EUR")


@register.filter
def mul(value: Number, factor: Number) -> Decimal | None:
    """``{{ hours|mul:rate }}``: a product for display."""
    if _number(value) is None or _number(factor) is None:
        return None
    return Decimal(str(value)) * Decimal(str(factor))


@register.filter
def tone(status: str) -> str:
    """The badge class of a status: ``<span class="badge badge-{{ s|tone }}">``."""
    return TONES.get(status, "neutral")


@register.filter
def verdict(code: str) -> str:
    """A verdict of ``scoring.evm`` in words: ``{{ verdicts.schedule|verdict }}``."""
    return VERDICTS.get(code, code)


@register.simple_tag
def with_burn(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """``{% with_burn engagements as rows %}``: the engagements with the budget burned so far."""
    return selectors.with_burned(engagements)
