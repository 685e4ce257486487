"""Server-side SVG charts: the same markup in pages, PDFs and e-mails.

Every builder is a pure function of plain values (dates, floats, strings) and returns a complete
``<svg>`` element as a safe string. The charts read in black and white: series differ by dash,
pattern and marker shape, and carry text labels, never by colour alone. Each has a ``<title>``, a
``<desc>`` and an ``aria-label`` for screen readers, and scales to its container via ``viewBox``.
``narrow=True`` lays a chart out for a phone-width column (or a narrow PDF column) instead of
shrinking the wide one until its text is unreadable.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from trustledger.scoring.display import format_percent

INK, MUTED, GRID, ACCENT, BAD = "#1b2430", "#5b6675", "#dfe3e8", "#2563a8", "#b42318"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"'
WIDE, NARROW = 720.0, 400.0
CHAR_WIDTH = 6.6  # average advance of a 12px sans-serif character, to lay out labels
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
Scale = Callable[[float], float]


# --- numbers and dates ------------------------------------------------------------------------


def format_money(amount: float, currency: str, *, decimals: int = 0) -> str:
    """``€60,000``, ``-£1,250.50``, ``12,000 SEK``: a symbol for the currencies that have one."""
    sign = "-" if amount < 0 else ""
    number = f"{abs(amount):,.{decimals}f}"
    code = currency.upper()
    if code in SYMBOLS:
        return f"{sign}{SYMBOLS[code]}{number}"
    return f"{sign}{number} {code}".strip()


def format_compact(amount: float, currency: str) -> str:
    """Axis labels: ``€60k``, ``€1.2M``, ``500 SEK``."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(amount) >= size:
            scaled = f"{amount / size:.1f}".removesuffix(".0") + suffix
            code = currency.upper()
            return f"{SYMBOLS[code]}{scaled}" if code in SYMBOLS else f"{scaled} {code}"
    return format_money(amount, currency)


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    month, out = dt.date(first.year, first.month, 1), []
    while month <= last:
        if month >= first:
            out.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


@dataclass(frozen=True)
class _TimeScale:
    first: dt.date
    last: dt.date
    left: float
    right: float

    def x(self, day: dt.date) -> float:
        days = max((self.last - self.first).days, 1)
        return self.left + (self.right - self.left) * (day - self.first).days / days


def _month_ticks(
    scale: _TimeScale, top: float, bottom: float, label_y: float, most: int
) -> list[str]:
    months = _month_starts(scale.first, scale.last)
    every = max(1, math.ceil(len(months) / most))
    parts = []
    for i, month in enumerate(months[::every]):
        x = scale.x(month)
        label = month.strftime("%b %Y" if i == 0 or month.month == 1 else "%b")
        parts.append(_line(x, top, x, bottom, GRID, cls="gridline"))
        if x + 3 + CHAR_WIDTH * len(label) <= scale.right + 12:  # no label cut at the edge
            parts.append(_text(x + 3, label_y, label, size=11, fill=MUTED))
    return parts


# --- SVG fragments ----------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _attrs(attrs: Mapping[str, str | float]) -> str:
    out = []
    for key, value in attrs.items():
        name = "class" if key == "cls" else key.replace("_", "-")
        shown = _n(value) if isinstance(value, float) else str(value)
        out.append(f' {name}="{escape(shown)}"')
    return "".join(out)


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, **attrs: str | float) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}"'
        f"{_attrs(attrs)}/>"
    )


def _text(
    x: float, y: float, content: str, *, size: float = 12, fill: str = INK, **attrs: str | float
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{fill}"{_attrs(attrs)}>'
        f"{escape(content)}</text>"
    )


def _halo_text(x: float, y: float, content: str, *, anchor: str = "start", cls: str = "") -> str:
    """Bold text with a white outline, readable across grid lines and bars."""
    return _text(
        x,
        y,
        content,
        font_weight="600",
        paint_order="stroke",
        stroke="#fff",
        stroke_width=3.0,
        text_anchor=anchor,
        cls=cls,
    )


