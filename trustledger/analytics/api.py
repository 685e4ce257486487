"""Portfolio measures in the REST API: each with its definition, the period and the segment.

Every route takes ``months`` (3, 6, 12, 24) or ``start`` and ``end``, ``segment`` (tier:<tier>,
industry:<name>, manager:<user id>) and, for trends, ``grain`` (month or quarter). Members must
be owners or leaders (the figures include revenue and margins); an API key acts for the firm.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from trustledger.analytics import exports, report, selectors
from trustledger.analytics.drill import drill_csv, drill_source
from trustledger.analytics.report import DEFAULT_MONTHS, MAX_DAYS, Filters
from trustledger.analytics.schemas import (
    CohortsOut,
    NpsMeasureOut,
    ProfitabilityOut,
    ReferralsOut,
    RepeatOut,
    ResponseTimesOut,
    RetentionOut,
    RevenueRetentionOut,
    SuccessRatesOut,
    ThemesOut,
)
from trustledger.analytics.selectors import Period, Segment
from trustledger.api.auth import caller
from trustledger.api.errors import ERRORS
from trustledger.api.fields import Storable, text
from trustledger.communications.measures import ResponseStats
from trustledger.core.extensions import api_routers
from trustledger.scoring import portfolio as measures
from trustledger.scoring.currency import MissingRate
from trustledger.scoring.nps import NpsResult
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.permissions import Action

router = Router(tags=["analytics"])
api_routers.register(router)

RETENTION = (
    "CRR = (E - N) / S: clients served at the end of the period (E) minus clients whose "
    "relationship began in it (N), over clients served at its start (S). Logo retention = R / S, "
    "R being the clients served at the start still served at the end. None when S = 0. The "
    "trend gives both for each month or quarter of the period."
)
CURRENCY = (
    " Amounts are in the workspace's base currency (currency): work in another currency is "
    "converted at its rate on the last day of the month it was logged in; what no rate converts "
    "is left out and listed in missing_rates."
)
REVENUE_RETENTION = (
    "Revenue = sum(hours x bill rate) of time logged, per client. The cohort: clients with "
    "revenue in the previous period of the same length. GRR = sum over the cohort of "
    "min(revenue now, revenue before) / sum of revenue before; NRR = sum of revenue now over the "
    "cohort / sum of revenue before (expansion included). New clients count in neither. None "
    "when the cohort brought no revenue."
)
PROFITABILITY = (
    "Per client, from time logged in the period: revenue = sum(hours x bill rate), cost = "
    "sum(hours x cost rate), margin = revenue - cost, margin % = 100 x margin / revenue; effort "
    "and revenue share = the client's hours and revenue over all clients'. Pareto: the top 25% of "
    "clients by hours (rounded up) and their share of hours and of revenue."
)
REPEAT = (
    "Won engagements are active, on hold or closed. Repeat share = clients with a second won "
    "engagement started by the end of the period / clients with one. Days to next = median days "
    "from a client's previous engagement start to each engagement started in the period. "
    "Existing-client revenue share = revenue in the period from clients whose first engagement "
    "started before the period / all revenue in the period."
)
REFERRALS = (
    "Given: referrals made in the period by the segment's clients; received: referrals made in "
    "the period that brought a client of the segment; converted: of those received, referred "
    "clients that had a won engagement starting on or after the referral; referred revenue: "
    "revenue in the period from clients referred by its end."
)
RESPONSES = (
    "Over inquiries received in the period: median and 90th percentile of the first response "
    "time in business hours (answered ones); SLA attainment = answered by the SLA deadline / "
    "(answered + unanswered past the deadline). By channel and by month or quarter of receipt."
)
SUCCESS = (
    "Over engagements closed in the period: on time = every milestone not cancelled delivered by "
    "its committed date plus buffer (no milestones: closed by the planned end date); within "
    "budget = billed <= budget amount, among engagements with a budget; quality = no high or "
    "critical issue found by the client and every deliverable accepted at its first review; all "
    "three among engagements with a budget. Also by engagement type and by lead."
)
NPS = (
    "NPS = 100 x (promoters - detractors) / answers (promoters 9-10, detractors 0-6) over every "
    "answer given in the period; margin of error = 1.96 x sqrt((p + d - (p - d)^2) / n) x 100. "
    "Overall, per tier, industry and account manager, and per month or quarter."
)
THEMES = (
    "Per month or quarter of the answer: analysed comments (a non-empty comment with a theme) "
    "and each theme's count and share of them."
)
COHORTS = (
    "Kaplan-Meier survival per start cohort (year or quarter of relationship_start): S(t) = "
    "product over loss times t_j <= t of (1 - d_j / n_j), durations in days from the start to "
    "the loss; clients still active at the end of the period are censored there."
)


class AnalyticsQuery(Schema):
    months: int = DEFAULT_MONTHS
    start: dt.date | None = None
    end: dt.date | None = None
    segment: Annotated[str, text(0, 120), Storable] = ""
    grain: Literal["month", "quarter"] = "month"


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


def _resolve(
    request: HttpRequest, q: AnalyticsQuery
) -> tuple[Workspace, Period, Segment, measures.Grain]:
    who = caller(request)
    if who.membership is not None:
        who.require(Action.VIEW_FINANCIALS)
    if q.start or q.end:
        if not (q.start and q.end):
            raise _invalid("start" if not q.start else "end", "give both start and end")
        if q.end < q.start:
            raise _invalid("end", "the end is on or after the start")
        if (q.end - q.start).days >= MAX_DAYS:
            raise _invalid("end", "a period is at most five years long")
        period = Period(q.start, q.end)
    elif q.months in selectors.PERIOD_MONTHS:
        period = Period.last_months(q.months, today=timezone.localdate())
    else:
        raise _invalid("months", f"one of {', '.join(map(str, selectors.PERIOD_MONTHS))}")
    try:
        segment = Segment.parse(q.segment)
    except ValueError as error:
        raise _invalid("segment", str(error)) from None
    return who.workspace, period, segment, q.grain


def _envelope(definition: str, period: Period, segment: Segment) -> dict[str, Any]:
    return {
        "definition": definition,
        "period": {"start": period.start, "end": period.end},
        "segment": segment.key,
    }


def _money(revenue: selectors.ClientRevenue, missing: Iterable[MissingRate]) -> dict[str, Any]:
    """The currency of a measure's amounts and what no exchange rate converts."""
    return {
        "currency": revenue.currency,
        "missing_rates": [asdict(m) | {"rate_date": m.rate_date, "text": m.text} for m in missing],
    }


