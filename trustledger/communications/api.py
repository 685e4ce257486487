"""Communication plans, interactions, inquiries and commitments in the REST API, and the firm's
business hours and holidays their SLAs are counted on.

Each route looks its object up within the caller's workspace (another firm's id is a 404),
checks the caller's role, resolves the ids in the body within the same workspace (a wrong one is
a 400 naming the field) and calls one service. Shapes live in ``schemas``.
"""

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from trustledger.api.auth import ApiCaller, caller
from trustledger.api.errors import ERRORS
from trustledger.api.errors import created as _created
from trustledger.api.errors import ok as _ok
from trustledger.api.errors import workspace_member as _member
from trustledger.api.fields import changes
from trustledger.api.pagination import Pagination
from trustledger.clients.models import Client, Contact
from trustledger.communications import selectors, services, sla
from trustledger.communications.models import (
    BusinessCalendar,
    Commitment,
    CommunicationPlan,
    Holiday,
    Inquiry,
    Interaction,
    Source,
)
from trustledger.communications.schemas import (
    CalendarIn,
    CalendarOut,
    ClientMeasures,
    CommitmentFilter,
    CommitmentIn,
    CommitmentOut,
    CommitmentPatch,
    CommunicationPlanFilter,
    CommunicationPlanIn,
    CommunicationPlanOut,
    CommunicationPlanPatch,
    HolidayIn,
    HolidayOut,
    InquiryFilter,
    InquiryIn,
    InquiryOut,
    InquiryPatch,
    InteractionFilter,
    InteractionIn,
    InteractionOut,
    InteractionPatch,
    MeasuresFilter,
    MomentIn,
    SettleIn,
)
from trustledger.core.extensions import api_routers
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import WorkspaceScoped, get_for_workspace_or_404

router = Router(tags=["communications"])
api_routers.register(router)


def _find[M: WorkspaceScoped](
    model: type[M], workspace: Workspace, pk: int | None, field: str, **scope: Any
) -> M | None:
    """The object ``pk`` names within the workspace (and ``scope``), None for None, else a 400."""
    if pk is None:
        return None
    obj = model.objects.for_workspace(workspace).filter(pk=pk, **scope).first()
    if obj is None:
        where = "this client" if "client" in scope else "this workspace"
        raise DomainError(f"No {model._meta.verbose_name} of {where} has this id.", field=field)
    return obj


def _client(who: ApiCaller, pk: int, action: Action) -> Client:
    client = _find(Client, who.workspace, pk, "client_id")
    assert client is not None
    who.require(action, client)
    return client


def _resolve(who: ApiCaller, client: Client, data: dict[str, Any]) -> dict[str, Any]:
    """Turn the ids of a body into objects of this workspace (and client), or a 400."""
    ws = who.workspace
    for name, model in (("contact", Contact), ("interaction", Interaction)):
        if f"{name}_id" in data:
            data[name] = _find(model, ws, data.pop(f"{name}_id"), f"{name}_id", client=client)
    for name in ("person", "owner"):
        if f"{name}_id" in data:
            data[name] = _member(ws, data.pop(f"{name}_id"), f"{name}_id")
    return data


def _get[M: WorkspaceScoped](who: ApiCaller, model: type[M], pk: int, action: Action) -> M:
    obj = get_for_workspace_or_404(model, who.workspace, pk=pk)
    client: Client = obj.client  # type: ignore[attr-defined]
    who.require(action, client)
    return obj


# Plans


