"""The survey e-mails: a short plain-text message with an HTML twin, and one link to answer."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from trustledger.core.models import OutboxMessage
from trustledger.core.outbox import on_failed
from trustledger.feedback.models import SurveyInvitation


def invitation_message(
    invitation: SurveyInvitation, link: str, *, reminder: bool = False
) -> EmailMultiAlternatives:
    """The invitation (or its reminder) to ``invitation.contact``; replies reach the account
    manager, a person, rather than a no-reply box."""
    firm = invitation.workspace.name
    manager = invitation.client.account_manager
    context = {
        "contact": invitation.contact,
        "firm": firm,
        "question": invitation.campaign.recommendation_question,
        "link": link,
        "expires_at": invitation.expires_at,
        "manager": manager,
        "reminder": reminder,
    }
    subject = (
        f"Reminder: one question from {firm}"
        if reminder
        else f"{firm} would value your opinion (one question)"
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("feedback/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((invitation.contact.name, invitation.contact.email))],
        reply_to=[manager.email] if manager else [],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("feedback/email/invitation.html", context), "text/html"
    )
    return message


# --- what the outbox tells us back -------------------------------------------------------------


@on_failed("survey_invitation")
def invitation_undeliverable(message: OutboxMessage) -> None:
    """Never delivered: unmark it, so it does not count against the contact's throttle."""
    SurveyInvitation.objects.filter(pk=message.subject_id or 0).update(
        sent_at=None,
        token_hash=None,
        skipped_reason=f"The e-mail could not be delivered: {message.last_error}"[:200],
    )
