"""Reads about communications shared by pages, the API and the trust signals.

Every function reads a whole workspace (or one client) in a fixed number of queries, whatever
the number of clients or rows; the figures come from ``measures`` (pure).

For the trust index (``trustledger/trust/signals``): ``inquiry_facts``, ``cadence_facts`` and
``commitment_facts`` return, per client id, the indicator inputs known at an instant.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, Model, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from trustledger.clients.models import Client
from trustledger.communications import measures, sla
from trustledger.communications.models import (
    CADENCE_KINDS,
    Channel,
    Commitment,
    CommunicationPlan,
    EscalationContact,
    Inquiry,
    Interaction,
    InteractionKind,
    PlanMember,
)
from trustledger.core import history
from trustledger.core.clock import local_day, local_today
from trustledger.scoring import businesstime as bt
from trustledger.scoring import indicators as ind
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.selectors import people_of

# An unanswered inquiry is "at SLA" when its deadline is this close.
AT_SLA_WINDOW = dt.timedelta(hours=2)
DUE_SOON_DAYS = 7
TIMELINE_LENGTH = 15
MEASURE_WINDOW_DAYS = 180

OPEN = Q(first_response_at__isnull=True, resolved_at__isnull=True)


# Lists (API and pages)


def list_interactions(
    workspace: Workspace,
    *,
    client_id: int | None = None,
    channel: str = "",
    kind: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Interaction]:
    qs = Interaction.objects.for_workspace(workspace).select_related("client", "contact", "person")
    if client_id:
        qs = qs.filter(client_id=client_id)
    if channel:
        qs = qs.filter(channel=channel)
    if kind:
        qs = qs.filter(kind=kind)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lte=until)
    return qs.order_by("-occurred_at", "-id")


INQUIRY_STATES = ("open", "answered", "resolved", "breached", "past_sla", "at_or_past_sla")


def past_sla(now: dt.datetime) -> Q:
    """Open (neither answered nor resolved) with the deadline passed at ``now``: overdue."""
    return OPEN & Q(sla_due__lt=now)


def list_inquiries(
    workspace: Workspace,
    *,
    client_id: int | None = None,
    channel: str = "",
    state: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Inquiry]:
    now = now or timezone.now()
    qs = Inquiry.objects.for_workspace(workspace).select_related("client", "contact")
    if client_id:
        qs = qs.filter(client_id=client_id)
    if channel:
        qs = qs.filter(channel=channel)
    if state == "open":
        qs = qs.filter(OPEN)
    elif state == "answered":
        qs = qs.filter(first_response_at__isnull=False)
    elif state == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    elif state == "breached":
        qs = qs.filter(
            Q(first_response_at__gt=F("sla_due"))
            | Q(first_response_at__isnull=True, sla_due__lt=now)
        )
    elif state == "past_sla":
        qs = qs.filter(past_sla(now))
    elif state == "at_or_past_sla":
        qs = qs.filter(OPEN, sla_due__lte=now + AT_SLA_WINDOW)
    return qs.order_by("-received_at", "-id")


COMMITMENT_STATES = ("open", "overdue", "kept", "late", "broken")


def list_commitments(
    workspace: Workspace,
    *,
    client_id: int | None = None,
    owner_id: int | None = None,
    state: str = "",
    due_before: dt.date | None = None,
    today: dt.date | None = None,
) -> QuerySet[Commitment]:
    today = today or local_today(workspace)
    qs = Commitment.objects.for_workspace(workspace).select_related("client", "owner")
    if client_id:
        qs = qs.filter(client_id=client_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if due_before:
        qs = qs.filter(due_on__lte=due_before)
    unsettled = Q(done_on__isnull=True, broken_on__isnull=True)
    qs = {
        "open": qs.filter(unsettled),
        "overdue": qs.filter(unsettled, due_on__lt=today),
        "kept": qs.filter(done_on__lte=F("due_on")),
        "late": qs.filter(done_on__gt=F("due_on")),
        "broken": qs.filter(broken_on__isnull=False),
    }.get(state, qs)
    return qs.order_by("due_on", "id")


def list_plans(
    workspace: Workspace, *, client_id: int | None = None
) -> QuerySet[CommunicationPlan]:
    qs = CommunicationPlan.objects.for_workspace(workspace).prefetch_related(
        "members", "escalations"
    )
    if client_id:
        qs = qs.filter(client_id=client_id)
    return qs.order_by("client__name", "id")


# The inbox


@dataclass(frozen=True)
class InquiryClock:
    """An open inquiry and its SLA clock: business hours left, or how long past its deadline."""

    inquiry: Inquiry
    hours_left: float  # business hours; negative once past the deadline
    overdue: dt.timedelta  # wall-clock time since the deadline; zero before it

    @property
    def state(self) -> str:
        if self.overdue > dt.timedelta(0):
            return "breached"
        return "at_risk" if self.hours_left <= AT_SLA_WINDOW.total_seconds() / 3600 else "ok"

    @property
    def hours_late(self) -> float:
        return max(0.0, -self.hours_left)

    @property
    def days_late(self) -> int:
        return self.overdue.days


def _clocks(
    inquiries: Iterable[Inquiry], calendar: bt.BusinessCalendar, now: dt.datetime
) -> list[InquiryClock]:
    return [
        InquiryClock(
            q, calendar.business_hours(now, q.sla_due), max(dt.timedelta(0), now - q.sla_due)
        )
        for q in inquiries
    ]


@dataclass(frozen=True)
class Inbox:
    inquiries: list[InquiryClock]
    commitments: list[Commitment]
    all_clients: bool


def inbox(workspace: Workspace, user: User, *, now: dt.datetime, all_clients: bool) -> Inbox:
    """Inquiries at or past their SLA (of the person's clients, or all), and the person's
    commitments due within a week or overdue. Four queries."""
    inquiries = list_inquiries(workspace, state="at_or_past_sla", now=now).order_by("sla_due")
    if not all_clients:
        inquiries = inquiries.filter(client__account_manager=user)
    today = local_day(workspace, now)
    due = list_commitments(
        workspace,
        owner_id=user.pk,
        state="open",
        due_before=today + dt.timedelta(days=DUE_SOON_DAYS),
        today=today,
    )
    calendar = sla.business_calendar(workspace)
    return Inbox(_clocks(inquiries, calendar, now), list(due), all_clients)


# One client's page


@dataclass(frozen=True)
class ClientCommunications:
    plan: CommunicationPlan | None
    members: list[PlanMember]
    escalations: list[EscalationContact]
    sla_hours: list[tuple[str, Any]]
    timeline: list[Interaction]
    open_inquiries: list[InquiryClock]
    responsiveness: list[tuple[str, measures.ResponseStats]]
    adherence: list[measures.Adherence]
    last_touch: dt.datetime | None
    days_since_touch: int | None
    commitments: list[Commitment]
    people: list[User]  # who may owe a commitment
    time_zone: str


def client_communications(client: Client, *, now: dt.datetime) -> ClientCommunications:
    """Everything the client page shows about communications, in twelve queries."""
    workspace = client.workspace
    calendar = sla.business_calendar(workspace)
    plan = CommunicationPlan.objects.filter(client=client).first()
    members = list(PlanMember.objects.filter(plan=plan).select_related("person")) if plan else []
    escalations = (
        list(EscalationContact.objects.filter(plan=plan).select_related("contact", "person"))
        if plan
        else []
    )
    timeline = list(list_interactions(workspace, client_id=client.pk, until=now)[:TIMELINE_LENGTH])
    open_inquiries = Inquiry.objects.filter(OPEN, client=client).select_related("contact")
    today = timezone.localdate(now, calendar.zone)
    stats = response_measures(workspace, now=now, client_ids=[client.pk], calendar=calendar)
    adherence = cadence_measures(workspace, as_of=today, client_ids=[client.pk], calendar=calendar)
    last = timeline[0].occurred_at if timeline else None
    effective = sla.effective_sla_hours(plan.sla_hours if plan else None)
    return ClientCommunications(
        plan=plan,
        members=members,
        escalations=escalations,
        sla_hours=[(sla.SLA_LABELS[k], v) for k, v in effective.items()],
        timeline=timeline,
        open_inquiries=_clocks(open_inquiries.order_by("sla_due"), calendar, now),
        responsiveness=sorted(
            ((Channel(c).label, s) for c, s in stats.get(client.pk, {}).items()),
            key=lambda pair: pair[0],
        ),
        adherence=adherence.get(client.pk, []),
        last_touch=last,
        days_since_touch=(today - timezone.localdate(last, calendar.zone)).days if last else None,
        commitments=client_commitments(client, now=now),
        people=list(people_of(workspace)),
        time_zone=calendar.time_zone,
    )


def client_commitments(client: Client, *, now: dt.datetime) -> list[Commitment]:
    """The client's open commitments and those settled in the last 30 days. One query."""
    settled_lately = Q(settled_at__gte=now - dt.timedelta(days=30))
    open_ = Q(done_on__isnull=True, broken_on__isnull=True)
    commitments = Commitment.objects.filter(client=client).filter(open_ | settled_lately)
    return list(commitments.select_related("owner").order_by("due_on", "id"))


# Measures for every client at once


def _scoped[M: Any](qs: QuerySet[M], client_ids: Sequence[int] | None) -> QuerySet[M]:
    return qs if client_ids is None else qs.filter(client_id__in=client_ids)


def response_measures(
    workspace: Workspace,
    *,
    now: dt.datetime,
    since: dt.datetime | None = None,
    client_ids: Sequence[int] | None = None,
    calendar: bt.BusinessCalendar | None = None,
) -> dict[int, dict[str, measures.ResponseStats]]:
    """Per client and channel: median and p90 first response (business hours), SLA attainment
    and open inquiries past their SLA, over inquiries received since ``since`` (180 days)."""
    calendar = calendar or sla.business_calendar(workspace)
    since = since or now - dt.timedelta(days=MEASURE_WINDOW_DAYS)
    rows = _scoped(
        Inquiry.objects.for_workspace(workspace).filter(received_at__range=(since, now)),
        client_ids,
    ).values_list("client_id", "channel", "received_at", "sla_due", "first_response_at")
    grouped: defaultdict[int, defaultdict[str, list[measures.Response]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for client_id, channel, received, due, response in rows:
        known = response if response is not None and response <= now else None
        hours = calendar.business_hours(received, known) if known else None
        grouped[client_id][channel].append(measures.Response(received, due, known, hours))
    return {
        client_id: {ch: measures.response_stats(items, now=now) for ch, items in by_channel.items()}
        for client_id, by_channel in grouped.items()
    }


@dataclass(frozen=True)
class _Plan:
    client_id: int
    starts_on: dt.date
    intervals: dict[str, int]
    lost_on: dt.date | None


def _plans(
    workspace: Workspace, client_ids: Sequence[int] | None, known_at: dt.datetime | None = None
) -> list[_Plan]:
    qs = _scoped(CommunicationPlan.objects.for_workspace(workspace), client_ids)
    if known_at is not None:
        qs = qs.filter(created_at__lte=known_at)
    rows = qs.values_list(
        "client_id",
        "starts_on",
        "check_in_days",
        "review_days",
        "budget_update_days",
        "client__relationship_start",
        "client__lost_on",
    )
    plans = []
    for client_id, starts, check_in, review, budget, relationship, lost in rows:
        values = dict(zip(CADENCE_KINDS, (check_in, review, budget), strict=True))
        intervals = {kind: days for kind, days in values.items() if days}
        plans.append(_Plan(client_id, max(starts, relationship), intervals, lost))
    return plans


def _held_days(
    workspace: Workspace,
    calendar: bt.BusinessCalendar,
    client_ids: Sequence[int] | None,
    *,
    until: dt.datetime,
    known_at: dt.datetime | None = None,
    versions: Sequence[dict[str, Any]] = (),
) -> dict[tuple[int, str], list[dt.date]]:
    """(client, kind) → the sorted local days a touch of a planned kind took place (with the
    ``versions`` of touches edited after ``known_at``, as they stood then)."""
    qs = _scoped(Interaction.objects.for_workspace(workspace), client_ids).filter(
        kind__in=list(CADENCE_KINDS), occurred_at__lt=until
    )
    if known_at is not None:
        qs = qs.filter(recorded_at__lte=known_at)
    rows = (
        qs.annotate(day=TruncDate("occurred_at", tzinfo=calendar.zone))
        .values_list("client_id", "kind", "day")
        .distinct()
    )
    held: defaultdict[tuple[int, str], set[dt.date]] = defaultdict(set)
    for client_id, kind, day in rows:
        held[(client_id, kind)].add(day)
    for touch in versions:
        if touch["kind"] in CADENCE_KINDS and touch["occurred_at"] < until:
            day = touch["occurred_at"].astimezone(calendar.zone).date()
            held[(touch["client_id"], touch["kind"])].add(day)
    return {key: sorted(days) for key, days in held.items()}


def _end_of(day: dt.date, zone: Any) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def cadence_measures(
    workspace: Workspace,
    *,
    as_of: dt.date,
    client_ids: Sequence[int] | None = None,
    calendar: bt.BusinessCalendar | None = None,
) -> dict[int, list[measures.Adherence]]:
    """Per client with a plan: for each planned kind, periods held vs due, days since the last
    one, and how far overdue it is. Two queries."""
    calendar = calendar or sla.business_calendar(workspace)
    held = _held_days(workspace, calendar, client_ids, until=_end_of(as_of, calendar.zone))
    result: dict[int, list[measures.Adherence]] = {}
    for plan in _plans(workspace, client_ids):
        end = min(as_of, plan.lost_on) if plan.lost_on else as_of
        result[plan.client_id] = [
            measures.adherence(
                kind,
                days,
                start=plan.starts_on,
                as_of=end,
                held=held.get((plan.client_id, kind), []),
            )
            for kind, days in plan.intervals.items()
        ]
    return result


def last_touches(
    workspace: Workspace, *, now: dt.datetime, client_ids: Sequence[int] | None = None
) -> dict[int, dt.datetime]:
    """Each client's most recent interaction up to ``now``. One query."""
    rows = (
        _scoped(Interaction.objects.for_workspace(workspace), client_ids)
        .filter(occurred_at__lte=now)
        .values("client_id")
        .annotate(last=Max("occurred_at"))
        .values_list("client_id", "last")
    )
    return dict(rows)


# Facts for the trust index, as known at an instant


def inquiry_facts(
    workspace: Workspace,
    *,
    as_of: dt.datetime,
    since: dt.date | None = None,
    client_ids: Sequence[int] | None = None,
    versions: Versions | None = None,
) -> dict[int, list[ind.Inquiry]]:
    """Per client: inquiries recorded by ``as_of`` (received since ``since``), each with its
    first response if that was given and recorded by then (an inquiry edited later counts as it
    stood then). Datetimes are in the firm's zone; the SLA and the response are in the business
    hours of its calendar, as the communications page counts them. Four queries."""
    calendar = sla.business_calendar(workspace)
    qs = _scoped(Inquiry.objects.for_workspace(workspace), client_ids).filter(
        recorded_at__lte=as_of, received_at__lte=as_of
    )
    if since is not None:
        qs = qs.filter(received_at__gte=dt.datetime.combine(since, dt.time.min, calendar.zone))
    columns = (
        "client_id",
        "subject",
        "received_at",
        "sla_hours",
        "sla_due",
        "first_response_at",
        "response_recorded_at",
        *sla.STORED_FIELDS,
    )
    rows = list(qs.values_list(*columns))
    start = None if since is None else dt.datetime.combine(since, dt.time.min, calendar.zone)
    if versions is None:
        versions = versions_in_force(workspace, as_of, client_ids, (Inquiry,))
    for version in versions[Inquiry]:
        if version["received_at"] <= as_of and (start is None or version["received_at"] >= start):
            rows.append(tuple(version[column] for column in columns))
    key = sla.calendar_key(calendar)
    facts: defaultdict[int, list[ind.Inquiry]] = defaultdict(list)
    for client_id, subject, received, hours, due, response, response_recorded, *stored in rows:
        known = (
            response
            if response is not None
            and response <= as_of
            and (response_recorded is None or response_recorded <= as_of)
            else None
        )
        fresh = stored[0] if stored[1:] == [key, received, known] else None
        facts[client_id].append(
            _inquiry_fact(calendar, subject, received, hours, due, known, counted=fresh)
        )
    return dict(facts)


def _inquiry_fact(
    calendar: bt.BusinessCalendar,
    subject: str,
    received: dt.datetime,
    sla_hours: Any,
    due: dt.datetime,
    response: dt.datetime | None,
    *,
    counted: float | None = None,
) -> ind.Inquiry:
    """The index's inquiry, its response in business hours (``counted`` when already stored
    on this calendar, see ``sla.store_response_hours``)."""
    zone = calendar.zone
    hours = None
    if response is not None:
        hours = counted if counted is not None else calendar.business_hours(received, response)
    return ind.Inquiry(
        subject,
        received.astimezone(zone),
        due.astimezone(zone),
        response.astimezone(zone) if response else None,
        response_hours=hours,
        sla_hours=float(sla_hours),
    )


def inquiries_past_sla(
    workspace: Workspace, *, now: dt.datetime, client_ids: Sequence[int] | None = None
) -> dict[int, list[ind.Inquiry]]:
    """Per client: the inquiries unanswered past their SLA deadline at the instant ``now``,
    the Inbox's overdue ones (what the SLA alert watches). Three queries."""
    calendar = sla.business_calendar(workspace)
    qs = _scoped(list_inquiries(workspace, state="past_sla", now=now), client_ids)
    facts: defaultdict[int, list[ind.Inquiry]] = defaultdict(list)
    for client_id, subject, received, hours, due in qs.values_list(
        "client_id", "subject", "received_at", "sla_hours", "sla_due"
    ):
        facts[client_id].append(_inquiry_fact(calendar, subject, received, hours, due, None))
    return dict(facts)


def cadence_facts(
    workspace: Workspace,
    *,
    as_of: dt.datetime,
    since: dt.date | None = None,
    client_ids: Sequence[int] | None = None,
    versions: Versions | None = None,
) -> dict[int, list[ind.CadencePeriod]]:
    """Per client with a plan (made by ``as_of``): the periods of each planned cadence up to
    ``as_of``, held or not, counting only touches recorded by then. Three queries."""
    calendar = sla.business_calendar(workspace)
    if versions is None:
        versions = versions_in_force(workspace, as_of, client_ids, (Interaction,))
    held = _held_days(
        workspace,
        calendar,
        client_ids,
        until=as_of,
        known_at=as_of,
        versions=versions[Interaction],
    )
    today = as_of.astimezone(calendar.zone).date()
    facts: dict[int, list[ind.CadencePeriod]] = {}
    for plan in _plans(workspace, client_ids, known_at=as_of):
        end = min(today, plan.lost_on) if plan.lost_on else today
        periods: list[ind.CadencePeriod] = []
        for kind, days in plan.intervals.items():
            label = InteractionKind(kind).label.lower()
            periods += [
                p
                for p in measures.cadence_periods(
                    label,
                    days,
                    start=plan.starts_on,
                    end=end,
                    held=held.get((plan.client_id, kind), []),
                )
                if since is None or p.due >= since
            ]
        if periods:
            facts[plan.client_id] = periods
    return facts


type Versions = dict[type[Model], list[dict[str, Any]]]


def versions_in_force(
    workspace: Workspace,
    as_of: dt.datetime,
    client_ids: Sequence[int] | None,
    models: Sequence[type[Model]] = (Inquiry, Interaction, Commitment),
) -> Versions:
    """The versions in force at the instant ``as_of`` (inclusive) of facts edited later, for
    ``versions=`` of the facts selectors (one query for all of them)."""
    known_before = as_of + dt.timedelta(microseconds=1)
    return history.as_of(models, workspace, known_before, client_ids)


def commitment_facts(
    workspace: Workspace,
    *,
    as_of: dt.datetime,
    since: dt.date | None = None,
    client_ids: Sequence[int] | None = None,
    versions: Versions | None = None,
) -> dict[int, list[ind.DueItem]]:
    """Per client: commitments recorded by ``as_of`` (due since ``since``), done when marked
    done by then; a broken one is never done. One edited later counts as it stood then. Two
    queries."""
    qs = _scoped(Commitment.objects.for_workspace(workspace), client_ids).filter(
        recorded_at__lte=as_of
    )
    if since is not None:
        qs = qs.filter(due_on__gte=since)
    facts: defaultdict[int, list[ind.DueItem]] = defaultdict(list)
    columns = ("client_id", "description", "due_on", "done_on", "settled_at")
    rows = list(qs.values_list(*columns))
    if versions is None:
        versions = versions_in_force(workspace, as_of, client_ids, (Commitment,))
    for version in versions[Commitment]:
        if since is None or version["due_on"] >= since:
            rows.append(tuple(version[column] for column in columns))
    for client_id, description, due, done, settled in rows:
        known = done if done is not None and settled is not None and settled <= as_of else None
        facts[client_id].append(ind.DueItem(description, due, known))
    return dict(facts)
