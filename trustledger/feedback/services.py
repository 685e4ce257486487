"""Surveys: settings, campaigns, who gets invited when, sending, and answering through a link.

Answers and follow-ups (closing the loop) are in ``responses``; this module re-exports nothing
from it, so each use case has one home. Each state change is one transaction, audited; e-mail
goes out from background tasks enqueued when the transaction commits.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from trustledger.clients.models import Client, ClientStatus, Tier
from trustledger.core.outbox import tag
from trustledger.engagements.models import Engagement
from trustledger.feedback import mail, selectors, tasks
from trustledger.feedback.models import (
    MAX_EXTRA_QUESTIONS,
    CampaignClient,
    CampaignStatus,
    Schedule,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)
from trustledger.feedback.responses import NewResponse, record_response
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError, diff_fields, record_audit

SETTINGS_FIELDS = (
    "throttle_days",
    "reminder_after_days",
    "link_valid_days",
    "follow_up_business_days",
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(token: str) -> str:
    return django_settings.BASE_URL.rstrip("/") + reverse("survey", args=[token])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- settings ----------------------------------------------------------------------------------


@transaction.atomic
def update_survey_settings(workspace: Workspace, *, by: User | None, **data: Any) -> SurveySettings:
    current = selectors.survey_settings(workspace)
    reminder = data.get("reminder_after_days", current.reminder_after_days)
    if reminder and reminder >= data.get("link_valid_days", current.link_valid_days):
        raise DomainError(
            "Remind before the link expires (or set 0 for no reminder).",
            field="reminder_after_days",
        )
    row, _ = SurveySettings.objects.get_or_create(workspace=workspace)
    changes = diff_fields(row, {k: v for k, v in data.items() if k in SETTINGS_FIELDS})
    if changes:
        row.updated_at = timezone.now()
        row.save()
        record_audit(workspace, by, "survey_settings.updated", row, changes)
    return row


# --- campaigns ---------------------------------------------------------------------------------


def _clean_campaign(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    if "name" in data:
        data["name"] = data["name"].strip()
        if not data["name"]:
            raise DomainError("Give the campaign a name.", field="name")
    if "extra_questions" in data:
        questions = [q.strip() for q in data["extra_questions"] or [] if q and q.strip()]
        if len(questions) > MAX_EXTRA_QUESTIONS:
            raise DomainError(
                f"Ask at most {MAX_EXTRA_QUESTIONS} extra questions: short surveys get answers.",
                field="extra_questions",
            )
        data["extra_questions"] = questions
    if "audience_tiers" in data:
        tiers = list(dict.fromkeys(data["audience_tiers"] or []))
        if unknown := [t for t in tiers if t not in Tier.values]:
            raise DomainError(f"Unknown tier {unknown[0]!r}.", field="audience_tiers")
        data["audience_tiers"] = tiers
    return data


def _set_audience(campaign: SurveyCampaign, clients: Sequence[Client]) -> None:
    if any(c.workspace_id != campaign.workspace_id for c in clients):
        raise DomainError("Choose clients of this workspace.", field="audience_clients")
    campaign.audience_clients.set(clients, through_defaults={"workspace": campaign.workspace})


@transaction.atomic
def create_campaign(
    workspace: Workspace,
    *,
    by: User | None,
    audience_clients: Sequence[Client] = (),
    **data: Any,
) -> SurveyCampaign:
    data = _clean_campaign(workspace, data)
    data.pop("status", None)
    campaign = SurveyCampaign.objects.create(workspace=workspace, created_by=by, **data)
    _set_audience(campaign, audience_clients)
    record_audit(workspace, by, "survey_campaign.created", campaign)
    return campaign


@transaction.atomic
def update_campaign(
    campaign: SurveyCampaign,
    *,
    by: User | None,
    audience_clients: Sequence[Client] | None = None,
    **data: Any,
) -> SurveyCampaign:
    data = _clean_campaign(campaign.workspace, data)
    if "status" in data and data["status"] != campaign.status:
        raise DomainError("Launch or pause the campaign with its own action.", field="status")
    data.pop("status", None)
    changes = diff_fields(campaign, data)
    if audience_clients is not None:
        before = set(
            CampaignClient.objects.filter(campaign=campaign).values_list("client_id", flat=True)
        )
        after = {c.pk for c in audience_clients}
        if before != after:
            _set_audience(campaign, audience_clients)
            changes["audience_clients"] = [sorted(before), sorted(after)]
    if changes:
        if campaign.status == CampaignStatus.ACTIVE and "starts_on" in changes:
            campaign.next_run_on = _first_run(campaign, timezone.localdate())
        campaign.save()
        record_audit(campaign.workspace, by, "survey_campaign.updated", campaign, changes)
    return campaign


def _first_run(campaign: SurveyCampaign, today: dt.date) -> dt.date | None:
    if campaign.schedule == Schedule.AFTER_ENGAGEMENT:
        return None  # runs on every tick, for engagements closed since it started
    if campaign.schedule == Schedule.ONCE and campaign.last_run_on:
        return None
    return max(campaign.starts_on, today)


@transaction.atomic
def launch_campaign(
    campaign: SurveyCampaign, *, by: User | None, now: dt.datetime | None = None
) -> list[SurveyInvitation]:
    """Activate the campaign; when its first run is due today, invite its audience now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if campaign.status == CampaignStatus.ACTIVE:
        raise DomainError("The campaign is already active.", field="status")
    if campaign.schedule == Schedule.ONCE and campaign.last_run_on:
        raise DomainError("This one-off campaign has already been sent.", field="status")
    old = campaign.status
    campaign.status = CampaignStatus.ACTIVE
    campaign.next_run_on = _first_run(campaign, today)
    campaign.save(update_fields=["status", "next_run_on"])
    record_audit(
        campaign.workspace, by, "survey_campaign.launched", campaign, {"status": [old, "active"]}
    )
    if campaign.schedule == Schedule.AFTER_ENGAGEMENT or (
        campaign.next_run_on and campaign.next_run_on <= today
    ):
        return run_campaign(campaign, now=now)
    return []


