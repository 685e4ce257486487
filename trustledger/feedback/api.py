"""Surveys in the REST API: campaigns, invitations (read only), responses and follow-ups.

No ``from __future__ import annotations``: ninja reads the annotations at run time. Answers are
facts: they can be recorded (an answer heard on the phone) but not edited; follow-ups can be
reassigned, rescheduled and closed.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator

from trustledger.api.auth import ApiCaller, caller
from trustledger.api.errors import ERRORS
from trustledger.api.errors import ok as _ok
from trustledger.api.errors import workspace_member as _member
from trustledger.api.fields import Storable, changes, omittable, text
from trustledger.api.pagination import Pagination
from trustledger.clients.models import Client, Contact, Tier
from trustledger.core.extensions import api_routers
from trustledger.engagements.models import Engagement
from trustledger.feedback import responses, selectors, services
from trustledger.feedback.models import (
    DEFAULT_REASON_QUESTION,
    DEFAULT_RECOMMENDATION_QUESTION,
    CampaignStatus,
    FollowUp,
    FollowUpReason,
    ResponseSource,
    Schedule,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import WorkspaceScoped, get_for_workspace_or_404


def _plausible_utc(value: dt.datetime) -> dt.datetime:
    """In UTC and from 1900: PostgreSQL refused a year-145 time at UTC+20:44 (a 500). A future
    time is the service's refusal (400), as before."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    if value.replace(tzinfo=None) < dt.datetime(1900, 1, 1):
        raise ValueError("must be in 1900 or later")
    return value


Answered = Annotated[dt.datetime, AfterValidator(_plausible_utc)]


router = Router(tags=["surveys"])
api_routers.register(router)


Name = Annotated[str, text(1, 200), Storable]
Question = Annotated[str, text(1, 300), Storable]
Summary = Annotated[str, text(1, 500), Storable]
Comment = Annotated[str, text(0, 10_000), Storable]
Outcome = Annotated[str, text(1, 5000), Storable]
Search = Annotated[str, text(0, 200), Storable]
Id = Annotated[int, Field(ge=1, le=2**62)]
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2199, 12, 31))]
Score = Annotated[int, Field(ge=0, le=10)]


def _find[M: WorkspaceScoped](
    model: type[M], workspace: Workspace, pk: int | None, field: str
) -> M | None:
    """The object ``pk`` names in the workspace (None for None), or a 400 on ``field``."""
    if pk is None:
        return None
    obj = model.objects.for_workspace(workspace).filter(pk=pk).first()
    if obj is None:
        raise DomainError(
            f"No {model._meta.verbose_name} of this workspace has this id.", field=field
        )
    return obj


# --- campaigns ---------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    recommendation_question: str
    reason_question: str
    extra_questions: list[str]
    audience_tiers: list[str]
    audience_client_ids: list[int]
    schedule: Schedule
    starts_on: dt.date
    interval_months: int
    delay_days: int
    status: CampaignStatus
    next_run_on: dt.date | None
    last_run_on: dt.date | None
    invited: int
    sent: int
    opened: int
    answered: int
    response_rate: float | None
    nps: float | None
    nps_margin_of_error: float | None
    nps_answers: int


class CampaignIn(Schema):
    name: Name
    recommendation_question: Question = DEFAULT_RECOMMENDATION_QUESTION
    reason_question: Question = DEFAULT_REASON_QUESTION
    extra_questions: list[Question] = Field(default_factory=list, max_length=3)
    audience_tiers: list[Tier] = Field(default_factory=list)
    audience_client_ids: list[Id] = Field(default_factory=list, max_length=1000)
    schedule: Schedule = Schedule.ONCE
    starts_on: Date | None = None
    interval_months: int = Field(6, ge=1, le=24)
    delay_days: int = Field(7, ge=0, le=90)


class CampaignPatch(Schema):
    name: Name | None = None
    recommendation_question: Question | None = None
    reason_question: Question | None = None
    extra_questions: list[Question] | None = Field(None, max_length=3)
    audience_tiers: list[Tier] | None = None
    audience_client_ids: list[Id] | None = Field(None, max_length=1000)
    schedule: Schedule | None = None
    starts_on: Date | None = None
    interval_months: int | None = Field(None, ge=1, le=24)
    delay_days: int | None = Field(None, ge=0, le=90)


