"""The analytics dashboard's exports: its tables as CSV and the whole dashboard as a PDF, shared
by the dashboard page and the API so both give the same files."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone

from trustledger.analytics import charts, report, selectors
from trustledger.analytics.report import Filters, Table
from trustledger.analytics.selectors import Period
from trustledger.pdf import pdf_response
from trustledger.scoring import portfolio as measures
from trustledger.scoring.display import display_index
from trustledger.workspaces.models import Workspace

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


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(str(value)) for value in row])
    return response


def table_csv(table: Table, period: Period) -> HttpResponse:
    return csv_response(
        f"{table.key}-{period.start}-{period.end}",
        [label for label, _ in table.columns],
        ([c.text for c in row] for row in table.rows),
    )


def dashboard_context(workspace: Workspace, filters: Filters) -> dict[str, Any]:
    """What the dashboard page and its PDF show."""
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


def profitability_csv(profit: selectors.Profitability, period: Period) -> HttpResponse:
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

    return csv_response(f"profitability-{period.start}-{period.end}", CSV_HEADER, rows())


def dashboard_csv(workspace: Workspace, filters: Filters, table_key: str | None) -> HttpResponse:
    """One table of the dashboard as CSV (no key: the profitability export, a row per client with
    its raw figures)."""
    if table_key is None:
        profit = selectors.profitability(workspace, filters.period, filters.segment)
        return profitability_csv(profit, filters.period)
    d = report.build(workspace, filters, now=timezone.now())
    found = {t.key: t for t in report.tables(d)}
    if table_key not in found:
        raise Http404("No such table.")
    return table_csv(found[table_key], filters.period)


def dashboard_pdf(workspace: Workspace, filters: Filters) -> HttpResponse:
    context = dashboard_context(workspace, filters) | {"workspace": workspace}
    name = f"analytics-{filters.period.start}-{filters.period.end}.pdf"
    return pdf_response("analytics/dashboard_pdf.html", context, filename=name)
