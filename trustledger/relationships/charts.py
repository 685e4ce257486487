"""Server-side SVG of a client's health-check scores over time.

Plain values in, a safe ``<svg>`` out (the same chart in a page, an e-mail or a PDF). Readable in
black and white: the zones are labelled, each check is a marked point with its score written
beside the latest one; a ``<title>`` and ``<desc>`` carry the figures for screen readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from trustledger.scoring.display import format_number
from trustledger.scoring.health import FAIR_FROM, STRONG_FROM

INK, MUTED, GRID, LINE = "#1b2430", "#5b6675", "#dfe3e8", "#1f4e79"
ZONES = (
    ("strong", STRONG_FROM, 100, "#e6f4ec"),
    ("fair", FAIR_FROM, STRONG_FROM, "#fff4db"),
    ("weak", 0, FAIR_FROM, "#fdecea"),
)
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"'


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def health_chart(
    scores: Sequence[tuple[dt.date, float]],
    *,
    chart_id: str = "health-trend",
    width: float = 360,
    height: float = 170,
) -> SafeString:
    """Scores (0-100, oldest first) by date of the check, over strong / fair / weak zones."""
    left, right, top, bottom = 30.0, width - 44, 10.0, height - 24
    first = scores[0][0] if scores else dt.date.today()
    last = scores[-1][0] if scores else first
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        if len(scores) < 2:
            return (left + right) / 2
        return left + (right - left) * (day - first).days / span

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / 100

    parts = []
    for label, lo, hi, fill in ZONES:
        parts.append(
            f'<rect x="{_n(left)}" y="{_n(y(hi))}" width="{_n(right - left)}" '
            f'height="{_n(y(lo) - y(hi))}" fill="{fill}"/>'
        )
        parts.append(
            f'<text x="{_n(right + 4)}" y="{_n(y((lo + hi) / 2) + 4)}" text-anchor="start" '
            f'font-size="11" fill="{MUTED}">{label}</text>'
        )
    for tick in (0, 50, 100):
        parts.append(
            f'<text x="{_n(left - 5)}" y="{_n(y(tick) + 4)}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{tick}</text>'
        )
    parts.append(
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" y2="{_n(bottom)}" '
        f'stroke="{MUTED}"/>'
    )
    if scores:
        parts.append(_axis_label(left, bottom + 16, f"{first:%b %Y}", "start"))
        if len(scores) > 1 and x(last) - left > 90:
            parts.append(_axis_label(right, bottom + 16, f"{last:%b %Y}", "end"))
    if len(scores) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_n(x(d))},{_n(y(v))}" for i, (d, v) in enumerate(scores)
        )
        parts.append(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    for day, value in scores:
        parts.append(
            f'<circle class="check" cx="{_n(x(day))}" cy="{_n(y(value))}" r="3.5" fill="{LINE}">'
            f"<title>{day:%d %b %Y}: {format_number(value)}</title></circle>"
        )
    if scores:
        day, value = scores[-1]
        anchor = "end" if x(day) > (left + right) / 2 else "start"
        dx = -7 if anchor == "end" else 7
        label_y = y(value) - 8 if y(value) - 8 > top + 10 else y(value) + 16
        parts.append(
            f'<text class="latest" x="{_n(x(day) + dx)}" y="{_n(label_y)}" text-anchor="{anchor}" '
            f'font-size="12" font-weight="700" fill="{INK}" paint-order="stroke" stroke="#fff" '
            f'stroke-width="3">{format_number(value)}</text>'
        )
    title = "Relationship health by check"
    desc = (
        "; ".join(f"{d:%d %b %Y}: {v:.0f}" for d, v in scores)
        if scores
        else "No health checks yet."
    )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" role="img" class="chart health-chart" id="{escape(chart_id)}" '
        f'aria-label="{escape(title)}" aria-describedby="{escape(chart_id)}-desc" {FONT}>'
        f"<title>{escape(title)}</title>"
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>' + "".join(parts) + "</svg>"
    )


def _axis_label(x: float, y: float, text: str, anchor: str) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="11" fill="{MUTED}">'
        f"{escape(text)}</text>"
    )