def _plan_data(who: ApiCaller, client: Client, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("members") is not None:
        data["members"] = [
            (_member(who.workspace, m.get("person_id"), "members"), m.get("role", ""))
            for m in data["members"]
        ]
    elif "members" in data:
        data.pop("members")
    if data.get("escalations") is not None:
        data["escalations"] = [
            (
                e.get("level", 1),
                _find(Contact, who.workspace, e.get("contact_id"), "escalations", client=client),
                _member(who.workspace, e.get("person_id"), "escalations"),
            )
            for e in data["escalations"]
        ]
    elif "escalations" in data:
        data.pop("escalations")
    if "sla_hours" in data and data["sla_hours"] is None:
        data["sla_hours"] = {}
    for field in ("preferred_channels", "starts_on", "notes"):
        if field in data and data[field] is None:
            data.pop(field)
    return data


@router.get("/communication-plans", response=_ok(list[CommunicationPlanOut]))
@paginate(Pagination)
def list_plans(request: HttpRequest, filters: Query[CommunicationPlanFilter]) -> Any:
    return selectors.list_plans(caller(request).workspace, client_id=filters.client_id)


@router.post("/communication-plans", response=_created(CommunicationPlanOut))
def create_plan(request: HttpRequest, payload: CommunicationPlanIn) -> Any:
    """A client has one plan: creating a second is refused (change the first instead)."""
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    data = changes(payload)
    client = _client(who, data.pop("client_id"), Action.MANAGE_CLIENTS)
    if CommunicationPlan.objects.filter(client=client).exists():
        raise DomainError("This client already has a plan: change it instead.", field="client_id")
    plan = services.save_plan(client, by=who.user, **_plan_data(who, client, data))
    return Status(201, plan)


@router.get("/communication-plans/{plan_id}", response=_ok(CommunicationPlanOut))
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return get_for_workspace_or_404(CommunicationPlan, caller(request).workspace, pk=plan_id)


@router.patch("/communication-plans/{plan_id}", response=_ok(CommunicationPlanOut))
def update_plan(request: HttpRequest, plan_id: int, payload: CommunicationPlanPatch) -> Any:
    who = caller(request)
    plan = _get(who, CommunicationPlan, plan_id, Action.MANAGE_CLIENTS)
    data = _plan_data(who, plan.client, changes(payload))
    return services.save_plan(plan.client, by=who.user, **data)


# Interactions


@router.get("/interactions", response=_ok(list[InteractionOut]))
@paginate(Pagination)
def list_interactions(request: HttpRequest, filters: Query[InteractionFilter]) -> Any:
    return selectors.list_interactions(
        caller(request).workspace,
        client_id=filters.client_id,
        channel=filters.channel or "",
        kind=filters.kind or "",
        since=filters.since,
        until=filters.until,
    )


@router.post("/interactions", response=_created(InteractionOut))
def record_interaction(request: HttpRequest, payload: InteractionIn) -> Any:
    who = caller(request)
    who.require(Action.LOG_WORK)
    data = payload.dict()
    client = _client(who, data.pop("client_id"), Action.LOG_WORK)
    data = _resolve(who, client, data)
    interaction = services.record_interaction(client, by=who.user, source=Source.API, **data)
    return Status(201, interaction)


@router.get("/interactions/{interaction_id}", response=_ok(InteractionOut))
def get_interaction(request: HttpRequest, interaction_id: int) -> Any:
    return get_for_workspace_or_404(Interaction, caller(request).workspace, pk=interaction_id)


@router.patch("/interactions/{interaction_id}", response=_ok(InteractionOut))
def update_interaction(request: HttpRequest, interaction_id: int, payload: InteractionPatch) -> Any:
    who = caller(request)
    interaction = _get(who, Interaction, interaction_id, Action.LOG_WORK)
    data = _resolve(who, interaction.client, changes(payload))
    for required in ("channel", "direction", "kind", "occurred_at", "subject"):
        if required in data and data[required] is None:
            raise DomainError("This field cannot be emptied.", field=required)
    return services.update_interaction(interaction, by=who.user, **data)


# Inquiries


@router.get("/inquiries", response=_ok(list[InquiryOut]))
@paginate(Pagination)
def list_inquiries(request: HttpRequest, filters: Query[InquiryFilter]) -> Any:
    """``state``: open, answered, resolved, breached (answered late or unanswered past the
    SLA), past_sla (unanswered past the SLA now: the Inbox's overdue ones, those the SLA alerts
    name), at_or_past_sla (unanswered, due within two hours or overdue)."""
    return selectors.list_inquiries(
        caller(request).workspace,
        client_id=filters.client_id,
        channel=filters.channel or "",
        state=filters.state or "",
    )


@router.post("/inquiries", response=_created(InquiryOut))
def record_inquiry(request: HttpRequest, payload: InquiryIn) -> Any:
    """The SLA deadline is computed from the client's plan and the firm's business hours."""
    who = caller(request)
    who.require(Action.LOG_WORK)
    data = payload.dict()
    client = _client(who, data.pop("client_id"), Action.LOG_WORK)
    data = _resolve(who, client, data)
    return Status(201, services.record_inquiry(client, by=who.user, source=Source.API, **data))


@router.get("/inquiries/{inquiry_id}", response=_ok(InquiryOut))
def get_inquiry(request: HttpRequest, inquiry_id: int) -> Any:
    return get_for_workspace_or_404(Inquiry, caller(request).workspace, pk=inquiry_id)


@router.patch("/inquiries/{inquiry_id}", response=_ok(InquiryOut))
def update_inquiry(request: HttpRequest, inquiry_id: int, payload: InquiryPatch) -> Any:
    who = caller(request)
    inquiry = _get(who, Inquiry, inquiry_id, Action.LOG_WORK)
    data = _resolve(who, inquiry.client, changes(payload))
    for required in ("channel", "priority", "subject", "received_at"):
        if required in data and data[required] is None:
            raise DomainError("This field cannot be emptied.", field=required)
    return services.update_inquiry(inquiry, by=who.user, **data)


@router.post("/inquiries/{inquiry_id}/response", response=_ok(InquiryOut))
def record_response(request: HttpRequest, inquiry_id: int, payload: MomentIn) -> Any:
    """The first response: it stops the SLA clock."""
    who = caller(request)
    inquiry = _get(who, Inquiry, inquiry_id, Action.LOG_WORK)
    return services.record_inquiry_response(inquiry, at=payload.at, by=who.user)


@router.post("/inquiries/{inquiry_id}/resolution", response=_ok(InquiryOut))
def resolve_inquiry(request: HttpRequest, inquiry_id: int, payload: MomentIn) -> Any:
    who = caller(request)
    inquiry = _get(who, Inquiry, inquiry_id, Action.LOG_WORK)
    return services.resolve_inquiry(inquiry, at=payload.at, by=who.user)


# Commitments


@router.get("/commitments", response=_ok(list[CommitmentOut]))
@paginate(Pagination)
def list_commitments(request: HttpRequest, filters: Query[CommitmentFilter]) -> Any:
    return selectors.list_commitments(
        caller(request).workspace,
        client_id=filters.client_id,
        owner_id=filters.owner_id,
        state=filters.state or "",
        due_before=filters.due_before,
    )


@router.post("/commitments", response=_created(CommitmentOut))
def record_commitment(request: HttpRequest, payload: CommitmentIn) -> Any:
    """A promise to the client; owed by the caller unless ``owner_id`` says who."""
    who = caller(request)
    who.require(Action.LOG_WORK)
    data = payload.dict()
    client = _client(who, data.pop("client_id"), Action.LOG_WORK)
    data = _resolve(who, client, data)
    return Status(201, services.record_commitment(client, by=who.user, **data))


@router.get("/commitments/{commitment_id}", response=_ok(CommitmentOut))
def get_commitment(request: HttpRequest, commitment_id: int) -> Any:
    return get_for_workspace_or_404(Commitment, caller(request).workspace, pk=commitment_id)


@router.patch("/commitments/{commitment_id}", response=_ok(CommitmentOut))
def update_commitment(request: HttpRequest, commitment_id: int, payload: CommitmentPatch) -> Any:
    who = caller(request)
    commitment = _get(who, Commitment, commitment_id, Action.LOG_WORK)
    data = _resolve(who, commitment.client, changes(payload))
    for required in ("description", "made_on", "due_on", "note"):
        if required in data and data[required] is None:
            raise DomainError("This field cannot be emptied.", field=required)
    return services.update_commitment(commitment, by=who.user, **data)


@router.post("/commitments/{commitment_id}/done", response=_ok(CommitmentOut))
def complete_commitment(request: HttpRequest, commitment_id: int, payload: SettleIn) -> Any:
    """Done on ``on`` (today): kept if by its due date, late otherwise."""
    who = caller(request)
    commitment = _get(who, Commitment, commitment_id, Action.LOG_WORK)
    return services.complete_commitment(commitment, by=who.user, on=payload.on)


@router.post("/commitments/{commitment_id}/broken", response=_ok(CommitmentOut))
def break_commitment(request: HttpRequest, commitment_id: int, payload: SettleIn) -> Any:
    who = caller(request)
    commitment = _get(who, Commitment, commitment_id, Action.LOG_WORK)
    return services.break_commitment(commitment, by=who.user, on=payload.on, note=payload.note)


# Business hours and holidays


def _calendar(workspace: Workspace) -> dict[str, Any]:
    row = BusinessCalendar.objects.for_workspace(workspace).first()
    holidays = Holiday.objects.for_workspace(workspace).order_by("date")
    calendar = sla.calendar_from(row, [], default_zone=workspace.time_zone)
    return {
        "time_zone": calendar.time_zone,
        "hours": [
            {"opens": h[0], "closes": h[1]} if h else {"opens": None, "closes": None}
            for h in calendar.hours
        ],
        "holidays": list(holidays),
    }


@router.get("/business-calendar", response=_ok(CalendarOut))
def get_business_calendar(request: HttpRequest) -> Any:
    """The firm's opening hours (office hours in its time zone until set) and holidays."""
    return _calendar(caller(request).workspace)


@router.put("/business-calendar", response=_ok(CalendarOut))
def set_business_calendar(request: HttpRequest, payload: CalendarIn) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    hours = [
        (d.opens, d.closes) if d.opens is not None and d.closes is not None else None
        for d in payload.hours
    ]
    sla.update_business_calendar(
        who.workspace, by=who.user, time_zone=payload.time_zone, hours=hours
    )
    return _calendar(who.workspace)


@router.get("/holidays", response=_ok(list[HolidayOut]))
@paginate(Pagination)
def list_holidays(request: HttpRequest) -> Any:
    return Holiday.objects.for_workspace(caller(request).workspace).order_by("date")


@router.post("/holidays", response=_created(HolidayOut))
def add_holiday(request: HttpRequest, payload: HolidayIn) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    holiday = sla.add_holiday(who.workspace, by=who.user, date=payload.date, name=payload.name)
    return Status(201, holiday)


@router.delete("/holidays/{holiday_id}", response={204: None, **ERRORS})
def remove_holiday(request: HttpRequest, holiday_id: int) -> Any:
    who = caller(request)
    holiday = get_for_workspace_or_404(Holiday, who.workspace, pk=holiday_id)
    who.require(Action.MANAGE_WORKSPACE)
    sla.remove_holiday(holiday, by=who.user)
    return Status(204, None)


# Measures


@router.get("/communications/measures", response=_ok(list[ClientMeasures]))
def measures(request: HttpRequest, filters: Query[MeasuresFilter]) -> Any:
    """Per client: first-response median and p90 (business hours), SLA attainment and open
    inquiries past their SLA by channel over 180 days; cadence adherence by planned kind; the
    last touch. For all clients at once, in a fixed number of queries."""
    workspace = caller(request).workspace
    client_id, as_of = filters.client_id, filters.as_of
    now = timezone.now()
    if as_of is not None:
        now = min(now, dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, dt.UTC))
    ids = [client_id] if client_id else None
    calendar = sla.business_calendar(workspace)
    stats = selectors.response_measures(workspace, now=now, client_ids=ids, calendar=calendar)
    cadence = selectors.cadence_measures(
        workspace, as_of=now.date(), client_ids=ids, calendar=calendar
    )
    touches = selectors.last_touches(workspace, now=now, client_ids=ids)
    clients = sorted(set(stats) | set(cadence) | set(touches))
    return [
        {
            "client_id": c,
            "last_touch": touches.get(c),
            "responsiveness": [
                {"channel": ch, **asdict(s), "attainment": s.attainment}
                for ch, s in sorted(stats.get(c, {}).items())
            ],
            "cadence": [{**asdict(a), "rate": a.rate} for a in cadence.get(c, [])],
        }
        for c in clients
    ]
