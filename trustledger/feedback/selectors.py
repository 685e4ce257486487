"""Reads about surveys shared by pages, the API, the tasks and the trust index.

The ``*_by_client`` functions at the end feed the trust index: each is one query for the whole
workspace, and uses only facts recorded by the end of ``as_of`` (UTC), so adding an answer
later never changes an earlier index.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from trustledger.clients.models import Client, ClientStatus, Contact
from trustledger.core.clock import day_starts
from trustledger.feedback.models import (
    CampaignClient,
    FollowUp,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)
from trustledger.scoring.indicators import DueItem, NpsAnswer, Remark
from trustledger.scoring.nps import (
    CATEGORY_SCORES,
    Category,
    NpsResult,
    TrendPoint,
    compute_nps,
    nps_by,
    nps_trend,
)
from trustledger.workspaces.models import Workspace

# --- settings and audiences --------------------------------------------------------------------


def survey_settings(workspace: Workspace) -> SurveySettings:
    """The workspace's survey settings (the defaults, unsaved, until someone changes them)."""
    return SurveySettings.objects.filter(workspace=workspace).first() or SurveySettings(
        workspace=workspace
    )


def audience_filter(campaign: SurveyCampaign, *, prefix: str = "") -> Q:
    """Rows whose client (reached through ``prefix``) is in the campaign's audience."""
    client_ids = CampaignClient.objects.filter(campaign=campaign).values("client_id")
    tiers = list(campaign.audience_tiers or [])
    has_clients = CampaignClient.objects.filter(campaign=campaign).exists()
    if not has_clients and not tiers:
        return Q()  # no choice made: every client
    condition = Q(**{f"{prefix}pk__in": client_ids}) if has_clients else Q(pk__in=[])
    if tiers:
        condition |= Q(**{f"{prefix}tier__in": tiers})
    return condition


def recently_surveyed_contact_ids(
    workspace: Workspace, *, now: dt.datetime
) -> QuerySet[Contact, int]:
    """Contacts invited (or answering any survey) within the workspace's throttle window."""
    since = now - dt.timedelta(days=survey_settings(workspace).throttle_days)
    invited = SurveyInvitation.objects.filter(
        workspace=workspace, contact=OuterRef("pk"), created_at__gt=since, skipped_reason=""
    )
    answered = SurveyResponse.objects.filter(
        workspace=workspace, contact=OuterRef("pk"), answered_at__gt=since
    )
    return (
        Contact.objects.for_workspace(workspace)
        .filter(Exists(invited) | Exists(answered))
        .values_list("pk", flat=True)
    )


def eligible_contacts(campaign: SurveyCampaign, *, now: dt.datetime) -> QuerySet[Contact]:
    """Whom a run would invite: the audience's contacts at active clients, not opted out, not
    surveyed within the throttle window."""
    clients = Client.objects.for_workspace(campaign.workspace).filter(
        audience_filter(campaign), status=ClientStatus.ACTIVE
    )
    return (
        Contact.objects.for_workspace(campaign.workspace)
        .filter(client__in=clients, survey_opt_out=False)
        .exclude(pk__in=recently_surveyed_contact_ids(campaign.workspace, now=now))
        .order_by("client__name", "name", "pk")
    )


def reminder_due(invitation: SurveyInvitation, *, now: dt.datetime) -> bool:
    days = survey_settings(invitation.workspace).reminder_after_days
    return bool(
        days
        and invitation.sent_at
        and not invitation.reminded_at
        and not invitation.answered_at
        and not invitation.is_expired(now)
        and invitation.sent_at <= now - dt.timedelta(days=days)
    )


def due_reminders(*, now: dt.datetime) -> QuerySet[SurveyInvitation]:
    """Invitations sent long enough ago, unanswered, unexpired and not yet reminded."""
    pending = SurveyInvitation.objects.filter(
        sent_at__isnull=False,
        reminded_at__isnull=True,
        answered_at__isnull=True,
        expires_at__gt=now,
        skipped_reason="",
        contact__survey_opt_out=False,
    )
    due = Q(pk__in=[])
    workspace_ids = pending.values_list("workspace_id", flat=True).distinct()
    for workspace in Workspace.objects.filter(pk__in=workspace_ids):  # a few firms, not N clients
        days = survey_settings(workspace).reminder_after_days
        if days:
            due |= Q(workspace=workspace, sent_at__lte=now - dt.timedelta(days=days))
    return pending.filter(due).order_by("pk")


# --- campaigns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignStats:
    invited: int
    sent: int
    opened: int
    answered: int
    nps: NpsResult

    @property
    def response_rate(self) -> float | None:
        """Answers per invitation e-mailed (None before any is sent)."""
        return self.answered / self.sent if self.sent else None


def list_campaigns(workspace: Workspace) -> QuerySet[SurveyCampaign]:
    return SurveyCampaign.objects.for_workspace(workspace).annotate(
        invited=Count("invitations", filter=Q(invitations__skipped_reason=""), distinct=True),
        sent=Count("invitations", filter=Q(invitations__sent_at__isnull=False), distinct=True),
        opened=Count("invitations", filter=Q(invitations__opened_at__isnull=False), distinct=True),
        answered=Count(
            "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
        ),
    )


