"""Trust pages: the portfolio, a client's explained index, alerts, configuration, backtest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustledger.clients.models import Client
from trustledger.core.clock import local_today
from trustledger.scoring.index import INDICATORS
from trustledger.trust import explain, selectors, services
from trustledger.trust.charts import sparkline, trend_chart
from trustledger.trust.forms import LABELS, TrustConfigForm
from trustledger.trust.models import Alert, SnapshotKind, TrustConfig
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.models import Role
from trustledger.workspaces.permissions import Action, require, role_required
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PORTFOLIO_PAGE = 50
SORTS = {"index", "-index", "change", "-change", "name", "confidence"}


@role_required(Action.VIEW)
def portfolio(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    sort = request.GET.get("sort", "index")
    band = request.GET.get("band", "")
    rows = selectors.portfolio(workspace, band=band, sort=sort if sort in SORTS else "index")
    counts = dict.fromkeys(("at_risk", "watch", "healthy", "not_enough_data"), 0)
    for row in selectors.portfolio(workspace) if band else rows:
        counts[row.current.band if row.current else "not_enough_data"] += 1
    page = Paginator(rows, PORTFOLIO_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(row, sparkline(row.history)) for row in page.object_list],
        "query": f"band={band}&sort={sort}",
        "counts": counts,
        "band": band,
        "sort": sort,
        "open_alerts": selectors.alerts_for(workspace).count(),
    }
    return render(request, "trust/portfolio.html", context)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def recompute(request: HttpRequest) -> HttpResponse:
    """Compute every client's current index now (normally a new fact does this for its client)."""
    workspace = request_workspace(request)
    snapshots = services.take_snapshots(
        workspace, local_today(workspace), kind=SnapshotKind.CURRENT
    )
    messages.success(request, f"The trust index of {len(snapshots)} clients is up to date.")
    return redirect("trust:portfolio")


@role_required(Action.VIEW)
def client_trust(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_for_workspace_or_404(Client, request_workspace(request), pk=client_id)
    trust = selectors.client_trust(client)
    config = services.current_config(client.workspace)
    compare = _compare(request, client)
    shown = compare["result"].explanation.shown if "result" in compare else {}
    context = {
        "client": client,
        "trust": trust,
        "labels": LABELS,
        "chart": trend_chart(
            trust.trend, healthy_at=config.healthy_at, at_risk_below=config.at_risk_below
        ),
        "compare": compare,
        "pillars": [  # each indicator's part of the compared change, as the Compare card lists
            {**p, "indicators": [{**i, "change": shown.get(i["key"])} for i in p["indicators"]]}
            for p in trust.pillars
        ],
    }
    return render(request, "trust/client.html", context)


def _compare(request: HttpRequest, client: Client) -> dict[str, Any]:
    """The "Compare" card: the two dates asked for (by default the "Since" line's), explained."""
    today = local_today(client.workspace)
    asked = {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")}
    picks = [(days, today - dt.timedelta(days=days)) for days in explain.QUICK_PICKS]
    default = explain.default_start(client)
    try:
        start, end = explain.parse_dates(
            client.workspace, asked["from"], asked["to"], default_start=default
        )
    except DomainError as error:
        return {"error": error, "asked": asked, "today": today, "picks": picks}
    result = explain.explain_between(client, start, end)
    every = request.GET.get("events") == "all"
    return {
        "result": result,
        "asked": {"from": start.isoformat(), "to": end.isoformat()},
        "today": today,
        "picks": picks,
        "events": result.events if every else result.events[: explain.EVENTS_ON_PAGE],
        "all_events": every,
    }


@role_required(Action.VIEW)
def alert_list(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    membership = request.membership  # type: ignore[attr-defined]
    mine = request.GET.get("who", "mine" if membership.role == Role.ACCOUNT_MANAGER else "all")
    status = request.GET.get("status", "open")
    alerts = selectors.alerts_for(
        workspace, owner_id=request.user.pk if mine == "mine" else None, status=status
    )
    page = Paginator(alerts, 30).get_page(request.GET.get("page"))
    query = f"who={mine}&status={status}"
    return render(
        request, "trust/alerts.html", {"page": page, "who": mine, "status": status, "query": query}
    )


@require_POST
@role_required(Action.VIEW)
def alert_status(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_for_workspace_or_404(Alert, request_workspace(request), pk=alert_id)
    require(request, Action.MANAGE_CLIENTS, alert.client)
    try:
        services.set_alert_status(alert, request.POST.get("status", ""), by=acting_user(request))
        messages.success(request, f"Alert on {alert.client} {alert.get_status_display().lower()}.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(request.POST.get("next") or "trust:alerts")


@role_required(Action.MANAGE_WORKSPACE)
def settings_page(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    config = services.current_config(workspace)
    form = TrustConfigForm(request.POST or None, config=config)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.update_config(
                workspace, by=acting_user(request), note=form.cleaned_data["note"], **form.values()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if new.version == config.version:
                messages.info(request, "Nothing changed.")
            else:
                messages.success(
                    request,
                    f"Saved as version {new.version}. Recompute to apply it to the current values.",
                )
            return redirect("trust:settings")
    versions = TrustConfig.objects.for_workspace(workspace).select_related("created_by")[:20]
    return render(
        request, "trust/settings.html", {"form": form, "config": config, "versions": versions}
    )


@role_required(Action.VIEW)
def backtest(request: HttpRequest) -> HttpResponse:
    """Runs on request (it scores two years of month ends): a GET shows the button only."""
    from trustledger.trust.backtest import run_backtest

    workspace = request_workspace(request)
    report = None
    months = request.GET.get("months", "24")
    if request.GET.get("run"):
        report = run_backtest(workspace, months=int(months) if months.isdigit() else 24)
    config = services.current_config(workspace)
    weights = config.index_settings().weights
    rows = []
    if report and report.learned:
        rows = [(LABELS[k], weights[k], report.learned.weights[k]) for k in INDICATORS]
    return render(
        request, "trust/backtest.html", {"report": report, "months": months, "weight_rows": rows}
    )


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def adopt_weights(request: HttpRequest) -> HttpResponse:
    """Adopt learned weights: an owner's decision, saved as a new audited configuration."""
    workspace = request_workspace(request)
    try:
        weights = {k: float(request.POST[f"weight_{k}"]) for k in INDICATORS}
        services.adopt_weights(workspace, weights, by=acting_user(request))
    except (KeyError, ValueError):
        messages.error(request, "The learned weights were incomplete; run the backtest again.")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Learned weights adopted as a new configuration version.")
    return redirect("trust:settings")
