"""Trust recovery in the REST API: plans and every step of them, and the systemic issues.

Each route looks its object up within the caller's workspace (another firm's id is a 404); the
client's account manager, leaders, owners and read-write keys act, everyone reads. Ids in a body
resolve within the same workspace and plan, or the answer is a 400 naming the field.
"""

from typing import Any

from django.http import HttpRequest
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
from trustledger.core.extensions import api_routers
from trustledger.recovery import selectors, services
from trustledger.recovery.models import Action, Fishbone, Goal, RecoveryPlan, RootCause, WhyChain
from trustledger.recovery.schemas import (
    AcknowledgeIn,
    ActionIn,
    ActionOut,
    ActionPatch,
    CauseIn,
    CauseOut,
    ChainIn,
    ChainOut,
    GoalIn,
    GoalOut,
    GoalPatch,
    RecoveryPlanCloseIn,
    RecoveryPlanDetailOut,
    RecoveryPlanFilter,
    RecoveryPlanIn,
    RecoveryPlanOut,
    RecoveryPlanPatch,
    StepOut,
    SystemicOut,
    UpdateIn,
    UpdateOut,
    WhyIn,
    WinIn,
    WinOut,
)
from trustledger.trust.forms import LABELS
from trustledger.trust.models import Alert
from trustledger.workspaces.permissions import Action as Perm
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

router = Router(tags=["recovery"])
api_routers.register(router)


def _of_plan[M: (RootCause, WhyChain)](
    model: type[M], plan: RecoveryPlan, pk: int | None, field: str
) -> M | None:
    if pk is None:
        return None
    obj = model.objects.for_workspace(plan.workspace).filter(pk=pk, plan=plan).first()
    if obj is None:
        raise DomainError(f"No {model._meta.verbose_name} of this plan has this id.", field=field)
    return obj


def _plan(who: ApiCaller, plan_id: int, *, act: bool = True) -> RecoveryPlan:
    plan = get_for_workspace_or_404(RecoveryPlan, who.workspace, pk=plan_id)
    if act:
        who.require(Perm.MANAGE_CLIENTS, plan.client)
    return plan


def _detail(plan: RecoveryPlan) -> RecoveryPlan:
    found = selectors.plan_for_page(plan.workspace, plan.pk).first()
    assert found is not None
    return found


# Plans


@router.get("/recovery-plans", response=_ok(list[RecoveryPlanOut]))
@paginate(Pagination)
def list_plans(request: HttpRequest, filters: Query[RecoveryPlanFilter]) -> Any:
    return selectors.list_plans(
        caller(request).workspace,
        status=filters.status or "",
        client_id=filters.client_id,
        owner_id=filters.owner_id,
        factor=filters.factor or "",
        category=filters.category or "",
    )


@router.post("/recovery-plans", response=_created(RecoveryPlanDetailOut))
def open_plan(request: HttpRequest, payload: RecoveryPlanIn) -> Any:
    """Open a plan for a client, from one of its alerts or by hand. The evidence copies the
    alert and the client's trust snapshot; index and NPS before are measured now."""
    who = caller(request)
    who.require(Perm.MANAGE_CLIENTS)
    ws = who.workspace
    client = Client.objects.for_workspace(ws).filter(pk=payload.client_id).first()
    if client is None:
        raise DomainError("No client of this workspace has this id.", field="client_id")
    who.require(Perm.MANAGE_CLIENTS, client)
    alert = None
    if payload.alert_id is not None:
        alert = Alert.objects.for_workspace(ws).filter(pk=payload.alert_id, client=client).first()
        if alert is None:
            raise DomainError("No alert of this client has this id.", field="alert_id")
    plan = services.open_plan(
        client,
        by=who.user,
        alert=alert,
        title=payload.title,
        trigger=payload.trigger,
        owner=_member(ws, payload.owner_id, "owner_id"),
        update_every_days=payload.update_every_days,
        shared_with_client=payload.shared_with_client,
    )
    return Status(201, _detail(plan))