def campaign_stats(campaigns: Sequence[SurveyCampaign]) -> dict[int, CampaignStats]:
    """Counts and NPS of campaigns from ``list_campaigns``: one query for all their answers."""
    scores = SurveyResponse.objects.filter(campaign__in=campaigns).values_list(
        "campaign_id", "score"
    )
    results = nps_by(scores)
    empty = compute_nps([])
    return {
        c.pk: CampaignStats(
            invited=c.invited,  # type: ignore[attr-defined]
            sent=c.sent,  # type: ignore[attr-defined]
            opened=c.opened,  # type: ignore[attr-defined]
            answered=c.answered,  # type: ignore[attr-defined]
            nps=results.get(c.pk, empty),
        )
        for c in campaigns
    }


def campaign_with_stats(workspace: Workspace, campaign_id: int) -> SurveyCampaign | None:
    return list_campaigns(workspace).filter(pk=campaign_id).first()


def audience_client_ids(campaigns: Sequence[SurveyCampaign]) -> dict[int, list[int]]:
    """Each campaign's chosen clients (ids), in one query."""
    out: dict[int, list[int]] = {c.pk: [] for c in campaigns}
    rows = CampaignClient.objects.filter(campaign__in=campaigns).order_by("client_id")
    for campaign_id, client_id in rows.values_list("campaign_id", "client_id"):
        out[campaign_id].append(client_id)
    return out


def audience_clients(campaign: SurveyCampaign) -> QuerySet[Client]:
    ids = CampaignClient.objects.filter(campaign=campaign).values("client_id")
    return Client.objects.filter(pk__in=ids).order_by("name")


def list_invitations(
    workspace: Workspace,
    *,
    campaign_id: int | None = None,
    client_id: int | None = None,
    contact_id: int | None = None,
) -> QuerySet[SurveyInvitation]:
    qs = SurveyInvitation.objects.for_workspace(workspace).select_related("contact", "client")
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if contact_id:
        qs = qs.filter(contact_id=contact_id)
    return qs.order_by("-created_at", "-pk")


# --- responses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseFilter:
    campaign_id: int | None = None
    client_id: int | None = None
    theme: str = ""
    sentiment: str = ""
    category: str = ""  # promoter, passive, detractor
    q: str = ""


def list_responses(
    workspace: Workspace, f: ResponseFilter = ResponseFilter()
) -> QuerySet[SurveyResponse]:
    qs = SurveyResponse.objects.for_workspace(workspace).select_related(
        "client", "contact", "campaign", "follow_up"
    )
    if f.campaign_id:
        qs = qs.filter(campaign_id=f.campaign_id)
    if f.client_id:
        qs = qs.filter(client_id=f.client_id)
    if f.theme:
        qs = qs.filter(theme=f.theme)
    if f.sentiment:
        qs = qs.filter(sentiment_label=f.sentiment)
    if f.category in CATEGORY_SCORES:
        qs = qs.filter(score__range=CATEGORY_SCORES[cast("Category", f.category)])
    if f.q:
        qs = qs.filter(
            Q(comment__icontains=f.q)
            | Q(respondent__icontains=f.q)
            | Q(client__name__icontains=f.q)
        )
    return qs.order_by("-answered_at", "-pk")


def theme_counts(responses: QuerySet[SurveyResponse]) -> list[tuple[str, int]]:
    rows = responses.exclude(theme="").order_by().values_list("theme").annotate(n=Count("pk"))
    return sorted(((theme, n) for theme, n in rows), key=lambda item: -item[1])


# --- follow-ups --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpFilter:
    status: str = "open"  # open, done, overdue, all
    owner_id: int | None = None
    client_id: int | None = None


def list_follow_ups(
    workspace: Workspace, f: FollowUpFilter = FollowUpFilter(), *, today: dt.date | None = None
) -> QuerySet[FollowUp]:
    """Follow-ups, overdue first (oldest due date first), then open ones, then done ones."""
    today = today or timezone.localdate()
    qs = FollowUp.objects.for_workspace(workspace).select_related("client", "owner", "response")
    if f.status == "open":
        qs = qs.filter(done_on__isnull=True)
    elif f.status == "done":
        qs = qs.filter(done_on__isnull=False)
    elif f.status == "overdue":
        qs = qs.filter(done_on__isnull=True, due_on__lt=today)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.client_id:
        qs = qs.filter(client_id=f.client_id)
    if f.status == "done":
        return qs.order_by("-done_on", "-pk")
    return qs.order_by(F("done_on").asc(nulls_first=True), "due_on", "pk")


def overdue_follow_ups(workspace: Workspace, *, today: dt.date) -> QuerySet[FollowUp]:
    return list_follow_ups(workspace, FollowUpFilter(status="overdue"), today=today)


# --- a client's voice (the client page) --------------------------------------------------------


