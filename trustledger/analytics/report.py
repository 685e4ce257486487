"""The dashboard as data: filters from a request, every measure, and every table as rows.

Pages, the PDF, the CSV exports and the drill-down all read from here, so a figure and its
export can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from trustledger.analytics import selectors
from trustledger.analytics.selectors import ALL, Bucket, Period, Segment
from trustledger.communications.measures import ResponseStats
from trustledger.scoring import display
from trustledger.scoring import portfolio as measures
from trustledger.scoring.currency import MissingRate
from trustledger.scoring.nps import NpsResult
from trustledger.workspaces.models import Workspace

DEFAULT_MONTHS = 12
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Filters:
    period: Period
    months: int | None  # a preset, or None for a custom start and end
    segment: Segment = ALL
    grain: measures.Grain = "month"
    cohort_by: str = "year"
    errors: dict[str, str] = field(default_factory=dict)

    def params(self, **extra: str) -> dict[str, str]:
        out = {"months": str(self.months)} if self.months else {}
        if not self.months:
            out |= {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        if self.segment.kind:
            out["segment"] = self.segment.key
        if self.grain != "month":
            out["grain"] = self.grain
        if self.cohort_by != "year":
            out["cohort"] = self.cohort_by
        return out | {k: v for k, v in extra.items() if v}

    def query(self, **extra: str) -> str:
        return urlencode(self.params(**extra))

    def drill(self, measure: str, **extra: str) -> str:
        return reverse("analytics:drill") + "?" + self.query(measure=measure, **extra)


def parse_filters(get: Any, *, today: dt.date) -> Filters:
    """Filters from query parameters; a bad value falls back to the default and says why."""
    errors: dict[str, str] = {}
    raw_months = get.get("months", "")
    months: int | None = DEFAULT_MONTHS
    if raw_months.isdigit() and int(raw_months) in selectors.PERIOD_MONTHS:
        months = int(raw_months)
    elif raw_months:
        errors["months"] = f"Choose {', '.join(map(str, selectors.PERIOD_MONTHS))} months."
    period = Period.last_months(months or DEFAULT_MONTHS, today=today)
    start, end = get.get("start", ""), get.get("end", "")
    if start or end:
        try:
            custom = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
            if custom.days > MAX_DAYS:
                raise ValueError("a period is at most five years long")
            period, months = custom, None
        except ValueError as error:
            message = str(error)
            errors["start"] = (
                message if "period" in message else "Give a start and an end date, YYYY-MM-DD."
            )
    try:
        segment = Segment.parse(get.get("segment", ""))
    except ValueError as error:
        segment, errors["segment"] = ALL, str(error).capitalize() + "."
    grain: measures.Grain = "quarter" if get.get("grain") == "quarter" else "month"
    cohort_by = "quarter" if get.get("cohort") == "quarter" else "year"
    return Filters(period, months, segment, grain, cohort_by, errors)


@dataclass(frozen=True)
class TrendRow:
    bucket: Bucket
    retention: measures.Retention
    revenue: selectors.RevenuePoint | None
    nps: NpsResult | None
    responses: ResponseStats | None
    success: measures.SuccessRates | None
    referrals: int


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    retention: measures.Retention
    revenue_retention: measures.RevenueRetention
    profit: selectors.Profitability
    repeat: measures.RepeatBusiness
    referrals: measures.Referrals
    responses: selectors.ResponseTimes
    success: selectors.Success
    nps: NpsResult
    nps_groups: list[selectors.NpsGroup]
    themes: list[measures.ThemeBucket]
    cohorts: list[selectors.Cohort]
    trend: list[TrendRow]
    currency: str  # of every amount: the workspace's base currency
    missing: tuple[MissingRate, ...]  # amounts no rate converts, left out (said on the page)


def build(workspace: Workspace, filters: Filters, *, now: dt.datetime) -> Dashboard:
    """Every measure of the dashboard: a fixed number of queries whatever the firm's size."""
    period, segment, grain = filters.period, filters.segment, filters.grain
    buckets = selectors.trend_buckets(period, grain)
    revenue = selectors.client_revenue(workspace, period, segment)
    firsts = selectors.first_engagement_starts(workspace)
    success = selectors.success_rates(workspace, period, segment)
    responses = selectors.response_times(workspace, period, segment, grain, now=now)
    retention_trend = selectors.retention_trend(workspace, buckets, segment)
    revenue_trend = selectors.revenue_trend(workspace, period, segment, grain, fx=revenue.fx)
    nps_trend = selectors.nps_trend(workspace, period, segment, grain)
    referral_trend = selectors.referral_trend(workspace, period, segment, grain)
    success_trend = success.trend(grain)
    trend = [
        TrendRow(
            b,
            retention_trend[b.start],
            revenue_trend.get(b.start),
            nps_trend.get(b.start),
            responses.trend.get(b.start),
            success_trend.get(b.start),
            referral_trend.get(b.start, 0),
        )
        for b in buckets
    ]
    return Dashboard(
        filters=filters,
        retention=selectors.retention(workspace, period, segment),
        revenue_retention=selectors.revenue_retention(workspace, period, segment, revenue),
        profit=selectors.profitability(workspace, period, segment, revenue),
        repeat=selectors.repeat_business(workspace, period, segment, revenue, firsts),
        referrals=selectors.referrals(workspace, period, segment, revenue),
        responses=responses,
        success=success,
        nps=selectors.nps(workspace, period, segment),
        nps_groups=selectors.nps_by_segment(workspace, period, segment),
        themes=selectors.theme_trend(workspace, buckets, period, segment, grain),
        cohorts=selectors.cohort_curves(workspace, period.end, segment, filters.cohort_by),
        trend=trend,
        currency=revenue.currency,
        missing=revenue.missing,
    )


