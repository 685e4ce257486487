"""State changes of status reports: draft, edit, refresh, send, delete; and the cadence job.

Each runs in one transaction and is audited. Sending is synchronous: the PDF is rendered and the
e-mail handed to the mail server inside the transaction that marks the report sent, so a send
that fails rolls back and leaves the report a draft, and a report is never marked sent unsent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from trustledger.clients.models import Client, ClientStatus, Contact
from trustledger.communications import services as communications
from trustledger.communications.models import (
    Channel,
    CommunicationPlan,
    Direction,
    InteractionKind,
)
from trustledger.communications.selectors import cadence_measures
from trustledger.core.clock import local_today
from trustledger.core.events import publish
from trustledger.core.outbox import tag
from trustledger.engagements.models import Engagement, EngagementStatus
from trustledger.reports import mail, selectors
from trustledger.reports.models import ReportStatus, StatusReport
from trustledger.reports.narrative import draft_narrative
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError, record_audit

log = logging.getLogger(__name__)

MAX_NARRATIVE = 20_000
MAX_TITLE = 200
# The cadence job drafts this many days before the budget update falls due: time to review.
REVIEW_LEAD_DAYS = 2


def default_title(client: Client, engagement: Engagement | None, day: dt.date) -> str:
    return f"Status report: {engagement or client}, {day.day} {day:%B %Y}"[:MAX_TITLE]


def _check_subject(client: Client, engagement: Engagement | None) -> None:
    if engagement is not None:
        if engagement.client_id != client.pk:
            raise DomainError(f"{engagement} is not an engagement of {client}.", field="engagement")
        if engagement.status not in selectors.REPORTABLE:
            raise DomainError(
                f"{engagement} is {engagement.get_status_display().lower()}: there is no work "
                "to report on yet.",
                field="engagement",
            )
    elif not selectors.reported_engagements(client, None):
        raise DomainError(f"{client} has no active engagement to report on.", field="client")


def _figures(report: StatusReport, as_of: dt.date) -> None:
    """Re-read the period and the figures from the live facts, as of ``as_of``."""
    report.period_start = selectors.period_start(report.client, report.engagement, as_of)
    report.period_end = as_of
    report.snapshot = selectors.build_snapshot(
        report.client, report.engagement, since=report.period_start, as_of=as_of
    )


@transaction.atomic
def draft_report(
    client: Client,
    *,
    engagement: Engagement | None = None,
    by: User | None,
    today: dt.date | None = None,
    cadence_due_on: dt.date | None = None,
) -> StatusReport:
    """A draft on ``engagement`` (or on all of ``client``'s current engagements), its
    narrative written from the figures."""
    _check_subject(client, engagement)
    today = today or local_today(client.workspace)
    report = StatusReport(
        workspace=client.workspace,
        client=client,
        engagement=engagement,
        title=default_title(client, engagement, today),
        created_by=by,
        cadence_due_on=cadence_due_on,
    )
    _figures(report, today)
    report.drafted_narrative = report.narrative = draft_narrative(report.snapshot)
    report.save()
    record_audit(client.workspace, by, "status_report.drafted", report)
    return report


def _check_draft(report: StatusReport) -> None:
    if not report.is_draft:
        raise DomainError("This report was sent: it can no longer change.", field="status")


@transaction.atomic
def update_report(
    report: StatusReport, *, by: User | None, narrative: str | None = None, title: str | None = None
) -> StatusReport:
    """Edit a draft's narrative (and title) before it is sent."""
    _check_draft(report)
    changes: dict[str, Any] = {}
    if narrative is not None:
        narrative = narrative.replace("\r\n", "\n").strip()
        if not narrative:
            raise DomainError(
                "Write the narrative, or redraft it from the figures.", field="narrative"
            )
        if len(narrative) > MAX_NARRATIVE:
            raise DomainError(
                f"Keep the narrative under {MAX_NARRATIVE:,} characters.", field="narrative"
            )
        if narrative != report.narrative:
            changes["narrative"] = "edited"
            report.narrative = narrative
    if title is not None:
        title = title.strip()
        if not title:
            raise DomainError("Give the report a title.", field="title")
        if len(title) > MAX_TITLE:
            raise DomainError(f"Keep the title under {MAX_TITLE} characters.", field="title")
        if title != report.title:
            changes["title"] = [report.title, title]
            report.title = title
    if changes:
        report.updated_at = timezone.now()
        report.save()
        record_audit(report.workspace, by, "status_report.edited", report, changes)
    return report


@transaction.atomic
def refresh_report(
    report: StatusReport, *, by: User | None, redraft: bool = False, today: dt.date | None = None
) -> StatusReport:
    """Bring a draft's figures up to today; the narrative too, unless it was edited (or
    ``redraft`` asks to replace the edits)."""
    _check_draft(report)
    edited = report.narrative_edited
    _figures(report, today or local_today(report.workspace))
    report.drafted_narrative = draft_narrative(report.snapshot)
    if redraft or not edited:
        report.narrative = report.drafted_narrative
    report.updated_at = timezone.now()
    report.save()
    action = "status_report.redrafted" if redraft else "status_report.refreshed"
    record_audit(report.workspace, by, action, report)
    return report


@transaction.atomic
def delete_report(report: StatusReport, *, by: User | None) -> None:
    _check_draft(report)
    record_audit(report.workspace, by, "status_report.deleted", report)
    report.delete()


def _recipients(report: StatusReport, contacts: Sequence[Contact]) -> list[Contact]:
    if not contacts:
        raise DomainError("Choose at least one contact to send the report to.", field="recipients")
    strangers = [c for c in contacts if c.client_id != report.client_id]
    if strangers:
        raise DomainError(
            f"{strangers[0].name} is not a contact of {report.client}.", field="recipients"
        )
    return sorted(set(contacts), key=lambda c: (c.name, c.pk))


def send_report(
    report: StatusReport,
    *,
    by: User | None,
    contacts: Sequence[Contact],
    now: dt.datetime | None = None,
) -> StatusReport:
    """Freeze the figures as of today, e-mail the report (HTML, text and PDF) to ``contacts``
    and record it as a budget update to the client, which the cadence measures count.

    The e-mail is an outbox row written with the report: the worker sends it after commit."""
    _check_draft(report)
    chosen = _recipients(report, contacts)
    return _send(report.pk, by=by, contacts=chosen, now=now or timezone.now())


@transaction.atomic
def _send(pk: int, *, by: User | None, contacts: list[Contact], now: dt.datetime) -> StatusReport:
    report = (
        StatusReport.objects.select_for_update(of=("self",))
        .select_related("client", "engagement", "workspace")
        .get(pk=pk)
    )
    _check_draft(report)  # someone else may have sent it meanwhile
    edited = report.narrative_edited
    _figures(report, local_today(report.workspace))
    report.drafted_narrative = draft_narrative(report.snapshot)
    if not edited:
        report.narrative = report.drafted_narrative
    report.status, report.sent_at, report.sent_by = ReportStatus.SENT, now, by
    report.recipients = [{"name": c.name, "email": c.email} for c in contacts]
    report.updated_at = now
    message = mail.report_message(report, contacts, mail.report_pdf(report))
    tag(message, key=f"status-report:{report.pk}", workspace_id=report.workspace_id).send()
    report.interaction = communications.record_interaction(
        report.client,
        by=by,
        channel=Channel.EMAIL,
        direction=Direction.OUTBOUND,
        kind=InteractionKind.BUDGET_UPDATE,
        occurred_at=now,
        subject=report.title,
        summary=report.narrative,
        participants=[c.email for c in contacts],
        contact=contacts[0],
        person=by,
        source_key=f"status-report:{report.pk}",
    )
    report.save()
    record_audit(
        report.workspace,
        by,
        "status_report.sent",
        report,
        {"recipients": [c.email for c in contacts]},
    )
    publish(
        report.workspace_id,
        "report.sent",
        {
            "summary": f"“{report.title}” sent to {', '.join(c.name for c in contacts)}",
            "report_id": report.pk,
            "client_id": report.client_id,
            "client": report.client.name,
            "engagement_id": report.engagement_id,
            "title": report.title,
            "recipients": len(contacts),
            "sent_at": now.isoformat(),
        },
    )
    return report


# The cadence job


def draft_due_reports(today: dt.date | None = None) -> list[StatusReport]:
    """``draft_due_reports_in`` for every workspace whose plans set a budget-update cadence."""
    workspaces = Workspace.objects.filter(
        pk__in=CommunicationPlan.objects.filter(budget_update_days__isnull=False).values(
            "workspace_id"
        )
    )
    return [r for w in workspaces for r in draft_due_reports_in(w, today or local_today(w))]


def draft_due_reports_in(workspace: Workspace, today: dt.date) -> list[StatusReport]:
    """Draft a report for each active engagement whose client's budget update is due (within
    ``REVIEW_LEAD_DAYS``), and tell the account manager it awaits review. Never sends to the
    client. Running it again drafts nothing new: an engagement with a draft is skipped, and a
    draft answers one due date only."""
    drafted = _draft_due_in(workspace, today)
    _notify(drafted)
    return drafted


@task()
def draft_due_reports_task(workspace_id: int, period: str = "") -> int:
    """The periodic job (hourly, per workspace)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return len(draft_due_reports_in(workspace, local_today(workspace)))


def _due_dates(workspace: Workspace, today: dt.date) -> dict[int, dt.date]:
    """Client id → the day its next budget update is due, for those due soon or overdue."""
    kind = InteractionKind.BUDGET_UPDATE
    due: dict[int, dt.date] = {}
    for client_id, measures in cadence_measures(workspace, as_of=today).items():
        for m in measures:
            if m.kind == kind and m.days_since >= m.every_days - REVIEW_LEAD_DAYS:
                due[client_id] = today + dt.timedelta(days=m.every_days - m.days_since)
    return due


def _draft_due_in(workspace: Workspace, today: dt.date) -> list[StatusReport]:
    due = _due_dates(workspace, today)
    engagements = (
        Engagement.objects.for_workspace(workspace)
        .filter(
            client_id__in=list(due),
            client__status=ClientStatus.ACTIVE,
            status=EngagementStatus.ACTIVE,
        )
        .exclude(status_reports__status=ReportStatus.DRAFT)
        .select_related("client", "client__workspace", "client__account_manager", "lead")
        .order_by("pk")
    )
    drafted = []
    for engagement in engagements:
        try:
            with transaction.atomic():
                drafted.append(
                    draft_report(
                        engagement.client,
                        engagement=engagement,
                        by=None,
                        today=today,
                        cadence_due_on=due[engagement.client_id],
                    )
                )
        except IntegrityError:  # drafted for this due date already (by another worker)
            continue
    return drafted


def _notify(reports: list[StatusReport]) -> None:
    """One e-mail per reviewer (the account manager, else the engagement lead)."""
    by_person: defaultdict[User, list[StatusReport]] = defaultdict(list)
    for report in reports:
        engagement = report.engagement
        reviewer = report.client.account_manager or (engagement.lead if engagement else None)
        if reviewer is not None and reviewer.is_active:
            by_person[reviewer].append(report)
    base = settings.BASE_URL.rstrip("/")
    for person, items in by_person.items():
        body = render_to_string(
            "reports/email/drafts_ready.txt",
            {
                "person": person,
                "reports": [(r, base + reverse("reports:detail", args=[r.pk])) for r in items],
            },
        )
        many = len(items) > 1
        subject = (
            f"{len(items)} status reports await your review"
            if many
            else f"A status report awaits your review: {items[0].subject}"
        )
        key = "drafts-ready:" + ",".join(str(r.pk) for r in items)
        tag(
            EmailMessage(subject, body, to=[person.email]),
            key=key,
            workspace_id=items[0].workspace_id,
        ).send()