def _campaign_out(workspace: Workspace, campaign_id: int) -> dict[str, Any]:
    campaign = selectors.campaign_with_stats(workspace, campaign_id)
    if campaign is None:  # pragma: no cover - looked up just before
        raise DomainError("No campaign has this id.")
    return _campaign_dicts([campaign])[0]


def _campaign_dicts(campaigns: list[SurveyCampaign]) -> list[dict[str, Any]]:
    """Campaigns from ``list_campaigns`` with their audience and NPS: three queries in all."""
    stats = selectors.campaign_stats(campaigns)
    audiences = selectors.audience_client_ids(campaigns)
    fields = [f for f in CampaignOut.model_fields if hasattr(SurveyCampaign, f)]
    return [
        {
            **{f: getattr(c, f) for f in fields},
            "extra_questions": c.questions,
            "audience_client_ids": audiences[c.pk],
            "invited": stats[c.pk].invited,
            "sent": stats[c.pk].sent,
            "opened": stats[c.pk].opened,
            "answered": stats[c.pk].answered,
            "response_rate": stats[c.pk].response_rate,
            "nps": stats[c.pk].nps.nps,
            "nps_margin_of_error": stats[c.pk].nps.margin_of_error,
            "nps_answers": stats[c.pk].nps.n,
        }
        for c in campaigns
    ]