# --- tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    num: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[tuple[str, bool]]  # (label, numeric)
    rows: list[list[Cell]]
    note: str = ""


def pct(value: float | None, digits: int = 0) -> str:
    return display.format_percent(value, digits)


def num(value: float | None, digits: int = 0) -> str:
    return display.format_number(value, digits, grouped=True)


def _nps_text(result: NpsResult | None) -> str:
    if result is None or result.nps is None or result.margin_of_error is None:
        return "—"
    return f"{display.format_number(result.nps)} ± {display.format_number(result.margin_of_error)}"


def _n(text: str, href: str = "") -> Cell:
    return Cell(text, href, num=True)


def tables(d: Dashboard, *, limit: int | None = None) -> list[Table]:
    """Every table of the dashboard, in page order (each exports as CSV under its key); amounts
    in the base currency, as the column headings say."""
    f, currency = d.filters, d.currency
    out = [
        Table(
            "trend",
            f"Trend by {f.grain}",
            [
                (f.grain.capitalize(), False),
                ("CRR", True),
                ("Logo retention", True),
                (f"Revenue ({currency})", True),
                ("Margin %", True),
                ("NPS ± MoE", True),
                ("Median response (h)", True),
                ("SLA met", True),
                ("Projects all three", True),
                ("Referrals", True),
            ],
            [
                [
                    Cell(r.bucket.label),
                    _n(
                        pct(r.retention.crr),
                        f.drill("retention", bucket=r.bucket.start.isoformat()),
                    ),
                    _n(pct(r.retention.logo_retention)),
                    _n(
                        num(r.revenue.revenue if r.revenue else 0),
                        f.drill("profitability", bucket=r.bucket.start.isoformat()),
                    ),
                    _n(num(r.revenue.margin_pct, 1) if r.revenue else "—"),
                    _n(_nps_text(r.nps), f.drill("nps", bucket=r.bucket.start.isoformat())),
                    _n(num(r.responses.median_hours, 1) if r.responses else "—"),
                    _n(pct(r.responses.attainment) if r.responses else "—"),
                    _n(pct(r.success.all_three) if r.success else "—"),
                    _n(str(r.referrals), f.drill("referrals", bucket=r.bucket.start.isoformat())),
                ]
                for r in d.trend
            ],
            "The first and last buckets may be partial: they are clipped to the period.",
        ),
        profit_table(d.profit, limit=limit),
        Table(
            "channels",
            "Response times by channel",
            [
                ("Channel", False),
                ("Inquiries", True),
                ("Median first response (business h)", True),
                ("p90 (business h)", True),
                ("SLA attainment", True),
                ("Open past SLA", True),
            ],
            [
                [
                    Cell(label),
                    _n(str(s.inquiries), f.drill("responses", channel=key)),
                    _n(num(s.median_hours, 1)),
                    _n(num(s.p90_hours, 1)),
                    _n(pct(s.attainment)),
                    _n(str(s.open_past_sla)),
                ]
                for (label, s), key in zip(
                    d.responses.channels, sorted(d.responses.by_channel), strict=True
                )
            ],
        ),
    ]
    for attribute, title in (("type", "engagement type"), ("lead", "lead")):
        out.append(
            Table(
                f"success_by_{attribute}",
                f"Project success by {title}",
                [
                    (title.capitalize(), False),
                    ("Closed", True),
                    ("On time", True),
                    ("Within budget", True),
                    ("Quality", True),
                    ("All three", True),
                ],
                [
                    [
                        Cell(key),
                        _n(str(r.engagements), f.drill("success", **{attribute: key})),
                        _n(pct(r.on_time)),
                        _n(pct(r.within_budget)),
                        _n(pct(r.quality)),
                        _n(pct(r.all_three)),
                    ]
                    for key, r in d.success.by(attribute)
                ],
            )
        )
    out += [
        Table(
            "nps_by_segment",
            "NPS by segment",
            [("Segment", False), ("Answers", True), ("NPS ± margin (95%)", True)],
            [
                [
                    Cell(g.label),
                    _n(str(g.result.n), f.drill("nps", segment_of=g.segment) if g.segment else ""),
                    _n(_nps_text(g.result)),
                ]
                for g in d.nps_groups
            ],
        ),
        Table(
            "themes",
            "Feedback themes over time (share of comments)",
            [(f.grain.capitalize(), False), ("Comments", True)]
            + [
                (t.replace("_", " / ").capitalize(), True)
                for t in (d.themes[0].counts if d.themes else {})
            ],
            [
                [Cell(measures.bucket_label(t.bucket, f.grain)), _n(str(t.comments))]
                + [
                    _n(
                        pct(share) if t.comments else "—",
                        f.drill("themes", theme=theme, bucket=t.bucket.isoformat())
                        if t.counts[theme]
                        else "",
                    )
                    for theme, share in t.shares.items()
                ]
                for t in d.themes
            ],
        ),
        Table(
            "cohorts",
            "Retention by start cohort (Kaplan-Meier)",
            [
                ("Cohort", False),
                ("Clients", True),
                ("Lost", True),
                ("Kept after 1 year", True),
                ("After 2 years", True),
                ("After 3 years", True),
            ],
            [
                [
                    Cell(c.key),
                    _n(str(c.clients), f.drill("cohort", cohort=c.key)),
                    _n(str(c.lost)),
                    *(_n(pct(c.survival_at(365.25 * y))) for y in (1, 2, 3)),
                ]
                for c in d.cohorts
            ],
            "Clients still active are censored at the end of the period; — where no client of "
            "the cohort has been followed that long.",
        ),
    ]
    return out


