"""Answers and closing the loop: record responses (analysed on the way in) and their follow-ups.

Every answer's comment goes through the offline classifier before it is saved, so its sentiment
and theme are stored with it. Every detractor (0-6) and every comment the classifier reads as a
complaint (negative sentiment) opens a follow-up owned by the client's account manager, due a
configurable number of business days after the firm learnt of the answer. An answer dated after
now is refused, whatever its source (``core.claims``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.core.claims import refuse_future_moment
from trustledger.core.facts import announce
from trustledger.engagements.models import Engagement
from trustledger.feedback import events, selectors
from trustledger.feedback.models import (
    FollowUp,
    FollowUpReason,
    ResponseSource,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from trustledger.workspaces.models import Membership, User, Workspace
from trustledger.workspaces.services import DomainError, diff_fields, record_audit

if TYPE_CHECKING:  # the classifier loads scikit-learn: import it when a comment needs reading
    from trustledger.feedback.analysis import Analysis

# An imported answer older than this is history: it counts in NPS and sentiment, but nobody can
# still "get back within two days" to it, so it opens no follow-up.
IMPORT_FOLLOW_UP_DAYS = 30
COMMENT_MAX = 10_000


def add_business_days(day: dt.date, days: int) -> dt.date:
    """``days`` working days (Monday to Friday) after ``day``; public holidays are not known."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass
class NewResponse:
    """One answer to record, wherever it came from."""

    client: Client
    score: int
    answered_at: dt.datetime
    comment: str = ""
    contact: Contact | None = None
    respondent: str = ""
    campaign: SurveyCampaign | None = None
    invitation: SurveyInvitation | None = None
    engagement: Engagement | None = None
    extra_answers: dict[str, str] = field(default_factory=dict)
    source: str = ResponseSource.SURVEY
    import_key: str | None = None


def _check(new: NewResponse, now: dt.datetime) -> None:
    if isinstance(new.score, bool) or not isinstance(new.score, int) or not 0 <= new.score <= 10:
        raise DomainError("The score is a whole number from 0 to 10.", field="score")
    if new.contact is not None and new.contact.client_id != new.client.pk:
        raise DomainError("The contact must work at this client.", field="contact_id")
    if new.engagement is not None and new.engagement.client_id != new.client.pk:
        raise DomainError("The engagement must be one of this client's.", field="engagement_id")
    if "\x00" in new.comment:
        raise DomainError("The comment must not contain NUL characters.", field="comment")
    if len(new.comment) > COMMENT_MAX:
        raise DomainError(f"Keep the comment under {COMMENT_MAX} characters.", field="comment")
    refuse_future_moment(new.answered_at, now=now, field="answered_at", what="An answer")


def _analysed(new: NewResponse, analysis: Analysis | None, now: dt.datetime) -> SurveyResponse:
    return SurveyResponse(
        workspace_id=new.client.workspace_id,
        client=new.client,
        contact=new.contact,
        respondent=(new.respondent or (new.contact.name if new.contact else ""))[:254],
        campaign=new.campaign,
        invitation=new.invitation,
        engagement=new.engagement,
        score=new.score,
        comment=new.comment.strip(),
        extra_answers=new.extra_answers,
        answered_at=new.answered_at,
        recorded_at=now,
        source=new.source,
        import_key=new.import_key,
        sentiment_label=analysis.sentiment_label if analysis else "",
        sentiment_score=round(analysis.sentiment_score, 4) if analysis else None,
        theme=analysis.theme if analysis else "",
        theme_confidence=round(analysis.theme_confidence, 4) if analysis else None,
    )


def analyse_comments(comments: Sequence[str]) -> list[Analysis | None]:
    """The classifier's reading of each comment; None for an empty one (nothing to read)."""
    from trustledger.feedback.analysis import analyze_many

    texts = [c.strip() for c in comments]
    results = iter(analyze_many([t for t in texts if t]))
    return [next(results) if t else None for t in texts]


def is_complaint(response: SurveyResponse) -> bool:
    return response.sentiment_label == "negative"


def follow_up_reason(response: SurveyResponse, now: dt.datetime) -> str | None:
    """Why this answer needs someone to get back to the client, or None."""
    imported = response.source not in (ResponseSource.SURVEY, ResponseSource.MANUAL)
    if imported and response.answered_at < now - dt.timedelta(days=IMPORT_FOLLOW_UP_DAYS):
        return None
    if response.category == "detractor":
        return FollowUpReason.DETRACTOR
    return FollowUpReason.COMPLAINT if is_complaint(response) else None


def summary_of(response: SurveyResponse) -> str:
    """What a follow-up says it is about: who answered what, and the start of the comment."""
    who = response.respondent or "A contact"
    text = f"{who} answered {response.score}"
    if response.comment:
        comment = response.comment if len(response.comment) <= 160 else response.comment[:157] + "…"
        text += f": “{comment}”"
    return text[:500]


def _follow_ups(
    responses: Sequence[SurveyResponse], workspace: Workspace, now: dt.datetime
) -> list[FollowUp]:
    days = selectors.survey_settings(workspace).follow_up_business_days
    due = add_business_days(timezone.localdate(now), days)
    return [
        FollowUp(
            workspace=workspace,
            client=r.client,
            response=r,
            reason=reason,
            summary=summary_of(r),
            owner_id=r.client.account_manager_id,
            due_on=due,
            created_at=now,
        )
        for r in responses
        if (reason := follow_up_reason(r, now))
    ]