@transaction.atomic
def pause_campaign(campaign: SurveyCampaign, *, by: User | None) -> SurveyCampaign:
    if campaign.status != CampaignStatus.ACTIVE:
        raise DomainError("Only an active campaign can be paused.", field="status")
    campaign.status = CampaignStatus.PAUSED
    campaign.save(update_fields=["status"])
    record_audit(
        campaign.workspace, by, "survey_campaign.paused", campaign, {"status": ["active", "paused"]}
    )
    return campaign


# --- inviting ----------------------------------------------------------------------------------


@transaction.atomic
def run_campaign(
    campaign: SurveyCampaign, *, now: dt.datetime | None = None
) -> list[SurveyInvitation]:
    """Invite every eligible contact of the audience (throttled, opted-out left out).

    The invitations are created here; the e-mails go out from one task each once this commits.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    locked = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != CampaignStatus.ACTIVE:
        return []
    if locked.schedule == Schedule.AFTER_ENGAGEMENT:
        invitations = _invite_after_engagements(locked, now)
    else:
        if locked.next_run_on is None or locked.next_run_on > today:
            return []
        contacts = list(selectors.eligible_contacts(locked, now=now))
        invitations = SurveyInvitation.objects.bulk_create(
            SurveyInvitation(
                workspace_id=locked.workspace_id,
                campaign=locked,
                contact=contact,
                client_id=contact.client_id,
                created_at=now,
            )
            for contact in contacts
        )
        locked.last_run_on = today
        locked.next_run_on = (
            add_months(locked.next_run_on, locked.interval_months)
            if locked.schedule == Schedule.RECURRING
            else None
        )
        locked.save(update_fields=["last_run_on", "next_run_on"])
        campaign.last_run_on, campaign.next_run_on = locked.last_run_on, locked.next_run_on
    if invitations:
        record_audit(
            locked.workspace,
            None,
            "survey_campaign.run",
            locked,
            {"invited": [None, len(invitations)]},
        )
    tasks.schedule_invitations([i.pk for i in invitations])
    return invitations


def _invite_after_engagements(campaign: SurveyCampaign, now: dt.datetime) -> list[SurveyInvitation]:
    """Contacts of each engagement closed since the campaign started, ``delay_days`` after."""
    today = timezone.localdate(now)
    engagements = (
        Engagement.objects.for_workspace(campaign.workspace)
        .filter(
            status="closed",
            closed_on__gte=campaign.starts_on,
            closed_on__lte=today - dt.timedelta(days=campaign.delay_days),
            client__status=ClientStatus.ACTIVE,
        )
        .filter(selectors.audience_filter(campaign, prefix="client__"))
        .exclude(pk__in=SurveyInvitation.objects.filter(campaign=campaign).values("engagement_id"))
    )
    invitations = []
    surveyed = set(selectors.recently_surveyed_contact_ids(campaign.workspace, now=now))
    for engagement in engagements.select_related("client"):
        for contact in engagement.client.contacts.filter(survey_opt_out=False):
            if contact.pk in surveyed:
                continue
            surveyed.add(contact.pk)
            invitations.append(
                SurveyInvitation(
                    workspace_id=campaign.workspace_id,
                    campaign=campaign,
                    contact=contact,
                    client_id=contact.client_id,
                    engagement=engagement,
                    created_at=now,
                )
            )
    campaign.last_run_on = today
    campaign.save(update_fields=["last_run_on"])
    return SurveyInvitation.objects.bulk_create(invitations)


def run_due_surveys(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """What a scheduler calls (``manage.py send_surveys``): due campaigns, then due reminders.

    Returns (invitations created, reminders queued).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = SurveyCampaign.objects.filter(status=CampaignStatus.ACTIVE).filter(
        Q(schedule=Schedule.AFTER_ENGAGEMENT) | Q(next_run_on__lte=today)
    )
    invited = sum(len(run_campaign(c, now=now)) for c in due.select_related("workspace"))
    return invited, queue_due_reminders(now=now)


