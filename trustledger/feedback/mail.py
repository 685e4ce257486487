"""The survey e-mails: a short plain-text message with an HTML twin, and one link to answer."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

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