@router.get("/recovery-plans/{recovery_plan_id}", response=_ok(RecoveryPlanDetailOut))
def get_plan(request: HttpRequest, recovery_plan_id: int) -> Any:
    return _detail(_plan(caller(request), recovery_plan_id, act=False))


@router.patch("/recovery-plans/{recovery_plan_id}", response=_ok(RecoveryPlanDetailOut))
def update_plan(request: HttpRequest, recovery_plan_id: int, payload: RecoveryPlanPatch) -> Any:
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    data = changes(payload)
    if "owner_id" in data:
        data["owner"] = _member(who.workspace, data.pop("owner_id"), "owner_id")
    for field in ("title", "trigger", "update_every_days", "shared_with_client"):
        if field in data and data[field] is None:
            raise DomainError("This field cannot be emptied.", field=field)
    return _detail(services.update_plan(plan, by=who.user, **data))


@router.delete("/recovery-plans/{recovery_plan_id}", response={204: None, **ERRORS})
def delete_plan(request: HttpRequest, recovery_plan_id: int) -> Any:
    """Deleting a plan's history is a leader's or an owner's decision."""
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    who.require(Perm.OVERRIDE)
    services.delete_plan(plan, by=who.user)
    return Status(204, None)


@router.post(
    "/recovery-plans/{recovery_plan_id}/acknowledgement", response=_ok(RecoveryPlanDetailOut)
)
def acknowledge(request: HttpRequest, recovery_plan_id: int, payload: AcknowledgeIn) -> Any:
    """Replace the acknowledgement: meeting dates, attendees, responsibility, notes."""
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    people = [_member(who.workspace, pk, "person_ids") for pk in payload.person_ids]
    contacts = list(
        Contact.objects.for_workspace(who.workspace).filter(
            pk__in=payload.contact_ids, client_id=plan.client_id
        )
    )
    if len(contacts) != len(set(payload.contact_ids)):
        raise DomainError("No contact of this client has one of these ids.", field="contact_ids")
    services.acknowledge(
        plan,
        by=who.user,
        meeting_scheduled_on=payload.meeting_scheduled_on,
        meeting_held_on=payload.meeting_held_on,
        people=[p for p in dict.fromkeys(people) if p is not None],
        contacts=contacts,
        responsibility_taken=payload.responsibility_taken,
        responsibility_wording=payload.responsibility_wording,
        notes=payload.notes,
    )
    return _detail(plan)


@router.post("/recovery-plans/{recovery_plan_id}/close", response=_ok(RecoveryPlanDetailOut))
def close_plan(request: HttpRequest, recovery_plan_id: int, payload: RecoveryPlanCloseIn) -> Any:
    """Close with an outcome; the index and NPS after are measured and stored."""
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    services.close_plan(plan, by=who.user, **payload.dict())
    return _detail(plan)


# Root causes


@router.post("/recovery-plans/{recovery_plan_id}/why-chains", response=_created(ChainOut))
def add_chain(request: HttpRequest, recovery_plan_id: int, payload: ChainIn) -> Any:
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    steps = [(s.why, s.answer) for s in payload.steps]
    chain = services.add_chain(plan, by=who.user, problem=payload.problem, steps=steps)
    return Status(201, chain)


@router.post("/recovery-why-chains/{recovery_chain_id}/whys", response=_created(StepOut))
def add_why(request: HttpRequest, recovery_chain_id: int, payload: WhyIn) -> Any:
    who = caller(request)
    chain = get_for_workspace_or_404(WhyChain, who.workspace, pk=recovery_chain_id)
    who.require(Perm.MANAGE_CLIENTS, chain.plan.client)
    return Status(201, services.add_why(chain, by=who.user, why=payload.why, answer=payload.answer))


@router.post("/recovery-plans/{recovery_plan_id}/root-causes", response=_created(CauseOut))
def add_cause(request: HttpRequest, recovery_plan_id: int, payload: CauseIn) -> Any:
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    data = payload.dict()
    data["chain"] = _of_plan(WhyChain, plan, data.pop("chain_id"), "chain_id")
    return Status(201, services.add_cause(plan, by=who.user, **data))