@transaction.atomic
def queue_due_reminders(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    ids = list(selectors.due_reminders(now=now).values_list("pk", flat=True))
    tasks.schedule_reminders(ids)
    return len(ids)


# --- sending (called by the tasks) -------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    invitation: SurveyInvitation
    token: str


def send_invitation(invitation_id: int, *, now: dt.datetime | None = None) -> Sent | None:
    """Queue the invitation's e-mail once, with a fresh token; None when it is not (or no
    longer) due.

    The token, the mark and the e-mail (an outbox row keyed by the invitation) are written in
    one transaction, so a retried or duplicated task never mails twice and a killed worker loses
    nothing: the outbox delivers it. Mail that fails for good is unmarked (``feedback.mail``).
    """
    return _queue(invitation_id, now=now or timezone.now(), reminder=False)


def send_reminder(invitation_id: int, *, now: dt.datetime | None = None) -> Sent | None:
    """The one reminder, with a token of its own (the first e-mail's link keeps working)."""
    return _queue(invitation_id, now=now or timezone.now(), reminder=True)


@transaction.atomic
def _queue(invitation_id: int, *, now: dt.datetime, reminder: bool) -> Sent | None:
    claimed = _claim(invitation_id, now=now, reminder=reminder)
    if claimed is None:
        return None
    invitation = claimed.invitation
    kind = "survey_reminder" if reminder else "survey_invitation"
    message = mail.invitation_message(invitation, survey_link(claimed.token), reminder=reminder)
    tag(
        message,
        key=f"{kind}:{invitation.pk}",
        workspace_id=invitation.workspace_id,
        topic=kind,
        subject_id=invitation.pk,
    ).send()
    return claimed


def _claim(invitation_id: int, *, now: dt.datetime, reminder: bool) -> Sent | None:
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))  # PostgreSQL: not the joins
        .select_related("contact", "campaign", "client__account_manager", "workspace")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.answered_at or invitation.skipped_reason:
        return None
    if invitation.contact.survey_opt_out:
        if not invitation.sent_at:
            invitation.skipped_reason = "The contact opted out of surveys."
            invitation.save(update_fields=["skipped_reason"])
        return None
    token = secrets.token_urlsafe(32)
    if reminder:
        if not selectors.reminder_due(invitation, now=now):
            return None
        invitation.reminder_token_hash, invitation.reminded_at = hash_token(token), now
    else:
        if invitation.sent_at:
            return None
        days = selectors.survey_settings(invitation.workspace).link_valid_days
        invitation.token_hash, invitation.sent_at = hash_token(token), now
        invitation.expires_at = now + dt.timedelta(days=days)
    invitation.save()
    return Sent(invitation, token)


# --- the survey page ---------------------------------------------------------------------------


def find_invitation(token: str) -> SurveyInvitation | None:
    """The invitation a link's token belongs to (first e-mail or reminder), or None."""
    if not token or len(token) > 100:
        return None
    digest = hash_token(token)
    return (
        SurveyInvitation.objects.select_related("campaign", "contact", "workspace")
        .filter(Q(token_hash=digest) | Q(reminder_token_hash=digest))
        .first()
    )


def mark_opened(invitation: SurveyInvitation, *, now: dt.datetime | None = None) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = now or timezone.now()
        SurveyInvitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=invitation.opened_at
        )


class SurveyClosed(DomainError):
    """The link expired before an answer arrived."""


def submit_answer(
    invitation: SurveyInvitation,
    *,
    score: int,
    comment: str = "",
    extra_answers: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """Record the contact's answer once; a second submit returns the first answer, unchanged."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
            existing = SurveyResponse.objects.filter(invitation=locked).first()
            if existing is not None:
                return existing
            if locked.is_expired(now):
                raise SurveyClosed("This survey link has expired.")
            locked.answered_at = now
            locked.opened_at = locked.opened_at or now
            locked.save(update_fields=["answered_at", "opened_at"])
            return record_response(
                NewResponse(
                    client=invitation.client,
                    score=score,
                    comment=comment,
                    answered_at=now,
                    contact=invitation.contact,
                    respondent=invitation.contact.name,
                    campaign=invitation.campaign,
                    invitation=locked,
                    engagement=invitation.engagement,
                    extra_answers=extra_answers or {},
                ),
                by=None,
                now=now,
            )
    except IntegrityError:  # a simultaneous submit won the race: its answer stands
        return SurveyResponse.objects.get(invitation_id=invitation.pk)


@transaction.atomic
def opt_out(invitation: SurveyInvitation) -> None:
    """The contact asks never to be surveyed again (from the link in their e-mail)."""
    contact = invitation.contact
    if not contact.survey_opt_out:
        contact.survey_opt_out = True
        contact.save(update_fields=["survey_opt_out"])
        record_audit(
            invitation.workspace,
            None,
            "contact.survey_opt_out",
            contact,
            {"survey_opt_out": [False, True]},
            actor_label=f"{contact.name} (survey link)",
        )