def _campaign_data(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve client ids within the workspace; a null leaves a field as it is."""
    ids = data.pop("audience_client_ids", None)
    if ids is not None:
        clients = list(Client.objects.for_workspace(workspace).filter(pk__in=ids))
        if len(clients) != len(set(ids)):
            raise DomainError(
                "Some of these ids are not clients of this workspace.", field="audience_client_ids"
            )
        data["audience_clients"] = clients
    return {name: value for name, value in data.items() if value is not None}


def _campaign(who: ApiCaller, campaign_id: int) -> SurveyCampaign:
    return get_for_workspace_or_404(SurveyCampaign, who.workspace, pk=campaign_id)


@router.get("/surveys/campaigns", response=_ok(list[CampaignOut]))
@paginate(Pagination)
def list_campaigns(request: HttpRequest) -> Any:
    return _campaign_dicts(list(selectors.list_campaigns(caller(request).workspace)))


@router.post("/surveys/campaigns", response={201: CampaignOut, **ERRORS})
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    data = _campaign_data(who.workspace, payload.dict())
    campaign = services.create_campaign(who.workspace, by=who.user, **data)
    return Status(201, _campaign_out(who.workspace, campaign.pk))


@router.get("/surveys/campaigns/{campaign_id}", response=_ok(CampaignOut))
def get_campaign(request: HttpRequest, campaign_id: int) -> Any:
    who = caller(request)
    return _campaign_out(who.workspace, _campaign(who, campaign_id).pk)


@router.patch("/surveys/campaigns/{campaign_id}", response=_ok(CampaignOut))
def update_campaign(request: HttpRequest, campaign_id: int, payload: CampaignPatch) -> Any:
    who = caller(request)
    campaign = _campaign(who, campaign_id)
    who.require(Action.MANAGE_CLIENTS)
    data = _campaign_data(who.workspace, changes(payload))
    services.update_campaign(campaign, by=who.user, **data)
    return _campaign_out(who.workspace, campaign.pk)


@router.post("/surveys/campaigns/{campaign_id}/launch", response=_ok(CampaignOut))
def launch_campaign(request: HttpRequest, campaign_id: int) -> Any:
    """Activate the campaign; if its first send is due today, invite its audience now."""
    who = caller(request)
    campaign = _campaign(who, campaign_id)
    who.require(Action.MANAGE_CLIENTS)
    services.launch_campaign(campaign, by=who.user)
    return _campaign_out(who.workspace, campaign.pk)


@router.post("/surveys/campaigns/{campaign_id}/pause", response=_ok(CampaignOut))
def pause_campaign(request: HttpRequest, campaign_id: int) -> Any:
    who = caller(request)
    campaign = _campaign(who, campaign_id)
    who.require(Action.MANAGE_CLIENTS)
    services.pause_campaign(campaign, by=who.user)
    return _campaign_out(who.workspace, campaign.pk)


# --- invitations (read only: they are made by campaigns) -------------------------------------


class InvitationOut(Schema):
    id: int
    campaign_id: int
    contact_id: int
    client_id: int
    engagement_id: int | None
    status: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    reminded_at: dt.datetime | None
    opened_at: dt.datetime | None
    answered_at: dt.datetime | None
    expires_at: dt.datetime | None
    skipped_reason: str


class InvitationFilter(FilterSchema):
    campaign_id: Id | None = None
    client_id: Id | None = None
    contact_id: Id | None = None


@router.get("/surveys/invitations", response=_ok(list[InvitationOut]))
@paginate(Pagination)
def list_invitations(request: HttpRequest, filters: Query[InvitationFilter]) -> Any:
    return selectors.list_invitations(
        caller(request).workspace,
        campaign_id=filters.campaign_id,
        client_id=filters.client_id,
        contact_id=filters.contact_id,
    )


@router.get("/surveys/invitations/{invitation_id}", response=_ok(InvitationOut))
def get_invitation(request: HttpRequest, invitation_id: int) -> Any:
    return get_for_workspace_or_404(SurveyInvitation, caller(request).workspace, pk=invitation_id)


# --- responses ---------------------------------------------------------------------------------


class ResponseOut(Schema):
    id: int
    campaign_id: int | None
    client_id: int
    contact_id: int | None
    engagement_id: int | None
    respondent: str
    score: int
    category: str
    comment: str
    extra_answers: dict[str, str]
    answered_at: dt.datetime
    recorded_at: dt.datetime
    source: ResponseSource
    sentiment_label: str
    sentiment_score: float | None
    theme: str
    theme_confidence: float | None
    follow_up_id: int | None

    @staticmethod
    def resolve_follow_up_id(obj: SurveyResponse) -> int | None:
        follow_up = getattr(obj, "follow_up", None)
        return follow_up.pk if follow_up else None


class ResponseIn(Schema):
    client_id: Id
    score: Score
    comment: Comment = ""
    contact_id: Id | None = None
    engagement_id: Id | None = None
    respondent: Annotated[str, text(0, 254), Storable] = ""
    answered_at: Answered | None = Field(
        None, description="When the client answered (1900 or later); now if left out."
    )


class ResponseFilter(FilterSchema):
    campaign_id: Id | None = None
    client_id: Id | None = None
    theme: str = Field("", pattern="^(deadlines|communication|scope_budget|quality|praise|other)?$")
    sentiment: str = Field("", pattern="^(positive|neutral|negative)?$")
    category: str = Field("", pattern="^(promoter|passive|detractor)?$")
    q: Search = ""


@router.get("/surveys/responses", response=_ok(list[ResponseOut]))
@paginate(Pagination)
def list_responses(request: HttpRequest, filters: Query[ResponseFilter]) -> Any:
    f = selectors.ResponseFilter(
        campaign_id=filters.campaign_id,
        client_id=filters.client_id,
        theme=filters.theme,
        sentiment=filters.sentiment,
        category=filters.category,
        q=filters.q,
    )
    return selectors.list_responses(caller(request).workspace, f)


@router.post("/surveys/responses", response={201: ResponseOut, **ERRORS})
def create_response(request: HttpRequest, payload: ResponseIn) -> Any:
    """Record an answer given outside a survey link (a call, a meeting); analysed on save."""
    who = caller(request)
    client = _find(Client, who.workspace, payload.client_id, "client_id")
    assert client is not None
    who.require(Action.LOG_WORK, client)
    now = timezone.now()
    answered_at = payload.answered_at or now
    if timezone.is_naive(answered_at):
        answered_at = timezone.make_aware(answered_at)
    response = responses.record_response(
        responses.NewResponse(
            client=client,
            score=payload.score,
            comment=payload.comment,
            answered_at=answered_at,
            contact=_find(Contact, who.workspace, payload.contact_id, "contact_id"),
            engagement=_find(Engagement, who.workspace, payload.engagement_id, "engagement_id"),
            respondent=payload.respondent,
            source=ResponseSource.MANUAL,
        ),
        by=who.user,
        now=now,
    )
    return Status(201, SurveyResponse.objects.select_related("follow_up").get(pk=response.pk))


@router.get("/surveys/responses/{response_id}", response=_ok(ResponseOut))
def get_response(request: HttpRequest, response_id: int) -> Any:
    workspace = caller(request).workspace
    return get_for_workspace_or_404(SurveyResponse, workspace, pk=response_id)


# --- follow-ups --------------------------------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    client_id: int
    response_id: int | None
    reason: FollowUpReason
    summary: str
    owner_id: int | None
    due_on: dt.date
    done_on: dt.date | None
    outcome: str
    overdue: bool
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_overdue(obj: FollowUp) -> bool:
        return obj.is_overdue()


class FollowUpIn(Schema):
    client_id: Id
    summary: Summary
    owner_id: Id | None = None
    due_on: Date | None = None
    response_id: Id | None = None


class FollowUpPatch(Schema):
    summary: Summary = omittable()
    owner_id: Id | None = None
    due_on: Date = omittable()


class FollowUpCloseIn(Schema):
    outcome: Outcome
    done_on: Date | None = None


class FollowUpFilter(FilterSchema):
    status: str = Field("open", pattern="^(open|overdue|done|all)$")
    owner_id: Id | None = None
    client_id: Id | None = None


@router.get("/surveys/follow-ups", response=_ok(list[FollowUpOut]))
@paginate(Pagination)
def list_follow_ups(request: HttpRequest, filters: Query[FollowUpFilter]) -> Any:
    """Open ones by default, overdue first; ``status=overdue`` lists only the overdue."""
    f = selectors.FollowUpFilter(
        status=filters.status, owner_id=filters.owner_id, client_id=filters.client_id
    )
    return selectors.list_follow_ups(caller(request).workspace, f)


@router.post("/surveys/follow-ups", response={201: FollowUpOut, **ERRORS})
def create_follow_up(request: HttpRequest, payload: FollowUpIn) -> Any:
    who = caller(request)
    client = _find(Client, who.workspace, payload.client_id, "client_id")
    assert client is not None
    who.require(Action.LOG_WORK, client)
    follow_up = responses.create_follow_up(
        client,
        summary=payload.summary,
        owner=_member(who.workspace, payload.owner_id, "owner_id"),
        due_on=payload.due_on,
        response=_find(SurveyResponse, who.workspace, payload.response_id, "response_id"),
        by=who.user,
    )
    return Status(201, follow_up)


@router.get("/surveys/follow-ups/{follow_up_id}", response=_ok(FollowUpOut))
def get_follow_up(request: HttpRequest, follow_up_id: int) -> Any:
    return get_for_workspace_or_404(FollowUp, caller(request).workspace, pk=follow_up_id)


@router.patch("/surveys/follow-ups/{follow_up_id}", response=_ok(FollowUpOut))
def update_follow_up(request: HttpRequest, follow_up_id: int, payload: FollowUpPatch) -> Any:
    who = caller(request)
    follow_up = get_for_workspace_or_404(FollowUp, who.workspace, pk=follow_up_id)
    who.require(Action.MANAGE_CLIENTS, follow_up.client)
    data = changes(payload)
    if "owner_id" in data:
        data["owner"] = _member(who.workspace, data.pop("owner_id"), "owner_id")
    return responses.update_follow_up(follow_up, by=who.user, **data)


@router.post("/surveys/follow-ups/{follow_up_id}/close", response=_ok(FollowUpOut))
def close_follow_up(request: HttpRequest, follow_up_id: int, payload: FollowUpCloseIn) -> Any:
    """Record the outcome: what the client heard and agreed."""
    who = caller(request)
    follow_up = get_for_workspace_or_404(FollowUp, who.workspace, pk=follow_up_id)
    who.require(Action.LOG_WORK, follow_up.client)
    return responses.close_follow_up(
        follow_up, outcome=payload.outcome, done_on=payload.done_on, by=who.user
    )