@transaction.atomic
def record_responses(
    workspace: Workspace,
    rows: Sequence[NewResponse],
    *,
    by: User | None,
    now: dt.datetime | None = None,
    audit: bool = True,
) -> tuple[list[SurveyResponse], list[FollowUp]]:
    """Analyse and save answers in one go (imports pass thousands), with their follow-ups."""
    now = now or timezone.now()
    for row in rows:
        if row.client.workspace_id != workspace.pk:
            raise DomainError("Choose a client of this workspace.", field="client_id")
        _check(row, now)
    analyses = analyse_comments([row.comment for row in rows])
    responses = SurveyResponse.objects.bulk_create(
        [_analysed(row, a, now) for row, a in zip(rows, analyses, strict=True)]
    )
    follow_ups = FollowUp.objects.bulk_create(_follow_ups(responses, workspace, now))
    announce(workspace.pk, {r.client_id for r in responses}, "surveyresponse")
    if audit:  # answers as they come (an import of history is neither audited nor published)
        for response in responses:
            record_audit(workspace, by, "survey_response.recorded", response)
        for follow_up in follow_ups:
            record_audit(workspace, None, "follow_up.opened", follow_up)
        events.survey_answered(workspace.pk, responses)
        events.follow_ups_opened(workspace.pk, follow_ups)
    return responses, follow_ups


def record_response(
    new: NewResponse, *, by: User | None, now: dt.datetime | None = None
) -> SurveyResponse:
    responses, _ = record_responses(new.client.workspace, [new], by=by, now=now)
    return responses[0]


# --- follow-ups --------------------------------------------------------------------------------


def _check_owner(workspace: Workspace, owner: User | None) -> None:
    if (
        owner is not None
        and not Membership.objects.filter(workspace=workspace, user=owner).exists()
    ):
        raise DomainError("The owner must be a member of this workspace.", field="owner")


@transaction.atomic
def create_follow_up(
    client: Client,
    *,
    summary: str,
    by: User | None,
    owner: User | None = None,
    due_on: dt.date | None = None,
    response: SurveyResponse | None = None,
) -> FollowUp:
    """A follow-up opened by hand (a remark heard on a call, an e-mail complaint...)."""
    summary = summary.strip()
    if not summary:
        raise DomainError("Say what to follow up.", field="summary")
    if response is not None:
        if response.client_id != client.pk:
            raise DomainError("The response must be from this client.", field="response_id")
        if FollowUp.objects.filter(response=response).exists():
            raise DomainError("This response already has a follow-up.", field="response_id")
    owner = owner or client.account_manager
    _check_owner(client.workspace, owner)
    days = selectors.survey_settings(client.workspace).follow_up_business_days
    follow_up = FollowUp.objects.create(
        workspace=client.workspace,
        client=client,
        response=response,
        reason=FollowUpReason.MANUAL,
        summary=summary,
        owner=owner,
        due_on=due_on or add_business_days(timezone.localdate(), days),
        created_by=by,
    )
    record_audit(client.workspace, by, "follow_up.opened", follow_up)
    announce(client.workspace_id, [client.pk], "followup")
    events.follow_ups_opened(client.workspace_id, [follow_up])
    return follow_up


@transaction.atomic
def update_follow_up(follow_up: FollowUp, *, by: User | None, **data: Any) -> FollowUp:
    """Reassign, move the due date, or note progress; closing has its own action."""
    if "owner" in data:
        _check_owner(follow_up.workspace, data["owner"])
    if "summary" in data:
        data["summary"] = data["summary"].strip()
        if not data["summary"]:
            raise DomainError("Say what to follow up.", field="summary")
    changes = diff_fields(follow_up, data)
    if "due_on" in changes:
        follow_up.overdue_published_at = None  # overdue again later: say so again
    if changes:
        follow_up.save()
        record_audit(follow_up.workspace, by, "follow_up.updated", follow_up, changes)
        announce(follow_up.workspace_id, [follow_up.client_id], "followup")
    return follow_up


@transaction.atomic
def close_follow_up(
    follow_up: FollowUp,
    *,
    outcome: str,
    by: User | None,
    done_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> FollowUp:
    """Record what came of it. Done counts from when it is recorded, not from ``done_on``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if follow_up.done_on is not None:
        raise DomainError("This follow-up is already closed.", field="done_on")
    if not outcome.strip():
        raise DomainError("Say what came of it: what the client heard and agreed.", field="outcome")
    done_on = done_on or today
    if done_on > today:
        raise DomainError("The follow-up cannot be done in the future.", field="done_on")
    if done_on < timezone.localdate(follow_up.created_at):
        raise DomainError("It cannot be done before it was opened.", field="done_on")
    follow_up.done_on, follow_up.outcome, follow_up.closed_at = done_on, outcome.strip(), now
    follow_up.save(update_fields=["done_on", "outcome", "closed_at"])
    record_audit(
        follow_up.workspace,
        by,
        "follow_up.closed",
        follow_up,
        {"done_on": [None, done_on.isoformat()], "late": [None, done_on > follow_up.due_on]},
    )
    announce(follow_up.workspace_id, [follow_up.client_id], "followup")
    return follow_up