def _stats(s: ResponseStats) -> dict[str, Any]:
    return asdict(s) | {"attainment": s.attainment}


def _nps(r: NpsResult) -> dict[str, Any]:
    out = asdict(r)
    out.pop("variance")
    return out


@router.get("/analytics/retention", response={200: RetentionOut, **ERRORS})
def retention(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, grain = _resolve(request, q)
    r = selectors.retention(ws, period, segment)
    buckets = selectors.trend_buckets(period, grain)
    trend = selectors.retention_trend(ws, buckets, segment)
    return (
        _envelope(RETENTION, period, segment)
        | asdict(r)
        | {"trend": [{"bucket": b, **asdict(t)} for b, t in trend.items()]}
    )


@router.get("/analytics/revenue-retention", response={200: RevenueRetentionOut, **ERRORS})
def revenue_retention(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, _ = _resolve(request, q)
    revenue = selectors.client_revenue(ws, period, segment)
    r = selectors.revenue_retention(ws, period, segment, revenue)
    before = period.previous()
    return (
        _envelope(REVENUE_RETENTION + CURRENCY, period, segment)
        | asdict(r)
        | {"previous_period": {"start": before.start, "end": before.end}}
        | _money(revenue, revenue.missing)
    )


@router.get("/analytics/profitability", response={200: ProfitabilityOut, **ERRORS})
def profitability(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, grain = _resolve(request, q)
    revenue = selectors.client_revenue(ws, period, segment)
    p = selectors.profitability(ws, period, segment, revenue)
    trend = selectors.revenue_trend(ws, period, segment, grain, fx=revenue.fx)
    clients = [
        asdict(row.profit)
        | {"client": row.client, "trust_index": row.trust_index, "quadrant": row.quadrant}
        for row in p.rows
    ]
    return (
        _envelope(PROFITABILITY + CURRENCY, period, segment)
        | {
            "median_margin_pct": p.median_margin_pct,
            "pareto": asdict(p.pareto),
            "clients": clients,
            "trend": [
                asdict(point) | {"bucket": b, "margin_pct": point.margin_pct}
                for b, point in sorted(trend.items())
            ],
        }
        | _money(revenue, p.missing)
    )


@router.get("/analytics/repeat-business", response={200: RepeatOut, **ERRORS})
def repeat_business(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, _ = _resolve(request, q)
    revenue = selectors.client_revenue(ws, period, segment)
    r = selectors.repeat_business(ws, period, segment, revenue)
    return (
        _envelope(REPEAT + CURRENCY, period, segment)
        | asdict(r)
        | _money(revenue, revenue.missing_in(period))
    )


@router.get("/analytics/referrals", response={200: ReferralsOut, **ERRORS})
def referrals(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, _ = _resolve(request, q)
    revenue = selectors.client_revenue(ws, period, segment)
    r = selectors.referrals(ws, period, segment, revenue)
    return (
        _envelope(REFERRALS + CURRENCY, period, segment)
        | asdict(r)
        | _money(revenue, revenue.missing_in(period))
    )


@router.get("/analytics/response-times", response={200: ResponseTimesOut, **ERRORS})
def response_times(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, grain = _resolve(request, q)
    r = selectors.response_times(ws, period, segment, grain, now=timezone.now())
    return _envelope(RESPONSES, period, segment) | {
        "overall": _stats(r.overall),
        "channels": [_stats(s) | {"channel": ch} for ch, s in sorted(r.by_channel.items())],
        "trend": [_stats(s) | {"bucket": b} for b, s in sorted(r.trend.items())],
    }


@router.get("/analytics/success-rates", response={200: SuccessRatesOut, **ERRORS})
def success_rates(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, _ = _resolve(request, q)
    s = selectors.success_rates(ws, period, segment)
    return (
        _envelope(SUCCESS, period, segment)
        | asdict(s.rates)
        | {
            f"by_{attribute}": [asdict(r) | {"group": key} for key, r in s.by(attribute)]
            for attribute in ("type", "lead")
        }
    )


@router.get("/analytics/nps", response={200: NpsMeasureOut, **ERRORS})
def nps(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, grain = _resolve(request, q)
    groups = selectors.nps_by_segment(ws, period, segment)
    trend = selectors.nps_trend(ws, period, segment, grain)
    return (
        _envelope(NPS, period, segment)
        | _nps(selectors.nps(ws, period, segment))
        | {
            "by_segment": [
                _nps(g.result) | {"group": g.label, "segment_key": g.segment} for g in groups
            ],
            "trend": [_nps(r) | {"bucket": b} for b, r in sorted(trend.items())],
        }
    )


@router.get("/analytics/feedback-themes", response={200: ThemesOut, **ERRORS})
def feedback_themes(request: HttpRequest, q: Query[AnalyticsQuery]) -> Any:
    ws, period, segment, grain = _resolve(request, q)
    buckets = selectors.trend_buckets(period, grain)
    themes = selectors.theme_trend(ws, buckets, period, segment, grain)
    return _envelope(THEMES, period, segment) | {
        "grain": grain,
        "buckets": [asdict(t) for t in themes],
    }


@router.get("/analytics/retention-curves", response={200: CohortsOut, **ERRORS})
def retention_curves(
    request: HttpRequest, q: Query[AnalyticsQuery], cohort: Literal["year", "quarter"] = "year"
) -> Any:
    ws, period, segment, _ = _resolve(request, q)
    cohorts = selectors.cohort_curves(ws, period.end, segment, cohort)
    return _envelope(COHORTS, period, segment) | {
        "cohort_by": cohort,
        "cohorts": [
            {
                "cohort": c.key,
                "clients": c.clients,
                "lost": c.lost,
                "curve": [
                    {
                        "days": p.time,
                        "survival": p.survival,
                        "at_risk": p.at_risk,
                        "events": p.events,
                    }
                    for p in c.curve
                ],
            }
            for c in cohorts
        ],
    }


# Drill-downs and exports: the rows behind a figure, the dashboard's tables as CSV and the whole
# dashboard as a PDF, exactly as the dashboard page gives them (``analytics.drill``/``exports``).

DrillMeasure = Literal[
    "retention",
    "cohort",
    "profitability",
    "revenue",
    "repeat",
    "referrals",
    "responses",
    "success",
    "nps",
    "themes",
]
DashboardTable = Literal[
    "trend",
    "profitability",
    "channels",
    "success_by_type",
    "success_by_lead",
    "nps_by_segment",
    "themes",
    "cohorts",
]
Param = Annotated[str, text(0, 120), Storable]


class AnalyticsDrillQuery(AnalyticsQuery):
    """The dashboard's filters, the figure (``measure``) and what narrows it, as the drill-down
    page's links give them: ``which`` (retention), ``bucket`` (a month or quarter's first day),
    ``cohort``, ``channel``, ``type``/``lead`` (success), ``theme`` and ``segment_of`` (NPS)."""

    measure: DrillMeasure
    which: Literal["at_start", "new", "at_end", "retained", "lost"] = "lost"
    bucket: dt.date | None = None
    cohort: Param = ""
    channel: Param = ""
    type: Param = ""
    lead: Param = ""
    theme: Param = ""
    segment_of: Param = ""


class AnalyticsDrillPageQuery(AnalyticsDrillQuery):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10**9)


class AnalyticsDrillColumnOut(Schema):
    label: str
    numeric: bool


class AnalyticsDrillOut(Schema):
    title: str
    columns: list[AnalyticsDrillColumnOut]
    notes: list[str] = Field(description="What the figures leave out (amounts not converted).")
    count: int
    items: list[list[str]] = Field(description="Each row's cells, as the page shows them.")


class AnalyticsExportQuery(AnalyticsQuery):
    table: DashboardTable | None = Field(
        None, description="A dashboard table; left out: profitability, a row per client."
    )


def _export_filters(request: HttpRequest, q: AnalyticsQuery) -> tuple[Workspace, Filters]:
    """The caller's workspace (role checked) and the filters the page would read from ``q``."""
    workspace, *_ = _resolve(request, q)
    return workspace, report.parse_filters(_drill_params(q), today=timezone.localdate())


def _drill_params(q: AnalyticsQuery) -> dict[str, str]:
    """The query as the page's URL would carry it (what ``parse_filters`` and the drill read)."""
    paging = ("limit", "offset")
    return {k: str(v) for k, v in q.dict().items() if v not in (None, "") and k not in paging}


def _file(kind: str, description: str) -> dict[str, Any]:
    body = {kind: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {200: {"description": description, "content": body}}}


@router.get("/analytics/drill", response={200: AnalyticsDrillOut, **ERRORS})
def drill(request: HttpRequest, q: Query[AnalyticsDrillPageQuery]) -> Any:
    """The rows behind one figure of the dashboard (a page of them)."""
    workspace, filters = _export_filters(request, q)
    limit, offset = q.limit, q.offset
    notes: list[str] = []
    title, columns, source, rows_of = drill_source(workspace, filters, _drill_params(q), notes)
    count = source.count() if isinstance(source, QuerySet) else len(source)
    rows = rows_of(list(source[offset : offset + limit]))
    return {
        "title": title,
        "columns": [{"label": label, "numeric": numeric} for label, numeric in columns],
        "notes": notes,
        "count": count,
        "items": [[cell.text for cell in row] for row in rows],
    }


@router.get(
    "/analytics/drill/csv",
    response={200: None, **ERRORS},
    openapi_extra=_file("text/csv", "Every row of the drill-down, as the page's CSV."),
)
def drill_csv_export(request: HttpRequest, q: Query[AnalyticsDrillQuery]) -> HttpResponse:
    workspace, filters = _export_filters(request, q)
    return drill_csv(workspace, filters, _drill_params(q))


@router.get(
    "/analytics/export/csv",
    response={200: None, **ERRORS},
    openapi_extra=_file("text/csv", "A dashboard table as the page exports it."),
)
def dashboard_csv(request: HttpRequest, q: Query[AnalyticsExportQuery]) -> HttpResponse:
    workspace, filters = _export_filters(request, q)
    return exports.dashboard_csv(workspace, filters, q.table)


@router.get(
    "/analytics/export/pdf",
    response={200: None, **ERRORS},
    openapi_extra=_file("application/pdf", "The whole dashboard as the page's PDF."),
)
def dashboard_pdf(request: HttpRequest, q: Query[AnalyticsQuery]) -> HttpResponse:
    workspace, filters = _export_filters(request, q)
    return exports.dashboard_pdf(workspace, filters)
