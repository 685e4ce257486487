"""The leadership dashboard: retention, NPS, project success and client profitability."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trustledger.analytics import selectors
from trustledger.scoring.portfolio import QUADRANT_LABELS
from trustledger.web import request_workspace
from trustledger.workspaces.permissions import Action, role_required

DEFAULT_MONTHS = 12
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
]


def _cell(text: str) -> str:
    """Defuse spreadsheet formulas in free text (a client named "=HYPERLINK(...)")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _period(request: HttpRequest) -> tuple[int, selectors.Period]:
    raw = request.GET.get("months", "")
    months = int(raw) if raw.isdigit() and int(raw) in selectors.PERIOD_MONTHS else DEFAULT_MONTHS
    return months, selectors.Period.last_months(months, today=timezone.localdate())


@role_required(Action.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    months, period = _period(request)
    profit = selectors.profitability(workspace, period)
    if request.GET.get("format") == "csv":
        return _profitability_csv(profit, period)
    quadrants: dict[str, tuple[str, list[selectors.ProfitRow]]] = {
        key: (label, []) for key, label in QUADRANT_LABELS.items()
    }
    for row in profit.rows:
        if row.quadrant:
            quadrants[row.quadrant][1].append(row)
    context = {
        "months": months,
        "month_choices": selectors.PERIOD_MONTHS,
        "period": period,
        "retention": selectors.retention(workspace, period),
        "nps": selectors.nps(workspace, period),
        "success": selectors.success_rates(workspace, period).rates,
        "profit": profit,
        "quadrants": list(quadrants.values()),
    }
    return render(request, "analytics/dashboard.html", context)


def _profitability_csv(profit: selectors.Profitability, period: selectors.Period) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"profitability-{period.start}-{period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in profit.rows:
        p = row.profit
        writer.writerow(
            [
                row.client_id,
                _cell(row.client),
                f"{p.hours:.2f}",
                f"{p.revenue:.2f}",
                f"{p.cost:.2f}",
                f"{p.margin:.2f}",
                "" if p.margin_pct is None else f"{p.margin_pct:.1f}",
                "" if p.effort_share is None else f"{p.effort_share:.4f}",
                "" if p.revenue_share is None else f"{p.revenue_share:.4f}",
                "" if row.trust_index is None else f"{row.trust_index:.0f}",
                row.quadrant or "",
            ]
        )
    return response