def _svg(
    chart_id: str, width: float, height: float, title: str, desc: str, body: Sequence[str]
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" class="chart" '
        f'id="{escape(chart_id)}" aria-label="{escape(title)}" '
        f'aria-describedby="{escape(chart_id)}-desc" {FONT}>'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every value in it is escaped


def _hatch(pattern_id: str, colour: str, background: str = "#fff") -> str:
    return (
        f'<pattern id="{escape(pattern_id)}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{background}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="2.5"/></pattern>'
    )


def _legend_rows(labels: Sequence[str], left: float, right: float) -> list[list[int]]:
    """Which legend entries go on which row, wrapping at ``right``."""
    rows: list[list[int]] = [[]]
    x = left
    for index, label in enumerate(labels):
        advance = 40 + 0.92 * CHAR_WIDTH * len(label)
        if rows[-1] and x + advance - 10 > right:
            rows.append([])
            x = left
        rows[-1].append(index)
        x += advance
    return rows


def _legend(
    items: Sequence[tuple[str, str]], top: float, left: float, right: float
) -> tuple[list[str], float]:
    """(swatch markup drawn at x=0..24, label) entries, wrapped into rows; returns the markup
    and the height it takes."""
    parts = ['<g class="legend">']
    rows = _legend_rows([label for _, label in items], left, right)
    for row_index, row in enumerate(rows):
        x, y = left, top + 18 * row_index
        for index in row:
            swatch, label = items[index]
            parts.append(f'<g transform="translate({_n(x)} {_n(y)})">{swatch}</g>')
            parts.append(_text(x + 30, y + 4, label, size=11, fill=INK))
            x += 40 + 0.92 * CHAR_WIDTH * len(label)
    parts.append("</g>")
    return parts, 18 * len(rows)


# --- budget burn ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BurnPoint:
    """The budget burned (cumulative, at cost or bill rates) by the end of the week starting
    ``week`` (a Monday)."""

    week: dt.date
    amount: float


def cumulative_weeks(
    amounts: Mapping[dt.date, float], start: dt.date, until: dt.date
) -> list[BurnPoint]:
    """One point a week from the week of ``start`` to the week of ``until`` (or of the last amount,
    if later), each with everything burned up to the end of that week."""
    by_week: dict[dt.date, float] = {}
    for day, amount in amounts.items():
        by_week[monday(day)] = by_week.get(monday(day), 0.0) + amount
    week, last = monday(start), max([monday(until), *by_week])
    total = sum(amount for day, amount in by_week.items() if day < week)  # before the start
    points = []
    while week <= last:
        total += by_week.get(week, 0.0)
        points.append(BurnPoint(week, total))
        week += dt.timedelta(days=7)
    return points


def burn_chart(
    points: Sequence[BurnPoint],
    *,
    budget: float,
    start: dt.date,
    end: dt.date,
    currency: str,
    eac: float | None = None,
    chart_id: str = "burn-chart",
    narrow: bool = False,
) -> SafeString:
    """Budget burned by week, cumulative (bars), against the budget (solid line), with the
    estimate at completion as a dashed line from the amount burned to date to the end date. Bars
    over the budget are hatched."""
    width = NARROW if narrow else WIDE
    top, bottom, left, right = 28.0, 240.0, 52.0 if narrow else 64.0, width - 14
    last_day = max([end, *(p.week + dt.timedelta(days=7) for p in points)])
    scale = _TimeScale(monday(start), last_day, left, right)
    peak = max([budget, eac or 0.0, *(p.amount for p in points), 1.0])
    step = nice_step(peak * 1.08, ticks=4 if narrow else 5)
    top_value = math.ceil(peak * 1.08 / step) * step

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / top_value

    body = [f"<defs>{_hatch(f'{chart_id}-over', BAD, '#fdecea')}</defs>"]
    for tick in range(round(top_value / step) + 1):
        level = y(tick * step)
        body.append(_line(left, level, right, level, GRID, cls="gridline"))
        label = format_compact(tick * step, currency)
        body.append(_text(left - 6, level + 4, label, size=11, fill=MUTED, text_anchor="end"))
    body += _month_ticks(scale, top, bottom, bottom + 16, most=4 if narrow else 8)
    body.append(_line(left, bottom, right, bottom, MUTED))
    body += _burn_bars(points, scale, y, budget, chart_id)
    body += _budget_line(budget, scale, y, currency)
    body += _forecast_line(points, eac, start, end, scale, y, currency)
    legend, legend_height = _legend(
        [
            (f'<rect y="-6" width="24" height="12" fill="{ACCENT}"/>', "Burned to date"),
            (f'<rect y="-6" width="24" height="12" fill="url(#{chart_id}-over)"/>', "Over budget"),
            (f'<line x2="24" stroke="{INK}" stroke-width="2.5"/>', "Budget"),
            (
                f'<line x2="24" stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/>',
                "Forecast at completion",
            ),
        ],
        bottom + 40,
        left if not narrow else 8,
        right,
    )
    body += legend
    spent = points[-1].amount if points else 0.0
    title = f"Budget burn: {format_money(spent, currency)} of {format_money(budget, currency)}"
    if budget > 0:
        title += f" burned ({format_percent(spent / budget)})"
    period = f"{len(points)} weeks from {start:%d %b %Y} to {end:%d %b %Y}"
    forecast = "No forecast yet."
    if eac is not None:
        forecast = f"Forecast at completion {format_money(eac, currency)}."
    desc = f"Budget burned, cumulative, over {period}. {forecast}"
    return _svg(chart_id, width, bottom + 30 + legend_height, title, desc, body)


def _burn_bars(
    points: Sequence[BurnPoint], scale: _TimeScale, y: Scale, budget: float, chart_id: str
) -> list[str]:
    parts = []
    for point in points:
        x0 = scale.x(point.week)
        gap = 1.5 if len(points) < 60 else 0.5
        width = max(scale.x(point.week + dt.timedelta(days=7)) - x0 - gap, 0.5)
        over = budget > 0 and point.amount > budget
        top = y(point.amount)
        paint = f'fill="url(#{chart_id}-over)" stroke="{BAD}"' if over else f'fill="{ACCENT}"'
        parts.append(
            f'<rect class="bar{" bar-over" if over else ""}" x="{_n(x0 + gap / 2)}" '
            f'y="{_n(top)}" width="{_n(width)}" height="{_n(max(y(0) - top, 0))}" {paint}>'
            f"<title>Week of {point.week:%d %b %Y}: {point.amount:,.0f} to date</title></rect>"
        )
    return parts


def _budget_line(budget: float, scale: _TimeScale, y: Scale, currency: str) -> list[str]:
    if budget <= 0:
        return []
    level = y(budget)
    label = f"Budget {format_money(budget, currency)}"
    return [
        _line(scale.left, level, scale.right, level, INK, stroke_width=2.5, cls="budget"),
        _halo_text(scale.left + 6, level - 6, label, cls="label-budget"),
    ]


def _forecast_line(
    points: Sequence[BurnPoint],
    eac: float | None,
    start: dt.date,
    end: dt.date,
    scale: _TimeScale,
    y: Scale,
    currency: str,
) -> list[str]:
    if eac is None:
        return []
    now = points[-1].week + dt.timedelta(days=7) if points else monday(start)
    spent = points[-1].amount if points else 0.0
    x1, x2 = scale.x(now), scale.x(max(end, now))
    label_y = y(eac) - 9 if y(eac) - 9 > 14 else y(eac) + 18
    return [
        _line(x1, y(spent), x2, y(eac), INK, stroke_width=2.0, stroke_dasharray="6 4", cls="eac"),
        f'<circle class="eac-point" cx="{_n(x2)}" cy="{_n(y(eac))}" r="4" fill="#fff" '
        f'stroke="{INK}" stroke-width="2"/>',
        _halo_text(
            x2 - 2,
            label_y,
            f"Forecast {format_money(eac, currency)}",
            anchor="end",
            cls="label-eac",
        ),
    ]


# --- milestone timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """A milestone as the timeline shows it: the promise, its buffer and what happened."""

    name: str
    committed: dt.date
    buffer_days: int = 0
    forecast: dt.date | None = None
    delivered: dt.date | None = None
    announced: bool = False  # the client was told of the slip by the committed date
    cancelled: bool = False

    def outcome(self, today: dt.date) -> dt.date:
        """Delivery date; else the forecast, or today for one still open past its date."""
        if self.delivered is not None:
            return self.delivered
        expected = self.forecast or self.committed
        return max(expected, today) if today > self.committed else expected

    def days_late(self, today: dt.date) -> int:
        return max(0, (self.outcome(today) - self.committed).days)

    def late_beyond_buffer(self, today: dt.date) -> bool:
        return not self.cancelled and self.days_late(today) > self.buffer_days

    def status(self, today: dt.date) -> str:
        """``On time``, ``3 d late (in buffer)``, ``9 d late``, ``Forecast 9 d late``..."""
        if self.cancelled:
            return "Cancelled"
        late = self.days_late(today)
        if self.delivered is not None:
            if not late:
                return "On time"
            return f"{late} d late" + (" (in buffer)" if late <= self.buffer_days else "")
        if not late:
            return f"Due {self.committed.day} {self.committed:%b}"
        if self.forecast is not None and self.forecast >= today:
            return f"Forecast {late} d late"
        return f"Overdue {late} d"

    def notice(self, today: dt.date) -> str:
        """Whether the client heard of a slip in advance: empty when nothing slipped."""
        if self.cancelled or not self.days_late(today):
            return ""
        return "told in advance" if self.announced else "no advance notice"

    def summary(self, today: dt.date) -> str:
        notice = self.notice(today)
        return self.status(today) + (f", {notice}" if notice else "")


@dataclass(frozen=True)
class _Rows:
    """Geometry of the timeline: wide puts names left and status right of the plot; narrow puts
    both on a line above each row's plot."""

    width: float
    height: float  # of one row
    left: float  # of the plot
    right: float
    name_chars: int
    narrow: bool

    def mark_y(self, top: float) -> float:
        return top + (36 if self.narrow else self.height / 2)

    def text_y(self, top: float) -> float:
        return top + 14 if self.narrow else self.mark_y(top) + 4


WIDE_ROWS = _Rows(WIDE, 34, 184, WIDE - 132, 26, narrow=False)
NARROW_ROWS = _Rows(NARROW, 52, 12, NARROW - 12, 24, narrow=True)


def milestone_timeline(
    items: Sequence[TimelineItem],
    *,
    today: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
    chart_id: str = "milestone-timeline",
    narrow: bool = False,
) -> SafeString:
    """One row per milestone: the committed date (diamond) and its buffer (hatched), joined to
    the delivery (filled marker) or forecast (hollow marker, dashed). Late beyond the buffer is a
    red square and says how late; a flag marks a slip the client was told of in advance."""
    rows = NARROW_ROWS if narrow else WIDE_ROWS
    top = 40.0
    dates = [d for i in items for d in (i.committed, i.outcome(today), _buffer_end(i))]
    dates += [d for d in (start, end) if d is not None] or [today]
    first, last = min(dates), max(dates)
    pad = dt.timedelta(days=max(3, (last - first).days // 25))
    scale = _TimeScale(first - pad, last + pad, rows.left, rows.right)
    bottom = top + rows.height * max(len(items), 1)
    body = [f"<defs>{_hatch(f'{chart_id}-buffer', '#8a96a3')}</defs>"]
    body += _month_ticks(scale, top - 8, bottom, top - 16, most=4 if narrow else 8)
    if scale.first <= today <= scale.last:
        x = scale.x(today)
        body.append(_line(x, top - 8, x, bottom, INK, stroke_dasharray="2 3", cls="today"))
        body.append(_text(x, bottom + 14, "Today", size=11, fill=INK, text_anchor="middle"))
    for index, item in enumerate(items):
        body += _timeline_row(item, top + rows.height * index, rows, scale, today, chart_id)
    legend, legend_height = _legend(
        [
            (_diamond(12, 0, INK, "#fff"), "Committed"),
            (
                f'<rect x="2" y="-5" width="20" height="10" fill="url(#{chart_id}-buffer)"/>',
                "Buffer",
            ),
            (f'<circle cx="12" r="5" fill="{INK}"/>', "Delivered"),
            (f'<circle cx="12" r="5" fill="#fff" stroke="{INK}" stroke-width="2"/>', "Forecast"),
            (f'<rect x="7" y="-5" width="10" height="10" fill="{BAD}"/>', "Late beyond buffer"),
            (_flag(9, 0, INK), "Told in advance"),
        ],
        bottom + 34,
        8,
        rows.width - 8,
    )
    body += legend
    late = sum(i.late_beyond_buffer(today) for i in items)
    title = f"Milestone timeline: {len(items)} milestones, {late} late beyond their buffer"
    desc = "; ".join(f"{i.name}: due {i.committed:%d %b %Y}, {i.summary(today)}" for i in items)
    height = bottom + 24 + legend_height
    return _svg(chart_id, rows.width, height, title, desc or "No milestones.", body)


def _buffer_end(item: TimelineItem) -> dt.date:
    return item.committed + dt.timedelta(days=item.buffer_days)


def _diamond(x: float, y: float, stroke: str, fill: str) -> str:
    points = f"{_n(x)},{_n(y - 6)} {_n(x + 6)},{_n(y)} {_n(x)},{_n(y + 6)} {_n(x - 6)},{_n(y)}"
    return (
        f'<polygon class="committed" points="{points}" fill="{fill}" stroke="{stroke}" '
        'stroke-width="2"/>'
    )


def _flag(x: float, y: float, colour: str) -> str:
    return (
        f'<path class="notice-flag" d="M{_n(x)} {_n(y + 7)}V{_n(y - 8)}l9 3.5-9 3.5" '
        f'fill="{colour}" stroke="{colour}" stroke-width="1.5"/>'
    )


def _short(name: str, chars: int) -> str:
    return name if len(name) <= chars else name[: chars - 1].rstrip() + "…"


def _timeline_row(
    item: TimelineItem,
    top: float,
    rows: _Rows,
    scale: _TimeScale,
    today: dt.date,
    chart_id: str,
) -> list[str]:
    late = item.late_beyond_buffer(today)
    colour = BAD if late else INK
    y = rows.mark_y(top)
    cls = "milestone" + (" late" if late else "") + (" cancelled" if item.cancelled else "")
    parts = [
        f'<g class="{cls}"><title>{escape(item.name)}: {escape(item.summary(today))}</title>',
        _line(8, top + rows.height, rows.width - 8, top + rows.height, GRID),
        _text(8, rows.text_y(top), _short(item.name, rows.name_chars), fill=_muted(item, INK)),
    ]
    c = scale.x(item.committed)
    if item.buffer_days:
        width = scale.x(_buffer_end(item)) - c
        parts.append(
            f'<rect class="buffer" x="{_n(c)}" y="{_n(y - 6)}" width="{_n(width)}" height="12" '
            f'fill="url(#{chart_id}-buffer)"/>'
        )
    if not item.cancelled:
        parts += _outcome(item, y, scale, today, colour, late)
    parts.append(_diamond(c, y, _muted(item, INK), "#fff"))
    if item.announced and not item.cancelled:
        parts.append(_flag(c - 1, y - 11, INK))
    parts += _status_text(item, top, rows, today, _muted(item, colour), late)
    parts.append("</g>")
    return parts


def _muted(item: TimelineItem, colour: str) -> str:
    return MUTED if item.cancelled else colour


def _status_text(
    item: TimelineItem, top: float, rows: _Rows, today: dt.date, fill: str, late: bool
) -> list[str]:
    x, weight = rows.width - 8, "700" if late else "400"
    status, notice = item.status(today), item.notice(today)
    if rows.narrow:
        short = {"told in advance": "told early", "no advance notice": "no notice"}.get(notice)
        text = status + (f" · {short}" if short else "")
        return [_text(x, rows.text_y(top), text, fill=fill, text_anchor="end", font_weight=weight)]
    y = rows.mark_y(top) + (0 if notice else 4)
    parts = [_text(x, y, status, fill=fill, text_anchor="end", font_weight=weight)]
    if notice:
        parts.append(_text(x, y + 12, notice, size=10.5, fill=MUTED, text_anchor="end"))
    return parts


def _outcome(
    item: TimelineItem, y: float, scale: _TimeScale, today: dt.date, colour: str, late: bool
) -> list[str]:
    c, x = scale.x(item.committed), scale.x(item.outcome(today))
    done = item.delivered is not None
    parts = []
    if x - c > 1:
        dash = {} if done else {"stroke_dasharray": "5 3"}
        parts.append(_line(c, y, x, y, colour, stroke_width=2.0, cls="slip", **dash))
    fill = colour if done else "#fff"
    kind = "delivered" if done else "forecast"
    if late:
        parts.append(
            f'<rect class="outcome {kind}" x="{_n(x - 5)}" y="{_n(y - 5)}" width="10" height="10" '
            f'fill="{fill}" stroke="{colour}" stroke-width="2"/>'
        )
    elif done or x - c > 1:
        parts.append(
            f'<circle class="outcome {kind}" cx="{_n(x)}" cy="{_n(y)}" r="5" fill="{fill}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    return parts
