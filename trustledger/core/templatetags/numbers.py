"""``{% load numbers %}``: every figure a template shows, through the one rule in
``scoring/display.py`` (half up; the index kept to two decimals and shown whole).

These filters are defined here and nowhere else (a test holds every filter to one library), so a
page, an e-mail, a PDF and a status report cannot round the same figure two ways.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from trustledger.scoring import display

register = template.Library()
type Number = Decimal | float | int | None


def _number(value: object) -> float | Decimal | None:
    """Template values are None or "" when missing (e.g. ``evm.cpi`` without an EVM result)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else float(value)  # type: ignore[arg-type]


@register.filter
def score(value: Number) -> str:
    """The trust index, a pillar or an indicator score: ``29``; an em dash without data."""
    number = _number(value)
    shown = display.display_index(None if number is None else float(number))
    return display.DASH if shown is None else str(shown)


@register.filter
def percent(ratio: Number) -> str:
    """``0.642`` as ``64%``; an em dash when unknown."""
    return display.format_percent(_number(ratio))


@register.filter
def signed(value: Number, digits: int = 0) -> str:
    """``+3``, ``−8``, ``0``; ``{{ x|signed:1 }}`` for one decimal. An em dash without a value."""
    return display.format_signed(_number(value), int(digits))


@register.filter
def ratio(value: Number) -> str:
    """CPI and SPI: two decimals, an em dash when unknown."""
    return display.format_ratio(_number(value))


@register.filter
def share(part: Number, whole: Number) -> float | None:
    """``{{ cost|share:budget|percent }}``: None when the whole is zero or unknown."""
    numerator, denominator = _number(part), _number(whole)
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)
