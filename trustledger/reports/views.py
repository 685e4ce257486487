"""Status report pages: lists, the report (draft or sent), editing the narrative, sending, PDF.

Thin: parse, authorise, call one service, render. Everyone in the workspace may read reports;
account managers of the client, leaders and owners draft, edit and send them. A draft shows the
figures as of today; a sent report shows the figures frozen when it was sent.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trustledger.clients.models import Client
from trustledger.engagements.models import Engagement
from trustledger.reports import forms, selectors, services
from trustledger.reports.mail import pdf_download
from trustledger.reports.models import ReportStatus, StatusReport
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.permissions import Action, can, require, role_required
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PAGE_SIZE = 20


def _report(request: HttpRequest, report_id: int) -> StatusReport:
    report = (
        StatusReport.objects.for_workspace(request_workspace(request))
        .select_related("client", "engagement", "workspace", "sent_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("No status report matches.")
    return report


def _data(request: HttpRequest) -> Any:
    """The posted data, even when empty (an empty form must show its errors)."""
    return request.POST if request.method == "POST" else None


def _can_draft(request: HttpRequest, client: Client) -> bool:
    return can(getattr(request, "membership", None), Action.MANAGE_CLIENTS, client)


# Lists


def _list(
    request: HttpRequest,
    *,
    client: Client | None = None,
    engagement: Engagement | None = None,
) -> HttpResponse:
    workspace = request_workspace(request)
    status = request.GET.get("status", "")
    status = status if status in ReportStatus.values else ""
    reports = selectors.list_reports(
        workspace,
        client_id=client.pk if client else None,
        engagement_id=engagement.pk if engagement else None,
        status=status,
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "client": client,
        "engagement": engagement,
        "status": status,
        "statuses": ReportStatus.choices,
        "query": f"status={status}" if status else "",
        "can_draft": client is not None and _can_draft(request, client),
    }
    return render(request, "reports/list.html", context)


@role_required(Action.VIEW)
def report_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


@role_required(Action.VIEW)
def client_list(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_for_workspace_or_404(Client, request_workspace(request), pk=client_id)
    return _list(request, client=client)


@role_required(Action.VIEW)
def engagement_list(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = get_for_workspace_or_404(Engagement, request_workspace(request), pk=engagement_id)
    return _list(request, client=engagement.client, engagement=engagement)


# Drafting


def _draft(
    request: HttpRequest, client: Client, engagement: Engagement | None, back: str
) -> HttpResponse:
    require(request, Action.MANAGE_CLIENTS, client)
    try:
        report = services.draft_report(client, engagement=engagement, by=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, "Report drafted from the live figures. Review it, then send it.")
    return redirect("reports:detail", report.pk)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def draft_engagement(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = get_for_workspace_or_404(Engagement, request_workspace(request), pk=engagement_id)
    back = reverse("engagements:detail", args=[engagement.pk])
    return _draft(request, engagement.client, engagement, back)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def draft_client(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_for_workspace_or_404(Client, request_workspace(request), pk=client_id)
    return _draft(request, client, None, reverse("clients:detail", args=[client.pk]))


# One report


def _page_context(request: HttpRequest, report: StatusReport, **extra: Any) -> dict[str, Any]:
    return {
        "report": report,
        "can_draft": _can_draft(request, report.client),
        "time_zone": report.workspace.time_zone,
        **extra,
    }


@role_required(Action.VIEW)
def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.with_live_figures(_report(request, report_id))
    return render(request, "reports/detail.html", _page_context(request, report))


@role_required(Action.MANAGE_CLIENTS)
def edit(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    require(request, Action.MANAGE_CLIENTS, report.client)
    if not report.is_draft:
        messages.error(request, "This report was sent: it can no longer change.")
        return redirect("reports:detail", report.pk)
    initial = {"title": report.title, "narrative": report.narrative}
    form = forms.NarrativeForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_report(report, by=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Narrative saved. Check the preview, then send it.")
            return redirect("reports:detail", report.pk)
    return render(request, "reports/edit.html", _page_context(request, report, form=form))


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def refresh(request: HttpRequest, report_id: int) -> HttpResponse:
    """Redraft the narrative from today's figures, replacing the edits."""
    report = _report(request, report_id)
    require(request, Action.MANAGE_CLIENTS, report.client)
    try:
        services.refresh_report(report, by=acting_user(request), redraft=True)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Narrative redrafted from today's figures.")
    return redirect("reports:detail", report.pk)


@role_required(Action.MANAGE_CLIENTS)
def send(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    require(request, Action.MANAGE_CLIENTS, report.client)
    if not report.is_draft:
        messages.error(request, "This report was already sent.")
        return redirect("reports:detail", report.pk)
    form = forms.RecipientsForm(_data(request), client=report.client)
    if request.method == "POST" and form.is_valid():
        contacts = list(form.cleaned_data["recipients"])
        try:
            services.send_report(report, by=acting_user(request), contacts=contacts)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            names = ", ".join(c.name for c in contacts)
            messages.success(request, f"Report sent to {names}, with its PDF.")
            return redirect("reports:detail", report.pk)
    report = selectors.with_live_figures(report)
    return render(request, "reports/send.html", _page_context(request, report, form=form))


@role_required(Action.VIEW)
def pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    return pdf_download(_report(request, report_id))


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def delete(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    require(request, Action.MANAGE_CLIENTS, report.client)
    back = (
        reverse("engagements:detail", args=[report.engagement_id])
        if report.engagement_id
        else reverse("clients:detail", args=[report.client_id])
    )
    try:
        services.delete_report(report, by=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reports:detail", report.pk)
    messages.success(request, "Draft deleted.")
    return redirect(back + "#status-reports")