# The page lists this many clients per table (the most hours first); the CSV export has them all.
PAGE_ROWS = 50


def profit_table(profit: selectors.Profitability, *, limit: int | None = None) -> Table:
    """Client profitability: on the dashboard (the first `limit` clients by hours) and, for a
    month or quarter, in the drill-down (paginated)."""
    shown = profit.rows[:limit] if limit is not None else profit.rows
    note = (
        f"The {len(shown)} clients with the most hours of {len(profit.rows)}; "
        "Export CSV for all of them."
        if len(shown) < len(profit.rows)
        else ""
    )
    currency = profit.currency
    return Table(
        "profitability",
        "Client profitability",
        [
            ("Client", False),
            ("Hours", True),
            (f"Revenue ({currency})", True),
            (f"Cost ({currency})", True),
            (f"Margin ({currency})", True),
            ("Margin %", True),
            ("Effort share", True),
            ("Revenue share", True),
            ("Trust", True),
            ("Quadrant", False),
        ],
        [
            [
                Cell(row.client, reverse("clients:detail", args=[row.client_id])),
                _n(num(row.profit.hours, 1)),
                _n(num(row.profit.revenue)),
                _n(num(row.profit.cost)),
                _n(num(row.profit.margin)),
                _n(num(row.profit.margin_pct, 1)),
                _n(pct(row.profit.effort_share)),
                _n(pct(row.profit.revenue_share)),
                _n(display.format_number(display.display_index(row.trust_index))),
                Cell(measures.QUADRANT_LABELS[row.quadrant] if row.quadrant else "—"),
            ]
            for row in shown
        ],
        note,
    )