# Improvement plan


@router.post("/recovery-plans/{recovery_plan_id}/actions", response=_created(ActionOut))
def add_action(request: HttpRequest, recovery_plan_id: int, payload: ActionIn) -> Any:
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    action = services.add_action(
        plan,
        by=who.user,
        title=payload.title,
        due_on=payload.due_on,
        owner=_member(who.workspace, payload.owner_id, "owner_id"),
        cause=_of_plan(RootCause, plan, payload.cause_id, "cause_id"),
    )
    return Status(201, action)


@router.patch("/recovery-actions/{recovery_action_id}", response=_ok(ActionOut))
def update_action(request: HttpRequest, recovery_action_id: int, payload: ActionPatch) -> Any:
    """Change an action or its status; done takes ``done_on`` (default today)."""
    who = caller(request)
    action = get_for_workspace_or_404(Action, who.workspace, pk=recovery_action_id)
    plan = action.plan
    who.require(Perm.MANAGE_CLIENTS, plan.client)
    data = changes(payload)
    if "owner_id" in data:
        data["owner"] = _member(who.workspace, data.pop("owner_id"), "owner_id")
    if "cause_id" in data:
        data["cause"] = _of_plan(RootCause, plan, data.pop("cause_id"), "cause_id")
    for field in ("title", "due_on", "status"):
        if field in data and data[field] is None:
            raise DomainError("This field cannot be emptied.", field=field)
    return services.update_action(action, by=who.user, **data)


@router.post("/recovery-plans/{recovery_plan_id}/goals", response=_created(GoalOut))
def add_goal(request: HttpRequest, recovery_plan_id: int, payload: GoalIn) -> Any:
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    return Status(201, services.add_goal(plan, by=who.user, **payload.dict()))


@router.patch("/recovery-goals/{recovery_goal_id}", response=_ok(GoalOut))
def update_goal(request: HttpRequest, recovery_goal_id: int, payload: GoalPatch) -> Any:
    who = caller(request)
    goal = get_for_workspace_or_404(Goal, who.workspace, pk=recovery_goal_id)
    who.require(Perm.MANAGE_CLIENTS, goal.plan.client)
    data = changes(payload)
    for field in ("measure", "target"):
        if field in data and data[field] is None:
            raise DomainError("This field cannot be emptied.", field=field)
    return services.update_goal(goal, by=who.user, **data)


# Updates and wins


@router.post("/recovery-plans/{recovery_plan_id}/updates", response=_created(UpdateOut))
def send_update(request: HttpRequest, recovery_plan_id: int, payload: UpdateIn) -> Any:
    """A progress update to the client, logged as an outbound interaction."""
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    return Status(201, services.send_update(plan, by=who.user, **payload.dict()))


@router.post("/recovery-plans/{recovery_plan_id}/wins", response=_created(WinOut))
def record_win(request: HttpRequest, recovery_plan_id: int, payload: WinIn) -> Any:
    who = caller(request)
    plan = _plan(who, recovery_plan_id)
    return Status(201, services.record_win(plan, by=who.user, **payload.dict()))


# Systemic issues


@router.get("/recovery/systemic-issues", response=_ok(SystemicOut))
def systemic_issues(request: HttpRequest) -> Any:
    """Root causes across plans by erosion factor and by fishbone category; ``recurs`` when
    found in two plans or more."""
    workspace = caller(request).workspace
    categories = dict(Fishbone.choices)

    def rows(by: str, labels: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {
                "key": r.key,
                "label": labels.get(r.key, r.key),
                "causes": r.causes,
                "plans": r.plans,
                "clients": r.clients,
                "recurs": r.recurs,
            }
            for r in selectors.recurring_causes(workspace, by)
        ]

    return {"by_factor": rows("factor", LABELS), "by_category": rows("category", categories)}
