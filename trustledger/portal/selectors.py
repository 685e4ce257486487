"""Reads for the portal. Every query is scoped to the signed-in contact's workspace AND client,
and to engagements the firm has shared: the contact's session is the only key, never an id
from the URL alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.communications.models import Inquiry
from trustledger.engagements import selectors as engagement_selectors
from trustledger.engagements.models import (
    ChangeRequest,
    ChangeRequestStatus,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneStatus,
)
from trustledger.engagements.page import burn_charts, milestone_rows, timeline_charts
from trustledger.portal.models import ClientPortal, ContactAccess, MagicLink
from trustledger.recovery.models import RecoveryPlan
from trustledger.recovery.selectors import plans_shared_with
from trustledger.reports.models import StatusReport
from trustledger.reports.selectors import reports_shared_with
from trustledger.workspaces.models import Workspace

# What a contact may see of change requests: drafts are the firm's work in progress.
VISIBLE_CHANGES = (
    ChangeRequestStatus.SUBMITTED,
    ChangeRequestStatus.APPROVED,
    ChangeRequestStatus.REJECTED,
)
HIDDEN_STATUSES = (EngagementStatus.CANCELLED,)
LIVE_MILESTONES = [s for s in MilestoneStatus.values if s != MilestoneStatus.CANCELLED]


@dataclass(frozen=True)
class PortalUser:
    """Who is signed in to the portal: the contact, their client and the firm."""

    contact: Contact
    client: Client
    workspace: Workspace


def shared_engagements(who: PortalUser) -> QuerySet[Engagement]:
    return (
        Engagement.objects.for_workspace(who.workspace)
        .filter(client=who.client, portal_shared=True)
        .exclude(status__in=HIDDEN_STATUSES)
        .order_by("-start_date", "name", "pk")
    )


def shared_engagement_or_404(who: PortalUser, engagement_id: int) -> Engagement:
    engagement = shared_engagements(who).filter(pk=engagement_id).first()
    if engagement is None:
        raise Http404("No such engagement.")
    return engagement


def visible_change_requests(who: PortalUser) -> QuerySet[ChangeRequest]:
    return (
        ChangeRequest.objects.for_workspace(who.workspace)
        .filter(
            engagement__in=shared_engagements(who),
            status__in=VISIBLE_CHANGES,
        )
        .select_related("engagement", "decided_by")
    )


def change_request_or_404(who: PortalUser, change_request_id: int) -> ChangeRequest:
    cr = visible_change_requests(who).filter(pk=change_request_id).first()
    if cr is None:
        raise Http404("No such change request.")
    return cr


def my_questions(who: PortalUser, limit: int = 10) -> list[Inquiry]:
    return list(
        Inquiry.objects.for_workspace(who.workspace)
        .filter(client=who.client, contact=who.contact)
        .order_by("-received_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class EngagementCard:
    engagement: Engagement
    burned: Decimal
    milestones_total: int
    milestones_done: int
    awaiting_decision: int


def home(who: PortalUser) -> list[EngagementCard]:
    """The shared engagements with their progress, in one query. Counts are subqueries: joining
    milestones and change requests beside the time entries would multiply the sum burned."""

    def count(model: type[Model], **match: Any) -> Subquery:
        rows = (
            model.objects.filter(engagement=OuterRef("pk"), **match)  # type: ignore[attr-defined]
            .values("engagement")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Subquery(rows, output_field=IntegerField())

    rows = engagement_selectors.with_burned(shared_engagements(who)).annotate(
        m_total=Coalesce(count(Milestone, status__in=LIVE_MILESTONES), 0),
        m_done=Coalesce(count(Milestone, status=MilestoneStatus.DELIVERED), 0),
        awaiting=Coalesce(count(ChangeRequest, status=ChangeRequestStatus.SUBMITTED), 0),
    )
    return [
        EngagementCard(e, e.burned, e.m_total, e.m_done, e.awaiting)  # type: ignore[attr-defined]
        for e in rows
    ]


def engagement_status(engagement: Engagement, today: dt.date | None = None) -> dict[str, Any]:
    """The engagement's real-time status as the client sees it: milestones committed vs
    forecast, budget burn (when shared), and change requests. No costs, margins or notes."""
    today = today or timezone.localdate()
    rows = milestone_rows(engagement, today)
    context: dict[str, Any] = {
        "milestones": rows,
        "timeline": timeline_charts(rows, engagement, today, chart_id="portal-timeline"),
        "late_count": sum(row.late for row in rows),
        "delivered_count": sum(row.milestone.delivered_on is not None for row in rows),
        "today": today,
    }
    if engagement.portal_shows_budget:
        billed = engagement_selectors.burn(engagement).billed
        evm = engagement_selectors.evm(engagement, today)
        context |= {
            "burned": billed,
            "burned_share": (
                float(billed / engagement.budget_amount) if engagement.budget_amount else None
            ),
            "eac": evm.eac if evm else None,
            "burn_chart": burn_charts(
                engagement, today, evm.eac if evm else None, chart_id="portal-burn"
            ),
        }
    return context


# --- the firm's side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    contact: Contact
    may_sign_in: bool
    last_signed_in_at: dt.datetime | None
    last_invited_at: dt.datetime | None


@dataclass(frozen=True)
class ClientPanel:
    enabled: bool
    contacts: list[ContactRow]
    shared_count: int


def client_panel(client: Client) -> ClientPanel:
    """The firm's view of a client's portal: on or off, and each contact's last sign-in."""
    portal = ClientPortal.objects.filter(client=client).first()
    access = {
        a.contact_id: a
        for a in ContactAccess.objects.for_workspace(client.workspace).filter(
            contact__client=client
        )
    }
    invited = dict(
        MagicLink.objects.for_workspace(client.workspace)
        .filter(contact__client=client, invitation=True)
        .values("contact_id")
        .annotate(last=Max("created_at"))
        .values_list("contact_id", "last")
    )
    rows = [
        ContactRow(
            contact=c,
            may_sign_in=(a := access.get(c.pk)) is None or a.may_sign_in,
            last_signed_in_at=a.last_signed_in_at if a else None,
            last_invited_at=invited.get(c.pk),
        )
        for c in client.contacts.all()
    ]
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda r: r.last_signed_in_at or never, reverse=True)
    shared = Engagement.objects.for_workspace(client.workspace).filter(
        client=client, portal_shared=True
    )
    return ClientPanel(
        enabled=bool(portal and portal.enabled), contacts=rows, shared_count=shared.count()
    )


def shared_reports(who: PortalUser) -> QuerySet[StatusReport]:
    """Sent status reports on the whole client or on an engagement shared in the portal."""
    reports = reports_shared_with(who.workspace, who.client)
    return reports.filter(Q(engagement__isnull=True) | Q(engagement__portal_shared=True))


def shared_report_or_404(who: PortalUser, report_id: int) -> StatusReport:
    report = shared_reports(who).filter(pk=report_id).first()
    if report is None:
        raise Http404("No such report.")
    return report


def shared_recovery_plans(who: PortalUser) -> QuerySet[RecoveryPlan]:
    """The recovery plans the firm chose to share (or shared an update of)."""
    return plans_shared_with(who.workspace, who.client)


def invitations(client: Client) -> QuerySet[MagicLink]:
    """The invitations the firm sent this client's contacts (not the links contacts asked for)."""
    return MagicLink.objects.filter(
        workspace_id=client.workspace_id, contact__client=client, invitation=True
    ).order_by("-created_at", "-id")
