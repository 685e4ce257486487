"""Showing NPS honestly: never a score without its margin of error and its number of answers."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from trustledger.scoring import display
from trustledger.scoring.display import format_signed
from trustledger.scoring.nps import NpsResult, category

register = template.Library()
FEW_ANSWERS = 10

THEME_LABELS = {
    "deadlines": "Deadlines",
    "communication": "Communication",
    "scope_budget": "Scope & budget",
    "quality": "Quality",
    "praise": "Praise",
    "other": "Other",
}


@register.filter
def nps(result: NpsResult | None) -> SafeString:
    """“+32 ± 14 (n = 25)”, or “no answers yet”."""
    if result is None or not result.n:
        return mark_safe('<span class="muted">no answers yet</span>')
    margin = result.margin_of_error or 0.0
    # Below ~10 answers the normal approximation behind the margin breaks down (all three
    # detractors give ± 0): say so rather than suggest precision.
    few = " · too few for a reliable margin" if result.n < FEW_ANSWERS else ""
    return format_html(
        '<span class="nps">{}</span> <span class="nps-moe" title="95% margin of error">± {}</span>'
        ' <span class="muted small">(n = {}{})</span>',
        format_signed(result.nps),
        display.format_number(margin),
        result.n,
        few,
    )


@register.filter
def theme_label(theme: str) -> str:
    return THEME_LABELS.get(theme, theme or "—")


@register.filter(name="category")
def nps_category(score: int) -> str:
    """``promoter``, ``passive`` or ``detractor``: the one rule of ``scoring.nps``."""
    return category(score)
