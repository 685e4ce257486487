"""What kind of touch a meeting or message was, from the words of its title."""

from __future__ import annotations

import re

from trustledger.communications.models import Channel, InteractionKind

K = InteractionKind
# First match wins: a "QBR check-in" is a business review.
_MEETING_KINDS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"\b(qbr|business review|quarterly review|annual review|steering)", re.I),
        K.BUSINESS_REVIEW,
    ),
    (re.compile(r"\bbudget\b", re.I), K.BUDGET_UPDATE),
    (re.compile(r"\bescalat", re.I), K.ESCALATION),
    (re.compile(r"\bwebinar\b", re.I), K.WEBINAR),
    (
        re.compile(r"\b(conference|summit|reception|dinner|client event|open house|gala)\b", re.I),
        K.EVENT,
    ),
    (
        re.compile(
            r"\b(check[ -]?in|catch[ -]?up|sync|touch[ -]?base|status (call|meeting)|"
            r"weekly|fortnightly|monthly|1:1|one[ -]on[ -]one|stand[ -]?up)\b",
            re.I,
        ),
        K.CHECK_IN,
    ),
]
_PHONE = re.compile(r"\b(call|phone)\b", re.I)
_VISIT = re.compile(r"\b(site visit|on[ -]site|visit)\b", re.I)
_BUDGET_MAIL = re.compile(
    r"\bbudget\b.*\b(update|status|report)\b|\b(update|status|report)\b"
    r".*\bbudget\b",
    re.I,
)


def meeting_kind(title: str) -> str:
    for pattern, kind in _MEETING_KINDS:
        if pattern.search(title):
            return kind
    return K.OTHER


def meeting_channel(title: str) -> str:
    if _VISIT.search(title):
        return Channel.SITE_VISIT
    if _PHONE.search(title):
        return Channel.PHONE
    return Channel.MEETING


def mail_kind(subject: str, *, outbound: bool) -> str:
    """E-mails are plain correspondence, except a budget status sent to the client (it keeps
    the budget-update cadence) and an escalation. Scheduling mail ("Re: check-in tomorrow?")
    is not the check-in itself."""
    if outbound and _BUDGET_MAIL.search(subject):
        return K.BUDGET_UPDATE
    if re.search(r"\bescalat", subject, re.I):
        return K.ESCALATION
    return K.OTHER
