"""Template helpers for status reports: a report's figures ready to show, and the panels the
engagement and client pages include."""

from __future__ import annotations

from typing import Any

from django import template

from trustledger.clients.models import Client
from trustledger.engagements.models import Engagement
from trustledger.reports.content import ReportContent, report_content
from trustledger.reports.models import StatusReport
from trustledger.workspaces.permissions import Action, can

register = template.Library()
PANEL_SIZE = 3


@register.filter(name="report_content")
def content_of(report: StatusReport) -> ReportContent:
    """``{% with c=report|report_content %}``: the stored figures, with their charts."""
    return report_content(report)


@register.inclusion_tag("reports/partials/_panel.html", takes_context=True)
def status_reports_panel(
    context: dict[str, Any], client: Client, engagement: Engagement | None = None
) -> dict[str, Any]:
    """The "Status reports" card: the latest reports on this engagement (or client) and, for
    those who may, the button to draft one. Two queries."""
    reports = StatusReport.objects.filter(workspace_id=client.workspace_id, client=client)
    if engagement is not None:
        reports = reports.filter(engagement=engagement)
    latest = list(reports.select_related("engagement").order_by("-created_at", "-id")[:PANEL_SIZE])
    membership = context.get("membership") or getattr(context.get("request"), "membership", None)
    return {
        "client": client,
        "engagement": engagement,
        "reports": latest,
        "more": len(latest) == PANEL_SIZE and reports.count() > PANEL_SIZE,
        "can_draft": can(membership, Action.MANAGE_CLIENTS, client),
        "csrf_token": context.get("csrf_token"),
    }
