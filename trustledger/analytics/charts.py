"""The dashboard's SVG charts: retention curves by cohort (steps) and NPS over time (with its
margin of error). Built from plain values with the house chart helpers, so they read in black
and white (each series has its own dash and a text label) and print in the PDF."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString

from trustledger.charts import (
    ACCENT,
    GRID,
    INK,
    MUTED,
    NARROW,
    WIDE,
    _legend,
    _line,
    _n,
    _svg,
    _text,
    nice_step,
)
from trustledger.scoring.display import format_number, format_percent
from trustledger.scoring.nps import NpsResult
from trustledger.scoring.stats import SurvivalPoint

DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 4", "12 2")
DAYS_PER_MONTH = 365.25 / 12


def survival_chart(
    cohorts: Sequence[tuple[str, Sequence[SurvivalPoint]]],
    *,
    chart_id: str = "cohort-curves",
    narrow: bool = False,
) -> SafeString:
    """One Kaplan-Meier step line per cohort: share of clients kept (y) by months since start."""
    width = NARROW if narrow else WIDE
    top, bottom, left, right = 16.0, 220.0, 44.0, width - 16
    last = max([p.time for _, curve in cohorts for p in curve] + [DAYS_PER_MONTH * 12])
    months = last / DAYS_PER_MONTH
    step = nice_step(months, ticks=4 if narrow else 8)
    span = math.ceil(months / step) * step

    def x(days: float) -> float:
        return left + (right - left) * (days / DAYS_PER_MONTH) / span

    def y(share: float) -> float:
        return bottom - (bottom - top) * share

    body = []
    for tick in range(0, 101, 25):
        level = y(tick / 100)
        body.append(_line(left, level, right, level, GRID, cls="gridline"))
        body.append(_text(left - 6, level + 4, f"{tick}%", size=11, fill=MUTED, text_anchor="end"))
    for i in range(round(span / step) + 1):
        at = x(i * step * DAYS_PER_MONTH)
        body.append(
            _text(at, bottom + 16, f"{i * step:g}", size=11, fill=MUTED, text_anchor="middle")
        )
    body.append(
        _text(
            right,
            bottom + 32,
            "months since the relationship began",
            size=11,
            fill=MUTED,
            text_anchor="end",
        )
    )
    body.append(_line(left, bottom, right, bottom, MUTED))
    legend_items = []
    for index, (label, curve) in enumerate(cohorts):
        dash = DASHES[index % len(DASHES)]
        colour = INK if index % 2 == 0 else ACCENT
        path, value, at = [f"M{_n(x(0))} {_n(y(1))}"], 1.0, 0.0
        for point in curve:
            path.append(f"H{_n(x(point.time))}V{_n(y(point.survival))}")
            value, at = point.survival, point.time
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<path class="km" d="{"".join(path)}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dashing}><title>{escape(label)}: {format_percent(value)} kept after '
            f"{format_number(at / DAYS_PER_MONTH)} months</title></path>"
        )
        swatch = f'<line x2="24" stroke="{colour}" stroke-width="2"{dashing}/>'
        legend_items.append((swatch, f"{label} ({format_percent(value)})"))
    legend, legend_height = _legend(legend_items, bottom + 52, left if not narrow else 8, right)
    body += legend
    desc = "; ".join(
        f"{label}: {format_percent(curve[-1].survival)} kept after "
        f"{format_number(curve[-1].time / DAYS_PER_MONTH)} months"
        for label, curve in cohorts
        if curve
    )
    return _svg(
        chart_id,
        width,
        bottom + 60 + legend_height,
        "Share of clients kept by months since the relationship began, per start cohort",
        desc or "No clients.",
        body,
    )


def nps_chart(
    points: Sequence[tuple[str, NpsResult | None]],
    *,
    chart_id: str = "nps-trend",
    narrow: bool = False,
) -> SafeString:
    """NPS per month or quarter (dots joined by a line) with its 95% margin as a vertical bar."""
    width = NARROW if narrow else WIDE
    top, bottom, left, right = 16.0, 200.0, 44.0, width - 16

    def y(value: float) -> float:
        return bottom - (bottom - top) * (max(-100.0, min(100.0, value)) + 100) / 200

    slot = (right - left) / max(len(points), 1)
    body = []
    for tick in (-100, -50, 0, 50, 100):
        body.append(
            _line(left, y(tick), right, y(tick), INK if tick == 0 else GRID, cls="gridline")
        )
        body.append(_text(left - 6, y(tick) + 4, f"{tick}", size=11, fill=MUTED, text_anchor="end"))
    every = max(1, math.ceil(len(points) / (4 if narrow else 12)))
    line: list[str] = []
    described: list[str] = []
    for i, (label, result) in enumerate(points):
        cx = left + slot * (i + 0.5)
        if i % every == 0:
            body.append(_text(cx, bottom + 16, label, size=11, fill=MUTED, text_anchor="middle"))
        if result is None or result.nps is None:
            continue
        moe = result.margin_of_error or 0.0
        body.append(
            _line(
                cx, y(result.nps - moe), cx, y(result.nps + moe), MUTED, stroke_width=2.0, cls="moe"
            )
        )
        body.append(
            f'<circle cx="{_n(cx)}" cy="{_n(y(result.nps))}" r="4" fill="{ACCENT}">'
            f"<title>{escape(label)}: NPS {format_number(result.nps)} ± {format_number(moe)} "
            f"({result.n} answers)</title></circle>"
        )
        line.append(f"{'M' if not line else 'L'}{_n(cx)} {_n(y(result.nps))}")
        described.append(f"{label}: {format_number(result.nps)} ± {format_number(moe)}")
    if line:
        body.insert(
            0, f'<path d="{"".join(line)}" fill="none" stroke="{ACCENT}" stroke-width="1.5"/>'
        )
    legend, legend_height = _legend(
        [
            (f'<circle cx="12" r="4" fill="{ACCENT}"/>', "NPS"),
            (
                f'<line x1="12" x2="12" y1="-7" y2="7" stroke="{MUTED}" stroke-width="2"/>',
                "95% margin of error",
            ),
        ],
        bottom + 36,
        left if not narrow else 8,
        right,
    )
    body += legend
    return _svg(
        chart_id,
        width,
        bottom + 44 + legend_height,
        "Net Promoter Score over time, with its 95% margin of error",
        "; ".join(described) or "No answers in the period.",
        body,
    )