@dataclass(frozen=True)
class ClientVoice:
    overall: NpsResult
    history: list[TrendPoint[str]]
    open_follow_ups: list[FollowUp]
    recent: list[SurveyResponse]
    today: dt.date


def half_year(day: dt.date) -> str:
    return f"{day.year} H{1 if day.month <= 6 else 2}"


def client_voice(client: Client, *, today: dt.date | None = None) -> ClientVoice:
    """NPS by half-year, open follow-ups and the latest answers of one client (three queries)."""
    today = today or timezone.localdate()
    answers = list(
        SurveyResponse.objects.filter(client=client)
        .order_by("-answered_at", "-pk")
        .select_related("follow_up")
    )
    follow_ups = list(
        FollowUp.objects.filter(client=client, done_on__isnull=True)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    return ClientVoice(
        overall=compute_nps(a.score for a in answers),
        history=nps_trend((half_year(timezone.localdate(a.answered_at)), a.score) for a in answers),
        open_follow_ups=follow_ups,
        recent=answers[:5],
        today=today,
    )


# --- facts for the trust index -----------------------------------------------------------------


def _known_before(workspace: Workspace, as_of: dt.date) -> dt.datetime:
    """The end of ``as_of`` in the workspace's time zone: what was recorded before was known."""
    return day_starts(workspace, as_of + dt.timedelta(days=1))


def _in_scope[M: SurveyResponse | FollowUp](
    qs: QuerySet[M], client_ids: Iterable[int] | None
) -> QuerySet[M]:
    return qs if client_ids is None else qs.filter(client_id__in=list(client_ids))


def nps_answers_by_client(
    workspace: Workspace,
    as_of: dt.date,
    *,
    since: dt.date | None = None,
    client_ids: Iterable[int] | None = None,
) -> dict[int, list[NpsAnswer]]:
    """Each client's NPS answers answered by ``as_of`` and recorded by its end (one query)."""
    qs = _in_scope(
        SurveyResponse.objects.for_workspace(workspace).filter(
            recorded_at__lt=_known_before(workspace, as_of),
            answered_at__lt=_known_before(workspace, as_of),
        ),
        client_ids,
    )
    if since is not None:
        qs = qs.filter(answered_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC))
    out: defaultdict[int, list[NpsAnswer]] = defaultdict(list)
    rows = qs.order_by("answered_at", "pk").values_list(
        "client_id", "respondent", "contact__name", "answered_at", "score"
    )
    for client_id, respondent, contact, answered_at, score in rows:
        out[client_id].append(
            NpsAnswer(
                contact or respondent or "A contact", answered_at.astimezone(dt.UTC).date(), score
            )
        )
    return dict(out)


def remarks_by_client(
    workspace: Workspace,
    as_of: dt.date,
    *,
    since: dt.date | None = None,
    client_ids: Iterable[int] | None = None,
) -> dict[int, list[Remark]]:
    """Each client's analysed survey comments (sentiment -1..1), known by ``as_of`` (one query)."""
    qs = _in_scope(
        SurveyResponse.objects.for_workspace(workspace).filter(
            recorded_at__lt=_known_before(workspace, as_of),
            answered_at__lt=_known_before(workspace, as_of),
            sentiment_score__isnull=False,
        ),
        client_ids,
    )
    if since is not None:
        qs = qs.filter(answered_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC))
    out: defaultdict[int, list[Remark]] = defaultdict(list)
    rows = qs.order_by("answered_at", "pk").values_list(
        "client_id", "respondent", "comment", "answered_at", "sentiment_score"
    )
    for client_id, respondent, comment, answered_at, sentiment in rows:
        text = comment if len(comment) <= 120 else comment[:117] + "…"
        out[client_id].append(
            Remark(
                f"{respondent or 'A contact'}: “{text}”",
                answered_at.astimezone(dt.UTC).date(),
                max(-1.0, min(1.0, float(sentiment or 0.0))),
            )
        )
    return dict(out)


def follow_ups_by_client(
    workspace: Workspace,
    as_of: dt.date,
    *,
    since: dt.date | None = None,
    client_ids: Iterable[int] | None = None,
) -> dict[int, list[DueItem]]:
    """Each client's follow-ups opened by ``as_of``; done only if closed (recorded) by then.

    ``since`` keeps follow-ups due on or after that day. One query.
    """
    known = _known_before(workspace, as_of)
    qs = _in_scope(
        FollowUp.objects.for_workspace(workspace).filter(created_at__lt=known), client_ids
    )
    if since is not None:
        qs = qs.filter(due_on__gte=since)
    out: defaultdict[int, list[DueItem]] = defaultdict(list)
    rows = qs.order_by("due_on", "pk").values_list(
        "client_id", "summary", "due_on", "done_on", "closed_at"
    )
    for client_id, summary, due_on, done_on, closed_at in rows:
        done = done_on if closed_at is not None and closed_at < known else None
        out[client_id].append(DueItem(f"Follow-up: {summary}", due_on, done))
    return dict(out)
