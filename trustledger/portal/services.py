"""State changes of the client portal: sign-in links, the firm's sharing choices, and what a
contact does there (decide a change request, ask a question, give feedback).

Whatever a contact does goes through the same service the firm uses for it, so budgets move,
SLA clocks run and answers are analysed exactly as they do for the firm; the audit entry then
names the contact (``actor_label``), since no firm member acted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.communications import services as communications
from trustledger.communications.models import Channel, Direction, Inquiry, Source
from trustledger.core.clock import local_today
from trustledger.core.events import publish
from trustledger.core.outbox import tag
from trustledger.engagements import services as engagements
from trustledger.engagements.models import ChangeRequest, Engagement
from trustledger.feedback.models import ResponseSource, SurveyResponse
from trustledger.feedback.responses import NewResponse, record_response
from trustledger.portal.models import ClientPortal, ContactAccess, MagicLink, SignInRequest
from trustledger.workspaces.models import AuditEntry, User
from trustledger.workspaces.services import DomainError, diff_fields, record_audit

SIGN_IN_TTL = dt.timedelta(minutes=15)
# An invitation sent by the firm waits in an inbox longer than a link the contact just asked for.
INVITATION_TTL = dt.timedelta(days=3)
RATE_WINDOW = dt.timedelta(hours=1)
RATE_LIMIT = 5  # link requests per e-mail address, and per IP address, per hour
QUESTION_MAX = 5000


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_label(contact: Contact) -> str:
    return f"{contact.name} (client portal)"


def may_sign_in(contact: Contact) -> bool:
    """The contact's client has the portal on, and the firm has not barred the contact."""
    portal = ClientPortal.objects.filter(client_id=contact.client_id).only("enabled").first()
    if portal is None or not portal.enabled:
        return False
    access = ContactAccess.objects.filter(contact=contact).only("may_sign_in").first()
    return access is None or access.may_sign_in


# --- rate limit ---------------------------------------------------------------------------------


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def allow_request(email: str, ip: str, *, now: dt.datetime | None = None) -> bool:
    """Count this link request against its e-mail and IP; False once either had its fill.

    A refused request is not counted, so a flood cannot lock an address out for longer than an
    hour after it stops.
    """
    now = now or timezone.now()
    keys = [_key("email", email.strip().lower())] + ([_key("ip", ip)] if ip else [])
    with transaction.atomic():
        SignInRequest.objects.filter(created_at__lt=now - RATE_WINDOW).delete()
        for key in keys:
            if (
                SignInRequest.objects.filter(key=key, created_at__gte=now - RATE_WINDOW).count()
                >= RATE_LIMIT
            ):
                return False
        SignInRequest.objects.bulk_create(SignInRequest(key=k, created_at=now) for k in keys)
    return True


# --- links --------------------------------------------------------------------------------------


def find_contact(email: str) -> Contact | None:
    """The contact an address belongs to, if they may sign in. E-mails are unique per
    workspace, so one address may be a contact of several firms: the most recent one answers."""
    email = email.strip()
    if not email or len(email) > 254:
        return None
    for contact in (
        Contact.objects.filter(email__iexact=email)
        .select_related("client", "workspace")
        .order_by("-created_at", "-pk")
    ):
        if may_sign_in(contact):
            return contact
    return None


@dataclass(frozen=True)
class IssuedLink:
    link: MagicLink
    token: str


@transaction.atomic
def issue_link(
    contact: Contact,
    *,
    by: User | None = None,
    invitation: bool | None = None,
    now: dt.datetime | None = None,
) -> IssuedLink:
    """A new single-use link for ``contact``; the token is returned once and never stored.
    An invitation (sent by the firm: by a person, or ``invitation=True``) lasts longer."""
    now = now or timezone.now()
    invitation = by is not None if invitation is None else invitation
    token = secrets.token_urlsafe(32)
    link = MagicLink.objects.create(
        workspace_id=contact.workspace_id,
        contact=contact,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + (INVITATION_TTL if invitation else SIGN_IN_TTL),
        sent_by=by,
        invitation=invitation,
    )
    if invitation:
        record_audit(contact.workspace, by, "portal.invitation_sent", contact)
    return IssuedLink(link, token)


