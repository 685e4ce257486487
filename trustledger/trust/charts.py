"""Server-side SVG for the trust index: a sparkline and a trend chart with the bands shaded.

Plain data in, a safe SVG string out, so page, e-mail and PDF show the same chart. Readable in
black and white: bands are labelled, the line is solid, points are marked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from trustledger.scoring.display import display_index


def sparkline(values: Sequence[float | None], *, width: int = 96, height: int = 24) -> SafeString:
    """A tiny line of the last weeks' index (gaps where there was not enough data)."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return mark_safe(f'<svg width="{width}" height="{height}" aria-hidden="true"></svg>')
    step = width / max(1, len(values) - 1)
    path = " ".join(
        f"{'M' if n == 0 else 'L'}{i * step:.1f},{height - 2 - v / 100 * (height - 4):.1f}"
        for n, (i, v) in enumerate(points)
    )
    last_i, last_v = points[-1]
    return mark_safe(
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' aria-hidden="true"><path d="{path}" fill="none" stroke="currentColor"'
        f' stroke-width="1.5"/><circle cx="{last_i * step:.1f}"'
        f' cy="{height - 2 - last_v / 100 * (height - 4):.1f}" r="2" fill="currentColor"/></svg>'
    )


def trend_chart(
    series: Sequence[tuple[dt.date, float | None]],
    *,
    healthy_at: float = 75,
    at_risk_below: float = 50,
    title: str = "Trust index by week",
) -> SafeString:
    """The index over time against the healthy / watch / at-risk bands."""
    w, h, left, right, top, bottom = 640, 220, 36, 12, 12, 28
    pw, ph = w - left - right, h - top - bottom
    known = [(d, v) for d, v in series if v is not None]

    def y(v: float) -> float:
        return top + ph * (1 - v / 100)

    parts = [
        f'<rect x="{left}" y="{y(100):.1f}" width="{pw}" height="{y(healthy_at) - y(100):.1f}"'
        ' fill="#e6f4ec"/>',
        f'<rect x="{left}" y="{y(healthy_at):.1f}" width="{pw}"'
        f' height="{y(at_risk_below) - y(healthy_at):.1f}" fill="#fff4db"/>',
        f'<rect x="{left}" y="{y(at_risk_below):.1f}" width="{pw}"'
        f' height="{y(0) - y(at_risk_below):.1f}" fill="#fdecea"/>',
    ]
    for label, lo, hi in (
        ("healthy", healthy_at, 100),
        ("watch", at_risk_below, healthy_at),
        ("at risk", 0, at_risk_below),
    ):
        parts.append(
            f'<text x="{left + pw - 4}" y="{y((lo + hi) / 2) + 4:.1f}" text-anchor="end"'
            f' font-size="11" fill="#5b6675">{label}</text>'
        )
    for v in (0, 25, 50, 75, 100):
        parts.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11"'
            f' fill="#5b6675">{v}</text>'
        )
    if len(series) >= 2:
        step = pw / (len(series) - 1)
        xs = {d: left + i * step for i, (d, _) in enumerate(series)}
        path = " ".join(
            f"{'M' if n == 0 else 'L'}{xs[d]:.1f},{y(v):.1f}" for n, (d, v) in enumerate(known)
        )
        parts.append(f'<path d="{path}" fill="none" stroke="#1f4e79" stroke-width="2.5"/>')
        parts += [
            f'<circle cx="{xs[d]:.1f}" cy="{y(v):.1f}" r="3" fill="#1f4e79">'
            f"<title>{d:%d %b %Y}: {display_index(v)}</title></circle>"
            for d, v in known
        ]
        for i, (d, _) in enumerate(series):
            if i % max(1, len(series) // 6) == 0:
                parts.append(
                    f'<text x="{xs[d]:.1f}" y="{h - 8}" text-anchor="middle"'
                    f' font-size="11" fill="#5b6675">{d:%d %b}</text>'
                )
    desc = ", ".join(f"{d:%d %b}: {display_index(v)}" for d, v in known[-6:])
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(parts)}</svg>"
    )
