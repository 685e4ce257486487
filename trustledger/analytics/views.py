"""The leadership dashboard, its drill-downs, CSV exports and PDF: owners and leaders only."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from trustledger.analytics import charts, report, selectors
from trustledger.analytics.report import Cell, Filters, Table, num, pct
from trustledger.analytics.selectors import Period, Segment
from trustledger.clients.models import Client, Tier
from trustledger.communications.models import Channel
from trustledger.feedback.analysis.themes import THEMES
from trustledger.pdf import pdf_response
from trustledger.scoring import portfolio as measures
from trustledger.scoring.display import display_index
from trustledger.scoring.repeat import repeat_summary
from trustledger.web import request_workspace
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.permissions import Action, role_required

PAGE_SIZE = 50
CSV_HEADER = [
    "client_id",
    "client",
    "hours",
    "revenue",
    "cost",
    "margin",
    "margin_pct",
    "effort_share",
    "revenue_share",
    "trust_index",
    "quadrant",
    "currency",  # of revenue, cost and margin: the workspace's base currency
]


def _cell(text: str) -> str:
    """Defuse spreadsheet formulas in free text (a client named "=HYPERLINK(...)")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(str(value)) for value in row])
    return response


def _table_csv(table: Table, period: Period) -> HttpResponse:
    return _csv(
        f"{table.key}-{period.start}-{period.end}",
        [label for label, _ in table.columns],
        ([c.text for c in row] for row in table.rows),
    )


def _filters(request: HttpRequest) -> Filters:
    return report.parse_filters(request.GET, today=timezone.localdate())


def _context(request: HttpRequest, workspace: Workspace, filters: Filters) -> dict[str, Any]:
    d = report.build(workspace, filters, now=timezone.now())
    quadrants: dict[str, tuple[str, list[selectors.ProfitRow]]] = {
        key: (label, []) for key, label in measures.QUADRANT_LABELS.items()
    }
    for row in d.profit.rows:
        if row.quadrant:
            quadrants[row.quadrant][1].append(row)
    cohorts = [(c.key, c.curve) for c in d.cohorts]
    nps_points = [(r.bucket.label, r.nps) for r in d.trend]
    return {
        "d": d,
        "f": filters,
        "period": filters.period,
        "currency": d.currency,
        "missing_rates": [m.text for m in d.missing],
        "retention": d.retention,
        "nps": d.nps,
        "success": d.success.rates,
        "profit": d.profit,
        "quadrants": list(quadrants.values()),
        "tables": {t.key: t for t in report.tables(d, limit=report.PAGE_ROWS)},
        "month_choices": selectors.PERIOD_MONTHS,
        "segment_choices": selectors.segment_choices(workspace),
        "query": filters.query(),
        "survival_wide": charts.survival_chart(cohorts),
        "survival_narrow": charts.survival_chart(cohorts, chart_id="cohort-curves-n", narrow=True),
        "nps_wide": charts.nps_chart(nps_points),
        "nps_narrow": charts.nps_chart(nps_points, chart_id="nps-trend-n", narrow=True),
        "drill": {
            key: filters.drill(key)
            for key in ("retention", "profitability", "revenue", "repeat", "referrals")
        }
        | {
            "new": filters.drill("retention", which="new"),
            "at_end": filters.drill("retention", which="at_end"),
            "responses": filters.drill("responses"),
            "success": filters.drill("success"),
            "nps": filters.drill("nps"),
            "themes": filters.drill("themes"),
        },
    }


@role_required(Action.VIEW_FINANCIALS)
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    filters = _filters(request)
    if request.GET.get("format") == "csv":
        table_key = request.GET.get("table", "profitability")
        if table_key == "profitability" and "table" not in request.GET:
            profit = selectors.profitability(workspace, filters.period, filters.segment)
            return _profitability_csv(profit, filters.period)
        d = report.build(workspace, filters, now=timezone.now())
        found = {t.key: t for t in report.tables(d)}
        if table_key not in found:
            raise Http404("No such table.")
        return _table_csv(found[table_key], filters.period)
    return render(request, "analytics/dashboard.html", _context(request, workspace, filters))