def link_message(contact: Contact, url: str, *, link: MagicLink) -> EmailMultiAlternatives:
    """The e-mail with the sign-in link; replies reach the account manager, a person."""
    manager = contact.client.account_manager
    context = {
        "contact": contact,
        "firm": contact.workspace.name,
        "client": contact.client,
        "link": url,
        "expires_at": link.expires_at,
        "minutes": int(SIGN_IN_TTL.total_seconds() // 60),
        "invitation": link.invitation,
        "inviter": link.sent_by,
        "manager": manager,
    }
    firm = contact.workspace.name
    subject = (
        f"{firm} invites you to your client portal"
        if link.invitation
        else f"Your sign-in link for {firm}"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("portal/email/link.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((contact.name, contact.email))],
        reply_to=[manager.email] if manager else [],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("portal/email/link.html", context), "text/html")
    return message


@transaction.atomic
def send_link(
    contact: Contact, url_for: Any, *, by: User | None = None, invitation: bool | None = None
) -> MagicLink:
    """Issue a link and queue its e-mail (the worker sends it); ``url_for(token)`` makes the
    absolute URL."""
    issued = issue_link(contact, by=by, invitation=invitation)
    message = link_message(contact, url_for(issued.token), link=issued.link)
    tag(message, key=f"portal-link:{issued.link.pk}", workspace_id=contact.workspace_id).send()
    return issued.link


def invite_contact(contact: Contact, url_for: Any, *, by: User | None) -> MagicLink:
    """Send a contact an invitation to the portal (the client page and the API); only a contact
    who may sign in (portal open, not barred) gets one."""
    if not may_sign_in(contact):
        raise DomainError(
            f"Open the portal to {contact.name} first, then send the invitation.",
            field="contact_id",
        )
    return send_link(contact, url_for, by=by, invitation=True)


@transaction.atomic
def revoke_invitation(
    link: MagicLink, *, by: User | None, now: dt.datetime | None = None
) -> MagicLink:
    """Make an unused invitation stop working at once (sent to the wrong person, say)."""
    now = now or timezone.now()
    link = MagicLink.objects.select_for_update().select_related("contact").get(pk=link.pk)
    if link.used_at is not None:
        raise DomainError("This invitation was used already; bar the contact instead.")
    if link.expires_at > now:
        link.expires_at = now
        link.save(update_fields=["expires_at"])
        record_audit(link.workspace, by, "portal.invitation_revoked", link.contact)
    return link


def find_link(token: str) -> MagicLink | None:
    if not token or len(token) > 100:
        return None
    return (
        MagicLink.objects.select_related("contact__client", "workspace")
        .filter(token_hash=hash_token(token))
        .first()
    )


class LinkRefused(DomainError):
    """The link was used already, has expired, or its contact may no longer sign in."""


def redeem_link(token: str, *, now: dt.datetime | None = None) -> Contact:
    """Use the link once: mark it used and record the sign-in. Raises ``LinkRefused``."""
    now = now or timezone.now()
    with transaction.atomic():
        found = find_link(token)
        if found is None:
            raise LinkRefused("This sign-in link is not valid.")
        link = MagicLink.objects.select_for_update().get(pk=found.pk)
        contact = found.contact
        if link.used_at is not None:
            raise LinkRefused("This sign-in link has been used already.")
        if link.expires_at <= now:
            raise LinkRefused("This sign-in link has expired.")
        if not may_sign_in(contact):
            raise LinkRefused("The portal is not open to you at the moment.")
        link.used_at = now
        link.save(update_fields=["used_at"])
        ContactAccess.objects.update_or_create(
            contact=contact,
            defaults={"workspace_id": contact.workspace_id, "last_signed_in_at": now},
        )
        record_audit(
            found.workspace, None, "portal.signed_in", contact, actor_label=actor_label(contact)
        )
    return contact


# --- the firm's choices -------------------------------------------------------------------------


@transaction.atomic
def set_client_portal(client: Client, *, enabled: bool, by: User | None) -> ClientPortal:
    portal, created = ClientPortal.objects.get_or_create(
        client=client, defaults={"workspace_id": client.workspace_id}
    )
    changes = diff_fields(portal, {"enabled": enabled})
    if changes or created:
        portal.updated_at = timezone.now()
        portal.save()
        record_audit(client.workspace, by, "portal.client_settings", portal, changes)
    return portal


@transaction.atomic
def set_contact_access(contact: Contact, *, may_sign_in: bool, by: User | None) -> ContactAccess:
    access, _ = ContactAccess.objects.get_or_create(
        contact=contact, defaults={"workspace_id": contact.workspace_id}
    )
    changes = diff_fields(access, {"may_sign_in": may_sign_in})
    if changes:
        access.save(update_fields=["may_sign_in"])
        record_audit(contact.workspace, by, "portal.contact_access", contact, changes)
    return access


@transaction.atomic
def set_engagement_sharing(
    engagement: Engagement,
    *,
    by: User | None,
    portal_shared: bool | None = None,
    portal_shows_budget: bool | None = None,
) -> Engagement:
    data = {
        k: v
        for k, v in (
            ("portal_shared", portal_shared),
            ("portal_shows_budget", portal_shows_budget),
        )
        if v is not None
    }
    changes = diff_fields(engagement, data)
    if changes:
        engagement.save(update_fields=list(changes))
        record_audit(engagement.workspace, by, "engagement.portal_sharing", engagement, changes)
    return engagement


# --- what a contact does ------------------------------------------------------------------------


def _attribute(obj: Model, action: str, contact: Contact) -> None:
    """Name the contact on the audit entry the firm's service has just written with no actor."""
    entry = (
        AuditEntry.objects.filter(
            workspace_id=contact.workspace_id,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            action=action,
            actor__isnull=True,
        )
        .order_by("-id")
        .first()
    )
    if entry is not None:
        entry.actor_label = actor_label(contact)
        entry.save(update_fields=["actor_label"])


@transaction.atomic
def decide_change_request(
    cr: ChangeRequest, *, contact: Contact, approve: bool, note: str = ""
) -> ChangeRequest:
    """The contact's own decision, through the firm's service: an approval moves the budget,
    end date and scope exactly as when the firm records it."""
    if cr.engagement.client_id != contact.client_id or not cr.engagement.portal_shared:
        raise DomainError("This change request is not yours to decide.", field="status")
    if len(note) > QUESTION_MAX:
        raise DomainError(f"Keep the note under {QUESTION_MAX} characters.", field="note")
    cr = engagements.decide_change_request(
        cr,
        approve=approve,
        decided_by=contact,
        on=local_today(cr.workspace),
        note=note.strip(),
        by=None,
    )
    cr.decided_in_portal = True
    cr.save(update_fields=["decided_in_portal"])
    _attribute(cr, f"change_request.{cr.status}", contact)
    return cr


@transaction.atomic
def ask_question(
    contact: Contact,
    *,
    subject: str,
    details: str = "",
    engagement: Engagement | None = None,
    now: dt.datetime | None = None,
) -> Inquiry:
    """A question from the portal: an inbound message (with the full text) and the inquiry whose
    SLA clock starts now, measured like any other."""
    now = now or timezone.now()
    subject, details = subject.strip(), details.strip()
    if not subject:
        raise DomainError("Say in a few words what your question is about.", field="subject")
    if len(subject) > 300:
        raise DomainError("Keep the subject under 300 characters.", field="subject")
    if len(details) > QUESTION_MAX:
        raise DomainError(f"Keep the question under {QUESTION_MAX} characters.", field="details")
    if engagement is not None:
        if engagement.client_id != contact.client_id or not engagement.portal_shared:
            raise DomainError("Choose one of your engagements.", field="engagement")
        subject_line = f"{subject} ({engagement.name})"[:300]
    else:
        subject_line = subject
    client = contact.client
    message = communications.record_interaction(
        client,
        by=None,
        source=Source.PORTAL,
        channel=Channel.MESSAGE,
        direction=Direction.INBOUND,
        occurred_at=now,
        subject=subject_line,
        summary=details,
        contact=contact,
    )
    _attribute(message, "interaction.recorded", contact)
    inquiry = communications.record_inquiry(
        client,
        by=None,
        channel=Channel.MESSAGE,
        received_at=now,
        subject=subject_line,
        source=Source.PORTAL,
        contact=contact,
        interaction=message,
    )
    _attribute(inquiry, "inquiry.recorded", contact)
    publish(
        client.workspace_id,
        "portal.question_asked",
        {
            "summary": f"{contact.name} ({client.name}): {subject_line}",
            "inquiry_id": inquiry.pk,
            "client_id": client.pk,
            "client": client.name,
            "contact": contact.name,
            "subject": subject_line,
            "details": details,
            "engagement_id": engagement.pk if engagement else None,
            "asked_at": now.isoformat(),
        },
    )
    return inquiry


def give_feedback(
    contact: Contact,
    *,
    score: int,
    comment: str = "",
    engagement: Engagement | None = None,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """An answer 0-10 with a comment, recorded like a survey answer: analysed, counted in NPS,
    and followed up when it is a detractor or a complaint."""
    if engagement is not None and (
        engagement.client_id != contact.client_id or not engagement.portal_shared
    ):
        raise DomainError("Choose one of your engagements.", field="engagement")
    with transaction.atomic():
        response = record_response(
            NewResponse(
                client=contact.client,
                score=score,
                comment=comment,
                answered_at=now or timezone.now(),
                contact=contact,
                respondent=contact.name,
                engagement=engagement,
                source=ResponseSource.SURVEY,
                extra_answers={"Given in": "the client portal"},
            ),
            by=None,
            now=now,
        )
        _attribute(response, "survey_response.recorded", contact)
    return response
