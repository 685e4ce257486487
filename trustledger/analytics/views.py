"""The leadership dashboard, its drill-downs, CSV exports and PDF: owners and leaders only.

Thin views: the figures come from ``report``, the files from ``exports`` and the rows behind a
figure from ``drill``, which the API calls too.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from trustledger.analytics import exports, report
from trustledger.analytics.drill import drill_csv, drill_source
from trustledger.analytics.report import Filters
from trustledger.web import request_workspace
from trustledger.workspaces.permissions import Action, role_required

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> Filters:
    return report.parse_filters(request.GET, today=timezone.localdate())


@role_required(Action.VIEW_FINANCIALS)
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    filters = _filters(request)
    if request.GET.get("format") == "csv":
        return exports.dashboard_csv(workspace, filters, request.GET.get("table"))
    context = exports.dashboard_context(workspace, filters)
    return render(request, "analytics/dashboard.html", context)


@role_required(Action.VIEW_FINANCIALS)
def dashboard_pdf(request: HttpRequest) -> HttpResponse:
    return exports.dashboard_pdf(request_workspace(request), _filters(request))


@role_required(Action.VIEW_FINANCIALS)
def drill(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    filters = _filters(request)
    if request.GET.get("format") == "csv":
        return drill_csv(workspace, filters, request.GET)
    notes: list[str] = []
    title, columns, source, rows_of = drill_source(workspace, filters, request.GET, notes)
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