@role_required(Action.VIEW_FINANCIALS)
def dashboard_pdf(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    filters = _filters(request)
    context = _context(request, workspace, filters) | {"workspace": workspace}
    name = f"analytics-{filters.period.start}-{filters.period.end}.pdf"
    return pdf_response("analytics/dashboard_pdf.html", context, filename=name)


def _profitability_csv(profit: selectors.Profitability, period: Period) -> HttpResponse:
    def rows() -> Iterable[list[str]]:
        for row in profit.rows:
            p = row.profit
            yield [
                str(row.client_id),
                row.client,
                f"{p.hours:.2f}",
                f"{p.revenue:.2f}",
                f"{p.cost:.2f}",
                f"{p.margin:.2f}",
                "" if p.margin_pct is None else f"{p.margin_pct:.1f}",
                "" if p.effort_share is None else f"{p.effort_share:.4f}",
                "" if p.revenue_share is None else f"{p.revenue_share:.4f}",
                "" if row.trust_index is None else str(display_index(row.trust_index)),
                row.quadrant or "",
                profit.currency,
            ]

    return _csv(f"profitability-{period.start}-{period.end}", CSV_HEADER, rows())


# --- drill-down -----------------------------------------------------------------------------


def _date(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return "—"
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    return day.isoformat()


CLIENT_COLUMNS = [
    ("Client", False),
    ("Tier", False),
    ("Industry", False),
    ("Account manager", False),
    ("Relationship start", False),
    ("Lost on", False),
]
TIERS = dict(Tier.choices)


def _client_cells(c: Client) -> list[Cell]:
    return [
        Cell(c.name, reverse("clients:detail", args=[c.pk])),
        Cell(str(TIERS.get(c.tier, c.tier))),
        Cell(c.industry or "—"),
        Cell(str(c.account_manager) if c.account_manager else "—"),
        Cell(_date(c.relationship_start)),
        Cell(_date(c.lost_on)),
    ]


type RowsOf = Callable[[Sequence[Any]], list[list[Cell]]]


def _drill_source(
    workspace: Workspace, filters: Filters, request: HttpRequest, notes: list[str]
) -> tuple[str, list[tuple[str, bool]], Sequence[Any] | QuerySet[Any], RowsOf]:
    """What a drill-down lists: its title, columns, the rows' source and how to show a row;
    ``notes`` gets what the figures leave out (amounts no exchange rate converts)."""
    get = request.GET
    period, segment = filters.period, filters.segment
    bucket = get.get("bucket", "")
    if bucket:
        try:
            first = measures.bucket_start(dt.date.fromisoformat(bucket), filters.grain)
        except ValueError:
            raise Http404("No such bucket.") from None
        end = measures.bucket_end(first, filters.grain)
        period = Period(max(first, period.start), max(min(end, period.end), first))
    measure = get.get("measure", "")
    span = f"{period.start} to {period.end}"

    def clients(items: Sequence[Client]) -> list[list[Cell]]:
        return [_client_cells(c) for c in items]

    if measure == "retention":
        which = get.get("which", "lost")
        if which not in ("at_start", "new", "at_end", "retained", "lost"):
            raise Http404("No such group.")
        label = {
            "at_start": "Clients served at the start (S)",
            "new": "New clients (N)",
            "at_end": "Clients served at the end (E)",
            "retained": "Clients kept (R)",
            "lost": "Clients lost",
        }[which]
        qs = selectors.retention_clients(workspace, period, segment, which)
        return f"{label}, {span}", CLIENT_COLUMNS, qs, clients
    if measure == "cohort":
        cohort = get.get("cohort", "")[:10]
        qs = selectors.cohort_clients(workspace, period.end, segment, cohort)
        return f"Clients whose relationship began in {cohort}", CLIENT_COLUMNS, qs, clients
    if measure in ("profitability", "revenue"):
        revenue = selectors.client_revenue(workspace, period, segment)
        if measure == "profitability":
            profit = selectors.profitability(workspace, period, segment, revenue)
            notes += [m.text for m in profit.missing]
            table = report.profit_table(profit)
            rows: list[list[Cell]] = table.rows
            return f"Client profitability, {span}", table.columns, rows, list
        notes += [m.text for m in revenue.missing]
        currency = revenue.currency
        before, now = revenue.before, revenue.now
        cohort_ids = sorted((c for c, r in before.items() if r > 0), key=lambda c: -before[c])
        items = [(c, revenue.names[c], before[c], now.get(c, 0.0)) for c in cohort_ids]
        previous = period.previous()
        return (
            f"Revenue kept from the clients of {previous.start} to {previous.end}",
            [
                ("Client", False),
                (f"Revenue before ({currency})", True),
                (f"Revenue now ({currency})", True),
                (f"Kept, capped ({currency})", True),
                ("Change", True),
            ],
            items,
            lambda page: [
                [
                    Cell(name, reverse("clients:detail", args=[pk])),
                    Cell(num(b), num=True),
                    Cell(num(n), num=True),
                    Cell(num(min(n, b)), num=True),
                    Cell(pct((n - b) / b if b else None), num=True),
                ]
                for pk, name, b, n in page
            ],
        )
    if measure == "repeat":
        qs = selectors.repeat_clients(workspace, period, segment)

        def repeat_rows(page: Sequence[Client]) -> list[list[Cell]]:
            starts = selectors.engagement_starts(workspace, [c.pk for c in page], period.end)
            summary = repeat_summary(starts, period.end)
            return [
                [
                    Cell(c.name, reverse("clients:detail", args=[c.pk])),
                    Cell(str(getattr(c, "won_engagements", 0)), num=True),
                    Cell(str(summary[c.pk].frequency) if c.pk in summary else "—", num=True),
                    Cell(str(summary[c.pk].recency) if c.pk in summary else "—", num=True),
                    Cell(str(summary[c.pk].T) if c.pk in summary else "—", num=True),
                ]
                for c in page
            ]

        return (
            f"Clients with work started by {period.end}",
            [
                ("Client", False),
                ("Engagements", True),
                ("Repeat engagements (frequency)", True),
                ("Days first to last (recency)", True),
                ("Days since first (T)", True),
            ],
            qs,
            repeat_rows,
        )
    if measure == "referrals":
        referrals = selectors.referral_rows(workspace, period, segment)
        return (
            f"Referrals, {span}",
            [
                ("Referred on", False),
                ("By", False),
                ("Client referred", False),
                ("Won work", False),
            ],
            referrals,
            lambda page: [
                [
                    Cell(_date(r.referred_on)),
                    Cell(r.referrer.name, reverse("clients:detail", args=[r.referrer_id])),
                    Cell(r.referred.name, reverse("clients:detail", args=[r.referred_id])),
                    Cell("Yes" if r.converted else "No"),
                ]
                for r in page
            ],
        )
    if measure == "responses":
        channel = get.get("channel", "")
        channel = channel if channel in Channel.values else ""
        inquiries = selectors.inquiry_rows(workspace, period, segment, channel)
        return (
            f"Inquiries received, {span}" + (f" ({channel})" if channel else ""),
            [
                ("Received", False),
                ("Client", False),
                ("Channel", False),
                ("Subject", False),
                ("First response", False),
                ("Within SLA", False),
            ],
            inquiries,
            lambda page: [
                [
                    Cell(_date(q.received_at)),
                    Cell(q.client.name, reverse("clients:detail", args=[q.client_id])),
                    Cell(q.get_channel_display()),
                    Cell(q.subject),
                    Cell(_date(q.first_response_at)),
                    Cell(
                        "—"
                        if q.first_response_at is None and q.sla_due > timezone.now()
                        else ("No" if q.breached() else "Yes")
                    ),
                ]
                for q in page
            ],
        )
    if measure == "success":
        s = selectors.success_rates(workspace, period, segment)
        kind, lead = get.get("type", ""), get.get("lead", "")
        picked = [
            (s.engagements[pk], o)
            for pk, o in s.outcomes.items()
            if (not kind or s.engagements[pk].type == kind)
            and (not lead or s.engagements[pk].lead == lead)
        ]
        picked.sort(key=lambda item: (item[0].closed_on, item[0].pk), reverse=True)

        def yes(value: bool | None) -> str:
            return "—" if value is None else ("Yes" if value else "No")

        return (
            f"Engagements closed, {span}",
            [
                ("Engagement", False),
                ("Client", False),
                ("Type", False),
                ("Lead", False),
                ("Closed", False),
                ("On time", False),
                ("Within budget", False),
                ("Quality", False),
            ],
            picked,
            lambda page: [
                [
                    Cell(e.name, reverse("engagements:detail", args=[e.pk])),
                    Cell(e.client),
                    Cell(e.type),
                    Cell(e.lead),
                    Cell(_date(e.closed_on)),
                    Cell(yes(o.on_time)),
                    Cell(yes(o.within_budget)),
                    Cell(yes(o.quality)),
                ]
                for e, o in page
            ],
        )
    if measure in ("nps", "themes"):
        theme = get.get("theme", "")
        theme = theme if theme in THEMES else ""
        raw = get.get("segment_of", "")
        try:
            segment = Segment.parse(raw) if raw else segment
        except ValueError:
            raise Http404("No such segment.") from None
        answers = selectors.answer_rows(
            workspace, period, segment, theme if measure == "themes" else ""
        )
        if measure == "themes":
            answers = answers.exclude(comment="")
        title = "Comments" if measure == "themes" else "Survey answers"
        return (
            f"{title}, {span}" + (f" (theme: {theme.replace('_', ' / ')})" if theme else ""),
            [
                ("Answered", False),
                ("Client", False),
                ("Score", True),
                ("Theme", False),
                ("Comment", False),
            ],
            answers,
            lambda page: [
                [
                    Cell(_date(a.answered_at)),
                    Cell(a.client.name, reverse("clients:detail", args=[a.client_id])),
                    Cell(str(a.score), num=True),
                    Cell(a.theme.replace("_", " / ") or "—"),
                    Cell(a.comment[:300]),
                ]
                for a in page
            ],
        )
    raise Http404("No such measure.")


@role_required(Action.VIEW_FINANCIALS)
def drill(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    filters = _filters(request)
    notes: list[str] = []
    title, columns, source, rows_of = _drill_source(workspace, filters, request, notes)
    if request.GET.get("format") == "csv":
        table = Table("drill", title, columns, rows_of(list(source)))
        return _table_csv(table, filters.period)
    page = Paginator(source, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: str(v) for k, v in request.GET.items() if k not in ("page", "format")}
    query = urlencode(params)
    return render(
        request,
        "analytics/drill.html",
        {
            "title": title,
            "columns": columns,
            "notes": notes,
            "rows": rows_of(list(page.object_list)),
            "page": page,
            "query": query,
            "csv_query": urlencode(params | {"format": "csv"}),
            "back": reverse("analytics:dashboard") + "?" + filters.query(),
        },
    )
