"""State changes of engagements and their delivery facts: one transaction each, audited.

Transitions that the rules refuse raise ``DomainError`` with the field concerned, which pages and
the API show next to that field. Every date a person states (delivered, told, signed, decided...)
is a claim: none may be after today in the workspace's time zone (``core.claims``), and the
delivery and decision that move the index keep when they were recorded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.core.claims import refuse_future_day
from trustledger.core.clock import local_today
from trustledger.core.events import publish
from trustledger.core.facts import announce
from trustledger.engagements.models import (
    Assignment,
    ChangeRequest,
    ChangeRequestStatus,
    Deliverable,
    DeliverableReview,
    DeliverableStatus,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneStatus,
    Notice,
    QualityIssue,
    Responsibility,
    ReviewOutcome,
    ScopeItem,
    Side,
    SuccessCriterion,
    TimeEntry,
)
from trustledger.engagements.time_scope import reclassify_after_new_scope_item
from trustledger.workspaces.models import Membership, User
from trustledger.workspaces.permissions import Action, can
from trustledger.workspaces.services import DomainError, diff_fields, record_audit

S = EngagementStatus


def _audit(
    workspace: Any, by: User | None, action: str, obj: Any, changes: dict[str, Any] | None = None
) -> None:
    """Audit a change to an engagement fact and announce it (the client's index, analytics)."""
    record_audit(workspace, by, action, obj, changes)
    engagement = obj if isinstance(obj, Engagement) else obj.engagement
    announce(
        engagement.workspace_id,
        [engagement.client_id],
        obj._meta.model_name,
        engagement_ids=[engagement.pk],
    )


# Which status may follow which. Closing and cancelling are final.
TRANSITIONS: dict[str, set[str]] = {
    S.PROPOSED: {S.ACTIVE, S.CANCELLED},
    S.ACTIVE: {S.ON_HOLD, S.CLOSED, S.CANCELLED},
    S.ON_HOLD: {S.ACTIVE, S.CANCELLED},
    S.CLOSED: set(),
    S.CANCELLED: set(),
}


def _check_dates(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise DomainError("The end date must not be before the start date.", field="end_date")


def _check_member(engagement_or_client: Any, user: User | None, field: str) -> None:
    if (
        user is not None
        and not Membership.objects.filter(
            workspace_id=engagement_or_client.workspace_id, user=user
        ).exists()
    ):
        raise DomainError("Choose a member of this workspace.", field=field)


@transaction.atomic
def create_engagement(client: Client, *, by: User | None, **data: Any) -> Engagement:
    """A new engagement starts as proposed, whatever is asked: activation has its own rules."""
    data.pop("status", None)
    _check_dates(data["start_date"], data["end_date"])
    _check_member(client, data.get("lead"), "lead")
    engagement = Engagement.objects.create(workspace=client.workspace, client=client, **data)
    _audit(client.workspace, by, "engagement.created", engagement)
    return engagement


@transaction.atomic
def update_engagement(engagement: Engagement, *, by: User | None, **data: Any) -> Engagement:
    if "status" in data and data["status"] != engagement.status:
        raise DomainError("Change the status with its own action.", field="status")
    data.pop("status", None)
    _check_dates(
        data.get("start_date", engagement.start_date), data.get("end_date", engagement.end_date)
    )
    if "lead" in data:
        _check_member(engagement, data["lead"], "lead")
    changes = diff_fields(engagement, data)
    if changes:
        engagement.save()
        _audit(engagement.workspace, by, "engagement.updated", engagement, changes)
    return engagement


@transaction.atomic
def sign_off_charter(
    engagement: Engagement, *, contact: Contact, on: dt.date, by: User | None
) -> Engagement:
    if contact.client_id != engagement.client_id:
        raise DomainError("The sign-off must come from a contact of this client.", field="contact")
    refuse_future_day(engagement.workspace, on, field="signed_off_on", what="The sign-off")
    if not engagement.scope_items.exists():
        raise DomainError(
            "Add the scope first: the client signs off what the engagement promises, and a "
            "charter without scope promises nothing."
        )
    engagement.signed_off_by, engagement.signed_off_on = contact, on
    engagement.save(update_fields=["signed_off_by", "signed_off_on"])
    _audit(
        engagement.workspace,
        by,
        "engagement.charter_signed",
        engagement,
        {"signed_off_by": [None, contact.name], "signed_off_on": [None, on.isoformat()]},
    )
    return engagement


@transaction.atomic
def change_status(
    engagement: Engagement,
    status: str,
    *,
    by: User | None,
    on: dt.date | None = None,
    override_reason: str = "",
) -> Engagement:
    """Move an engagement along its life cycle, enforcing the charter and close rules.

    Activating without a client-signed charter needs a leader or owner and a reason; the override
    is audited as such, and with a signed charter the work cannot start before the sign-off.
    Closing needs every success criterion assessed (met or not). ``on`` defaults to today.
    """
    on = on or local_today(engagement.workspace)
    refuse_future_day(engagement.workspace, on, field="on", what="The date of the change")
    old = engagement.status
    if status not in TRANSITIONS.get(old, set()):
        raise DomainError(
            f"An engagement that is {engagement.get_status_display().lower()} cannot become "
            f"{EngagementStatus(status).label.lower()}.",
            field="status",
        )
    action = f"engagement.{status}"
    if status == S.ACTIVE and old == S.PROPOSED and not engagement.charter_signed:
        _authorise_override(engagement, by, override_reason)
        action = "engagement.activated_without_signoff"
    elif status == S.ACTIVE and old == S.PROPOSED:
        _check_after_sign_off(engagement, on)
    if status == S.CLOSED and engagement.success_criteria.filter(met__isnull=True).exists():
        raise DomainError(
            "Record whether each success criterion was met before closing.", field="status"
        )
    engagement.status = status
    if status == S.ACTIVE and engagement.activated_on is None:
        engagement.activated_on = on
    if status in (S.CLOSED, S.CANCELLED):
        engagement.closed_on = on
    engagement.save()
    changes: dict[str, Any] = {"status": [old, status]}
    if override_reason:
        changes["override_reason"] = [None, override_reason]
    _audit(engagement.workspace, by, action, engagement, changes)
    return engagement


def _check_after_sign_off(engagement: Engagement, on: dt.date) -> None:
    signed = engagement.signed_off_on
    if signed is not None and on < signed:
        raise DomainError(
            f"The work cannot start before the client signed off the charter, on "
            f"{signed.day} {signed:%b %Y}.",
            field="on",
        )


def _authorise_override(engagement: Engagement, by: User | None, reason: str) -> None:
    membership = (
        Membership.objects.filter(workspace_id=engagement.workspace_id, user=by).first()
        if by is not None
        else None
    )
    if not can(membership, Action.OVERRIDE):
        raise DomainError(
            "The client has not signed off the charter. Only a leader or owner can start the "
            "work without it.",
            field="status",
        )
    if not reason.strip():
        raise DomainError(
            "Say why the work starts without the client's sign-off.", field="override_reason"
        )


@transaction.atomic
def add_scope_item(
    engagement: Engagement, *, title: str, description: str = "", by: User | None
) -> ScopeItem:
    item = ScopeItem.objects.create(
        workspace=engagement.workspace, engagement=engagement, title=title, description=description
    )
    _audit(engagement.workspace, by, "scope_item.added", item)
    reclassify_after_new_scope_item(item)
    return item


@transaction.atomic
def add_success_criterion(
    engagement: Engagement, *, description: str, target: str = "", by: User | None
) -> SuccessCriterion:
    criterion = SuccessCriterion.objects.create(
        workspace=engagement.workspace,
        engagement=engagement,
        description=description,
        target=target,
    )
    _audit(engagement.workspace, by, "success_criterion.added", criterion)
    return criterion


@transaction.atomic
def assess_success_criterion(
    criterion: SuccessCriterion, *, met: bool, on: dt.date, by: User | None
) -> SuccessCriterion:
    refuse_future_day(criterion.workspace, on, field="assessed_on", what="The assessment")
    old = criterion.met
    criterion.met, criterion.assessed_on = met, on
    criterion.save(update_fields=["met", "assessed_on"])
    _audit(criterion.workspace, by, "success_criterion.assessed", criterion, {"met": [old, met]})
    return criterion


@transaction.atomic
def assign_person(
    engagement: Engagement, *, person: User, weekly_hours: Decimal, by: User | None
) -> Assignment:
    _check_member(engagement, person, "person")
    assignment, _ = Assignment.objects.update_or_create(
        engagement=engagement,
        person=person,
        defaults={"workspace": engagement.workspace, "weekly_hours": weekly_hours},
    )
    _audit(
        engagement.workspace,
        by,
        "assignment.set",
        assignment,
        {"weekly_hours": [None, str(weekly_hours)]},
    )
    return assignment


@transaction.atomic
def add_milestone(engagement: Engagement, *, by: User | None, **data: Any) -> Milestone:
    milestone = Milestone.objects.create(
        workspace=engagement.workspace, engagement=engagement, **data
    )
    _audit(engagement.workspace, by, "milestone.added", milestone)
    return milestone


@transaction.atomic
def update_milestone(milestone: Milestone, *, by: User | None, **data: Any) -> Milestone:
    """Edit a milestone. The committed date is the promise: move it only through a notice."""
    if "committed_date" in data and data["committed_date"] != milestone.committed_date:
        raise DomainError(
            "The committed date is what the client was promised. Record a slip notice with the "
            "new date instead.",
            field="committed_date",
        )
    if data.get("status") == MilestoneStatus.DELIVERED and not (
        data.get("delivered_on") or milestone.delivered_on
    ):
        raise DomainError("Say when it was delivered.", field="delivered_on")
    refuse_future_day(
        milestone.workspace, data.get("delivered_on"), field="delivered_on", what="The delivery"
    )
    changes = diff_fields(milestone, data)
    if "delivered_on" in changes:  # a new claim counts from now
        milestone.delivery_recorded_at = timezone.now() if milestone.delivered_on else None
    if changes:
        milestone.save()
        _audit(milestone.workspace, by, "milestone.updated", milestone, changes)
    return milestone


@transaction.atomic
def deliver_milestone(milestone: Milestone, *, on: dt.date, by: User | None) -> Milestone:
    if milestone.status == MilestoneStatus.DELIVERED:
        raise DomainError("This milestone is already delivered.", field="status")
    if milestone.status == MilestoneStatus.CANCELLED:
        raise DomainError("A cancelled milestone cannot be delivered.", field="status")
    refuse_future_day(milestone.workspace, on, field="delivered_on", what="The delivery")
    milestone.status, milestone.delivered_on = MilestoneStatus.DELIVERED, on
    milestone.delivery_recorded_at = timezone.now()
    milestone.save(update_fields=["status", "delivered_on", "delivery_recorded_at"])
    _audit(
        milestone.workspace,
        by,
        "milestone.delivered",
        milestone,
        {"delivered_on": [None, on.isoformat()], "days_late": [None, milestone.days_late]},
    )
    return milestone


@transaction.atomic
def add_deliverable(engagement: Engagement, *, by: User | None, **data: Any) -> Deliverable:
    milestone = data.get("milestone")
    if milestone is not None and milestone.engagement_id != engagement.pk:
        raise DomainError("Choose a milestone of this engagement.", field="milestone")
    deliverable = Deliverable.objects.create(
        workspace=engagement.workspace, engagement=engagement, **data
    )
    _audit(engagement.workspace, by, "deliverable.added", deliverable)
    return deliverable


@transaction.atomic
def submit_deliverable(deliverable: Deliverable, *, on: dt.date, by: User | None) -> Deliverable:
    if deliverable.status not in (DeliverableStatus.PLANNED, DeliverableStatus.RETURNED):
        raise DomainError(
            "Only a planned or returned deliverable can go to review.", field="status"
        )
    refuse_future_day(
        deliverable.workspace, on, field="submitted_on", what="The day it went to the client"
    )
    deliverable.status, deliverable.submitted_on = DeliverableStatus.IN_REVIEW, on
    deliverable.save(update_fields=["status", "submitted_on"])
    _audit(deliverable.workspace, by, "deliverable.submitted", deliverable)
    return deliverable


@transaction.atomic
def record_review(
    deliverable: Deliverable, *, outcome: str, on: dt.date, reasons: str = "", by: User | None
) -> DeliverableReview:
    """The client's verdict on a deliverable in review; a return needs its reasons."""
    if deliverable.status != DeliverableStatus.IN_REVIEW:
        raise DomainError("Submit the deliverable for review first.", field="outcome")
    if outcome == ReviewOutcome.RETURNED and not reasons.strip():
        raise DomainError("Say why the client sent it back.", field="reasons")
    refuse_future_day(deliverable.workspace, on, field="reviewed_on", what="The review")
    review = DeliverableReview.objects.create(
        workspace=deliverable.workspace,
        deliverable=deliverable,
        outcome=outcome,
        reviewed_on=on,
        reasons=reasons,
    )
    if outcome == ReviewOutcome.ACCEPTED:
        deliverable.status, deliverable.accepted_on = DeliverableStatus.ACCEPTED, on
    else:
        deliverable.status = DeliverableStatus.RETURNED
    deliverable.save(update_fields=["status", "accepted_on"])
    _audit(
        deliverable.workspace,
        by,
        f"deliverable.{outcome}",
        deliverable,
        {"reasons": [None, reasons]} if reasons else None,
    )
    return review


@transaction.atomic
def record_notice(engagement: Engagement, *, by: User | None, **data: Any) -> Notice:
    """Record that the client was told of a slip (new date) or an overrun (new cost).

    A slip notice for a milestone also moves its forecast date; the committed date stays, so
    the index can tell a late-but-announced milestone from a surprise. The index counts the
    notice from the later of ``sent_on`` and today (``recorded_at``): dating it earlier earns
    no lead time.
    """
    milestone: Milestone | None = data.get("milestone")
    if milestone is not None and milestone.engagement_id != engagement.pk:
        raise DomainError("Choose a milestone of this engagement.", field="milestone")
    if data["kind"] == "slip" and not data.get("new_date"):
        raise DomainError("A slip notice gives the new date.", field="new_date")
    if data["kind"] == "overrun" and data.get("new_cost") is None:
        raise DomainError("An overrun notice gives the new expected cost.", field="new_cost")
    refuse_future_day(
        engagement.workspace, data["sent_on"], field="sent_on", what="The day the client was told"
    )
    notice = Notice.objects.create(workspace=engagement.workspace, engagement=engagement, **data)
    if milestone is not None and notice.new_date:
        milestone.forecast_date = notice.new_date
        milestone.save(update_fields=["forecast_date"])
    _audit(engagement.workspace, by, f"notice.{notice.kind}", notice)
    return notice


def _check_time(engagement: Engagement, data: dict[str, Any]) -> None:
    """What logging and editing time both refuse: another engagement's work, impossible hours,
    a rate below zero, no day."""
    for field in ("scope_item", "change_request"):
        target = data.get(field)
        if target is not None and target.engagement_id != engagement.pk:
            raise DomainError("Choose one of this engagement's.", field=field)
    if "hours" in data and (data["hours"] is None or not 0 < data["hours"] <= 24):
        raise DomainError("Hours must be more than 0 and at most 24.", field="hours")
    for field in ("cost_rate", "bill_rate"):
        if field in data and (data[field] is None or data[field] < 0):
            raise DomainError("A rate cannot be below zero.", field=field)
    if "date" in data and data["date"] is None:
        raise DomainError("Say which day the work was done.", field="date")


@transaction.atomic
def log_time(engagement: Engagement, *, by: User | None, **data: Any) -> TimeEntry:
    _check_time(engagement, data)
    entry = TimeEntry.objects.create(workspace=engagement.workspace, engagement=engagement, **data)
    _audit(engagement.workspace, by, "time.logged", entry)
    return entry


TIME_EDITABLE = frozenset(
    {"date", "hours", "person", "person_name", "cost_rate", "bill_rate", "note"}
    | {"scope_item", "change_request"}
)


@transaction.atomic
def update_time_entry(entry: TimeEntry, *, by: User | None, **data: Any) -> TimeEntry:
    """Correct logged time, checked as when it was logged, audited with what changed.

    The one place an entry changes: keep every edit going through here (it is where a new
    version of the fact would be written)."""
    unknown = set(data) - TIME_EDITABLE
    if unknown:
        raise DomainError(f"{sorted(unknown)[0]} cannot be changed.", field=sorted(unknown)[0])
    _check_time(entry.engagement, data)
    if data.get("person") is not None and "person_name" not in data:
        data["person_name"] = data["person"].get_full_name()
    changes = diff_fields(entry, data)
    if changes:
        entry.save(update_fields=[*changes])
        _audit(entry.workspace, by, "time.updated", entry, changes)
    return entry


@transaction.atomic
def delete_time_entry(entry: TimeEntry, *, by: User | None) -> None:
    """Remove logged time (booked by mistake); the audit log keeps what it was."""
    kept = {
        "date": [entry.date.isoformat(), None],
        "hours": [str(entry.hours), None],
        "person": [entry.person_name or str(entry.person_id or ""), None],
    }
    _audit(entry.workspace, by, "time.deleted", entry, kept)
    entry.delete()


@transaction.atomic
def create_change_request(engagement: Engagement, *, by: User | None, **data: Any) -> ChangeRequest:
    data.pop("status", None)
    cr = ChangeRequest.objects.create(workspace=engagement.workspace, engagement=engagement, **data)
    _audit(engagement.workspace, by, "change_request.created", cr)
    return cr


@transaction.atomic
def submit_change_request(cr: ChangeRequest, *, on: dt.date, by: User | None) -> ChangeRequest:
    if cr.status != ChangeRequestStatus.DRAFT:
        raise DomainError("Only a draft can be submitted.", field="status")
    refuse_future_day(cr.workspace, on, field="submitted_on", what="The submission")
    cr.status, cr.submitted_on = ChangeRequestStatus.SUBMITTED, on
    cr.save(update_fields=["status", "submitted_on"])
    _audit(cr.workspace, by, "change_request.submitted", cr)
    return cr


@transaction.atomic
def decide_change_request(
    cr: ChangeRequest,
    *,
    approve: bool,
    decided_by: Contact,
    on: dt.date,
    note: str = "",
    by: User | None,
) -> ChangeRequest:
    """Record the client's decision. Approval moves the engagement's budget and end date by the
    request's impact, and adds a scope item for it, in the same transaction."""
    if cr.status != ChangeRequestStatus.SUBMITTED:
        raise DomainError("Only a submitted change request can be decided.", field="status")
    engagement = Engagement.objects.select_for_update().get(pk=cr.engagement_id)
    if decided_by.client_id != engagement.client_id:
        raise DomainError(
            "The decision must come from a contact of this client.", field="decided_by"
        )
    refuse_future_day(engagement.workspace, on, field="decided_on", what="The decision")
    cr.status = ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.REJECTED
    cr.decided_on, cr.decided_by, cr.decision_note = on, decided_by, note
    cr.decision_recorded_at = timezone.now()
    cr.save(
        update_fields=[
            "status",
            "decided_on",
            "decided_by",
            "decision_note",
            "decision_recorded_at",
        ]
    )
    changes: dict[str, Any] = {
        "status": ["submitted", cr.status],
        "decided_by": [None, decided_by.name],
    }
    if approve:
        changes |= diff_fields(
            engagement,
            {
                "budget_hours": engagement.budget_hours + cr.effort_hours,
                "budget_amount": engagement.budget_amount + cr.cost_impact,
                "end_date": engagement.end_date + dt.timedelta(days=cr.schedule_impact_days),
            },
        )
        engagement.save(update_fields=["budget_hours", "budget_amount", "end_date"])
        item = ScopeItem.objects.create(
            workspace=engagement.workspace,
            engagement=engagement,
            title=cr.title,
            description=cr.description,
            change_request=cr,
        )
        reclassify_after_new_scope_item(item)
    _audit(cr.workspace, by, f"change_request.{cr.status}", cr, changes)
    client = engagement.client.name
    publish(
        cr.workspace_id,
        "change_request.decided",
        {
            "summary": f"{client}: “{cr.title}” {cr.status} by {decided_by.name}",
            "change_request_id": cr.pk,
            "engagement_id": engagement.pk,
            "engagement": engagement.name,
            "client_id": engagement.client_id,
            "client": client,
            "title": cr.title,
            "decision": cr.status,
            "decided_by": decided_by.name,
            "decided_on": on.isoformat(),
            "note": note,
            "effort_hours": str(cr.effort_hours),
            "cost_impact": str(cr.cost_impact),
            "schedule_impact_days": cr.schedule_impact_days,
        },
    )
    return cr


@transaction.atomic
def withdraw_change_request(cr: ChangeRequest, *, by: User | None) -> ChangeRequest:
    if cr.status not in (ChangeRequestStatus.DRAFT, ChangeRequestStatus.SUBMITTED):
        raise DomainError("A decided change request cannot be withdrawn.", field="status")
    old = cr.status
    cr.status = ChangeRequestStatus.WITHDRAWN
    cr.save(update_fields=["status"])
    _audit(cr.workspace, by, "change_request.withdrawn", cr, {"status": [old, cr.status]})
    return cr


@transaction.atomic
def record_quality_issue(engagement: Engagement, *, by: User | None, **data: Any) -> QualityIssue:
    deliverable = data.get("deliverable")
    if deliverable is not None and deliverable.engagement_id != engagement.pk:
        raise DomainError("Choose a deliverable of this engagement.", field="deliverable")
    refuse_future_day(
        engagement.workspace, data.get("opened_on"), field="opened_on", what="The day it was found"
    )
    issue = QualityIssue.objects.create(
        workspace=engagement.workspace, engagement=engagement, **data
    )
    _audit(engagement.workspace, by, "quality_issue.opened", issue)
    return issue


@transaction.atomic
def resolve_quality_issue(
    issue: QualityIssue, *, on: dt.date, root_cause: str, by: User | None
) -> QualityIssue:
    if issue.resolved_on is not None:
        raise DomainError("This issue is already resolved.", field="resolved_on")
    if on < issue.opened_on:
        raise DomainError("It cannot be resolved before it was opened.", field="resolved_on")
    refuse_future_day(issue.workspace, on, field="resolved_on", what="The resolution")
    issue.resolved_on, issue.root_cause = on, root_cause
    issue.save(update_fields=["resolved_on", "root_cause"])
    _audit(issue.workspace, by, "quality_issue.resolved", issue)
    return issue


@transaction.atomic
def add_responsibility(
    engagement: Engagement, *, side: str, person: str, role: str, by: User | None
) -> Responsibility:
    """Record who does what on either side of the engagement (the charter's roles)."""
    if side not in Side.values:
        raise DomainError("Choose our firm or the client.", field="side")
    if not person.strip():
        raise DomainError("Name the person.", field="person")
    responsibility = Responsibility.objects.create(
        workspace=engagement.workspace,
        engagement=engagement,
        side=side,
        person=person.strip(),
        role=role.strip(),
    )
    record_audit(engagement.workspace, by, "responsibility.added", responsibility)
    return responsibility


@transaction.atomic
def remove_responsibility(responsibility: Responsibility, *, by: User | None) -> None:
    """Take a role off the charter (someone left, or it was recorded wrongly)."""
    record_audit(responsibility.workspace, by, "responsibility.removed", responsibility)
    responsibility.delete()
