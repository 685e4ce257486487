"""Engagements and their delivery facts in the REST API.

Each route looks its object up within the caller's workspace (another firm's id is a 404), checks
the caller's role, resolves every id in the body within the same workspace and engagement (a
wrong one is a 400 naming the field) and calls one service. Shapes live in ``schemas``.
"""

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from trustledger.api.auth import ApiCaller, caller
from trustledger.api.errors import ERRORS
from trustledger.api.errors import created as _created
from trustledger.api.errors import ok as _ok
from trustledger.api.fields import changes
from trustledger.api.pagination import Pagination
from trustledger.clients.models import Client, Contact
from trustledger.core.clock import local_today
from trustledger.core.extensions import api_routers
from trustledger.engagements import selectors, services, time_scope
from trustledger.engagements.models import (
    Assignment,
    ChangeRequest,
    Deliverable,
    Engagement,
    Milestone,
    Notice,
    QualityIssue,
    Responsibility,
    ScopeItem,
    SuccessCriterion,
    TaskMapping,
    TimeEntry,
)
from trustledger.engagements.schemas import (
    AssessmentIn,
    AssignmentIn,
    AssignmentOut,
    CapacityOut,
    ChangeRequestFilter,
    ChangeRequestIn,
    ChangeRequestOut,
    CharterRoleIn,
    CharterRoleOut,
    CriterionIn,
    CriterionOut,
    DecisionIn,
    DeliverableFilter,
    DeliverableIn,
    DeliverableOut,
    DeliverableReviewIn,
    DeliverableReviewOut,
    DeliverIn,
    EngagementDetailOut,
    EngagementFilter,
    EngagementIn,
    EngagementOut,
    EngagementPatch,
    MilestoneFilter,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    NoticeFilter,
    NoticeIn,
    NoticeOut,
    QualityIssueFilter,
    QualityIssueIn,
    QualityIssueOut,
    ResolveIn,
    ScopeItemIn,
    ScopeItemOut,
    SignOffIn,
    StatusIn,
    SubmitIn,
    TaskHoursOut,
    TaskMappingIn,
    TaskMappingOut,
    TaskMappingSavedOut,
    TimeEntryFilter,
    TimeEntryIn,
    TimeEntryOut,
    TimeEntryPatch,
    TimeScopeOut,
)
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import WorkspaceScoped, get_for_workspace_or_404

router = Router(tags=["engagements"])
api_routers.register(router)
SCOPE_LABELS = {"engagement": "this engagement", "client": "this engagement's client"}
CENT = Decimal("0.01")
EVM_FIGURES = (
    *("cost_variance", "schedule_variance", "cpi", "spi", "eac", "etc", "vac", "tcpi"),
    "forecast_overrun",
)


def _find[M: WorkspaceScoped](
    model: type[M], workspace: Workspace, pk: int, field: str, **scope: Any
) -> M:
    """The object ``pk`` names within the workspace (and ``scope``), or a 400 on ``field``."""
    obj = model.objects.for_workspace(workspace).filter(pk=pk, **scope).first()
    if obj is None:
        where = next(
            (label for key, label in SCOPE_LABELS.items() if key in scope), "this workspace"
        )
        raise DomainError(f"No {model._meta.verbose_name} of {where} has this id.", field=field)
    return obj


def _find_optional[M: WorkspaceScoped](
    model: type[M], workspace: Workspace, pk: int | None, field: str, **scope: Any
) -> M | None:
    return None if pk is None else _find(model, workspace, pk, field, **scope)


def _member(workspace: Workspace, pk: int, field: str) -> User:
    """The member of the workspace ``pk`` names, or a 400 on ``field``."""
    user = User.objects.filter(pk=pk, memberships__workspace=workspace).first()
    if user is None:
        raise DomainError("No member of this workspace has this id.", field=field)
    return user


def _member_optional(workspace: Workspace, pk: int | None, field: str) -> User | None:
    return None if pk is None else _member(workspace, pk, field)


def _engagement(who: ApiCaller, engagement_id: int, action: Action) -> Engagement:
    """The caller's engagement, after checking ``action`` (managing: on its client)."""
    engagement = get_for_workspace_or_404(Engagement, who.workspace, pk=engagement_id)
    who.require(action, engagement.client if action == Action.MANAGE_CLIENTS else engagement)
    return engagement


def _get[M: WorkspaceScoped](who: ApiCaller, model: type[M], pk: int, action: Action) -> M:
    """A child of an engagement (milestone, deliverable, ...), after checking ``action``."""
    obj = get_for_workspace_or_404(model, who.workspace, pk=pk)
    engagement: Engagement = obj.engagement  # type: ignore[attr-defined]
    who.require(action, engagement.client if action == Action.MANAGE_CLIENTS else engagement)
    return obj


# Engagements


@router.get("/engagements", response=_ok(list[EngagementOut]))
@paginate(Pagination)
def list_engagements(request: HttpRequest, filters: Query[EngagementFilter]) -> Any:
    who = caller(request)
    who.require(Action.VIEW)
    return selectors.list_engagements(
        who.workspace, client_id=filters.client_id, status=filters.status or "", q=filters.q
    )


@router.post("/engagements", response=_created(EngagementOut))
def create_engagement(request: HttpRequest, payload: EngagementIn) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    data = payload.dict()
    client = _find(Client, who.workspace, data.pop("client_id"), "client_id")
    who.require(Action.MANAGE_CLIENTS, client)
    data["lead"] = _member_optional(who.workspace, data.pop("lead_id"), "lead_id")
    return Status(201, services.create_engagement(client, by=who.user, **data))


def _budget(engagement: Engagement, as_of: dt.date) -> dict[str, Any]:
    spent = selectors.burn(engagement, as_of)
    figures = selectors.evm(engagement, as_of)
    return {
        "as_of": as_of,
        "hours": spent.hours.quantize(CENT),
        "cost": spent.cost.quantize(CENT),
        "billed": spent.billed.quantize(CENT),
        "hours_remaining": (engagement.budget_hours - spent.hours).quantize(CENT),
        "scope_creep_hours": spent.creep_hours.quantize(CENT),
        "scope_creep_cost": spent.creep_cost.quantize(CENT),
        "unclassified_hours": spent.unclassified_hours.quantize(CENT),
        "percent_complete": selectors.percent_complete(engagement, as_of),
        **{name: getattr(figures, name) if figures else None for name in EVM_FIGURES},
    }


@router.get("/engagements/{engagement_id}", response=_ok(EngagementDetailOut))
def get_engagement(request: HttpRequest, engagement_id: int, as_of: dt.date | None = None) -> Any:
    """The engagement with its budget burn, scope creep and earned value as of a date (today)."""
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    fields = EngagementOut.from_orm(engagement).dict()
    return {**fields, "budget": _budget(engagement, as_of or timezone.localdate())}


@router.patch("/engagements/{engagement_id}", response=_ok(EngagementOut))
def update_engagement(request: HttpRequest, engagement_id: int, payload: EngagementPatch) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    data = changes(payload)
    if "lead_id" in data:
        data["lead"] = _member_optional(who.workspace, data.pop("lead_id"), "lead_id")
    return services.update_engagement(engagement, by=who.user, **data)


@router.post("/engagements/{engagement_id}/status", response=_ok(EngagementOut))
def change_status(request: HttpRequest, engagement_id: int, payload: StatusIn) -> Any:
    """Activating without a signed charter needs a leader or owner and an override reason."""
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    return services.change_status(
        engagement,
        payload.status,
        by=who.user,
        on=payload.on,
        override_reason=payload.override_reason,
    )


@router.post("/engagements/{engagement_id}/sign-off", response=_ok(EngagementOut))
def sign_off_charter(request: HttpRequest, engagement_id: int, payload: SignOffIn) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    contact = _find(
        Contact, who.workspace, payload.contact_id, "contact_id", client=engagement.client_id
    )
    return services.sign_off_charter(
        engagement, contact=contact, on=payload.signed_off_on, by=who.user
    )


@router.get("/engagements/{engagement_id}/capacity", response=_ok(CapacityOut))
def capacity(request: HttpRequest, engagement_id: int) -> Any:
    """Booked hours against capacity, week by week, for everyone assigned over its dates."""
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    loads = selectors.capacity_check(engagement)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[x.person_id for x in loads])}
    people = [
        {**asdict(x), "person_name": names.get(x.person_id, ""), "over_committed": x.over_committed}
        for x in loads
    ]
    return {
        "engagement_id": engagement.pk,
        "start_date": engagement.start_date,
        "end_date": engagement.end_date,
        "over_committed": any(x.over_committed for x in loads),
        "people": people,
    }


@router.get("/engagements/{engagement_id}/assignments", response=_ok(list[AssignmentOut]))
@paginate(Pagination)
def list_assignments(request: HttpRequest, engagement_id: int) -> Any:
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    assignments = Assignment.objects.for_workspace(engagement.workspace)
    return assignments.filter(engagement=engagement).order_by("id")


@router.post("/engagements/{engagement_id}/assignments", response=_ok(AssignmentOut))
def assign_person(request: HttpRequest, engagement_id: int, payload: AssignmentIn) -> Any:
    """Book a person for some hours a week (again: change the booking)."""
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    person = _member(who.workspace, payload.person_id, "person_id")
    return services.assign_person(
        engagement, person=person, weekly_hours=payload.weekly_hours, by=who.user
    )


@router.get("/engagements/{engagement_id}/scope-items", response=_ok(list[ScopeItemOut]))
@paginate(Pagination)
def list_scope_items(request: HttpRequest, engagement_id: int) -> Any:
    return _engagement(caller(request), engagement_id, Action.VIEW).scope_items.all()


@router.post("/engagements/{engagement_id}/scope-items", response=_created(ScopeItemOut))
def add_scope_item(request: HttpRequest, engagement_id: int, payload: ScopeItemIn) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    return Status(201, services.add_scope_item(engagement, by=who.user, **payload.dict()))


@router.get("/engagements/{engagement_id}/charter-roles", response=_ok(list[CharterRoleOut]))
@paginate(Pagination)
def list_charter_roles(request: HttpRequest, engagement_id: int) -> Any:
    """Who does what on each side: the charter's roles and responsibilities."""
    return _engagement(caller(request), engagement_id, Action.VIEW).responsibilities.all()


@router.post("/engagements/{engagement_id}/charter-roles", response=_created(CharterRoleOut))
def add_charter_role(request: HttpRequest, engagement_id: int, payload: CharterRoleIn) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    return Status(201, services.add_responsibility(engagement, by=who.user, **payload.dict()))


@router.delete("/charter-roles/{role_id}", response={204: None, **ERRORS})
def remove_charter_role(request: HttpRequest, role_id: int) -> Any:
    who = caller(request)
    role = _get(who, Responsibility, role_id, Action.MANAGE_CLIENTS)
    services.remove_responsibility(role, by=who.user)
    return Status(204, None)


@router.get("/engagements/{engagement_id}/success-criteria", response=_ok(list[CriterionOut]))
@paginate(Pagination)
def list_success_criteria(request: HttpRequest, engagement_id: int) -> Any:
    return _engagement(caller(request), engagement_id, Action.VIEW).success_criteria.all()


@router.post("/engagements/{engagement_id}/success-criteria", response=_created(CriterionOut))
def add_success_criterion(request: HttpRequest, engagement_id: int, payload: CriterionIn) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    return Status(201, services.add_success_criterion(engagement, by=who.user, **payload.dict()))


@router.post("/success-criteria/{criterion_id}/assessment", response=_ok(CriterionOut))
def assess_success_criterion(request: HttpRequest, criterion_id: int, payload: AssessmentIn) -> Any:
    who = caller(request)
    criterion = _get(who, SuccessCriterion, criterion_id, Action.MANAGE_CLIENTS)
    return services.assess_success_criterion(
        criterion, met=payload.met, on=payload.assessed_on, by=who.user
    )


# Milestones


@router.get("/engagements/{engagement_id}/milestones", response=_ok(list[MilestoneOut]))
@paginate(Pagination)
def list_milestones(
    request: HttpRequest, engagement_id: int, filters: Query[MilestoneFilter]
) -> Any:
    return filters.filter(_engagement(caller(request), engagement_id, Action.VIEW).milestones.all())


@router.post("/engagements/{engagement_id}/milestones", response=_created(MilestoneOut))
def add_milestone(request: HttpRequest, engagement_id: int, payload: MilestoneIn) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.LOG_WORK)
    return Status(201, services.add_milestone(engagement, by=who.user, **payload.dict()))


@router.get("/milestones/{milestone_id}", response=_ok(MilestoneOut))
def get_milestone(request: HttpRequest, milestone_id: int) -> Any:
    return _get(caller(request), Milestone, milestone_id, Action.VIEW)


@router.patch("/milestones/{milestone_id}", response=_ok(MilestoneOut))
def update_milestone(request: HttpRequest, milestone_id: int, payload: MilestonePatch) -> Any:
    """The committed date is the promise: a slip is recorded as a notice, not an edit."""
    who = caller(request)
    milestone = _get(who, Milestone, milestone_id, Action.LOG_WORK)
    return services.update_milestone(milestone, by=who.user, **changes(payload))


@router.post("/milestones/{milestone_id}/deliver", response=_ok(MilestoneOut))
def deliver_milestone(request: HttpRequest, milestone_id: int, payload: DeliverIn) -> Any:
    who = caller(request)
    milestone = _get(who, Milestone, milestone_id, Action.LOG_WORK)
    return services.deliver_milestone(milestone, on=payload.delivered_on, by=who.user)


# Deliverables and their reviews


@router.get("/engagements/{engagement_id}/deliverables", response=_ok(list[DeliverableOut]))
@paginate(Pagination)
def list_deliverables(
    request: HttpRequest, engagement_id: int, filters: Query[DeliverableFilter]
) -> Any:
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    return filters.filter(engagement.deliverables.prefetch_related("reviews"))


@router.post("/engagements/{engagement_id}/deliverables", response=_created(DeliverableOut))
def add_deliverable(request: HttpRequest, engagement_id: int, payload: DeliverableIn) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.LOG_WORK)
    data = payload.dict()
    data["milestone"] = _find_optional(
        Milestone, who.workspace, data.pop("milestone_id"), "milestone_id", engagement=engagement
    )
    return Status(201, services.add_deliverable(engagement, by=who.user, **data))


@router.get("/deliverables/{deliverable_id}", response=_ok(DeliverableOut))
def get_deliverable(request: HttpRequest, deliverable_id: int) -> Any:
    return _get(caller(request), Deliverable, deliverable_id, Action.VIEW)


@router.post("/deliverables/{deliverable_id}/submit", response=_ok(DeliverableOut))
def submit_deliverable(request: HttpRequest, deliverable_id: int, payload: SubmitIn) -> Any:
    who = caller(request)
    deliverable = _get(who, Deliverable, deliverable_id, Action.LOG_WORK)
    on = payload.submitted_on or local_today(who.workspace)
    return services.submit_deliverable(deliverable, on=on, by=who.user)


@router.post("/deliverables/{deliverable_id}/reviews", response=_created(DeliverableReviewOut))
def record_review(request: HttpRequest, deliverable_id: int, payload: DeliverableReviewIn) -> Any:
    """The client's verdict on a deliverable in review; a return needs its reasons."""
    who = caller(request)
    deliverable = _get(who, Deliverable, deliverable_id, Action.LOG_WORK)
    review = services.record_review(
        deliverable,
        outcome=payload.outcome,
        on=payload.reviewed_on,
        reasons=payload.reasons,
        by=who.user,
    )
    return Status(201, review)


# Time entries


def _with_creep(entries: QuerySet[TimeEntry]) -> QuerySet[TimeEntry]:
    """Give each entry its standing (scope creep or not, unclassified...), by the same rule as
    ``selectors.burn``."""
    return entries.annotate(standing=selectors.scope_standing())


@router.get("/engagements/{engagement_id}/time-entries", response=_ok(list[TimeEntryOut]))
@paginate(Pagination)
def list_time_entries(
    request: HttpRequest, engagement_id: int, filters: Query[TimeEntryFilter]
) -> Any:
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    return filters.filter(_with_creep(engagement.time_entries.all()))


@router.post("/engagements/{engagement_id}/time-entries", response=_created(TimeEntryOut))
def log_time(request: HttpRequest, engagement_id: int, payload: TimeEntryIn) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.LOG_WORK)
    data = payload.dict()
    ws, scope = who.workspace, {"engagement": engagement}
    person = _member_optional(ws, data.pop("person_id"), "person_id") or who.user
    data["person"] = person
    data["person_name"] = data["person_name"] or (person.get_full_name() if person else "")
    data["scope_item"] = _find_optional(
        ScopeItem, ws, data.pop("scope_item_id"), "scope_item_id", **scope
    )
    data["change_request"] = _find_optional(
        ChangeRequest, ws, data.pop("change_request_id"), "change_request_id", **scope
    )
    entry = services.log_time(engagement, by=who.user, **data)
    return Status(201, _with_creep(TimeEntry.objects.filter(pk=entry.pk)).get())


@router.get("/time-entries/{time_entry_id}", response=_ok(TimeEntryOut))
def get_time_entry(request: HttpRequest, time_entry_id: int) -> Any:
    entry = _get(caller(request), TimeEntry, time_entry_id, Action.VIEW)
    return _with_creep(TimeEntry.objects.filter(pk=entry.pk)).get()


@router.patch("/time-entries/{time_entry_id}", response=_ok(TimeEntryOut))
def update_time_entry(request: HttpRequest, time_entry_id: int, payload: TimeEntryPatch) -> Any:
    """Correct logged time (checked as when it was logged); the change is audited."""
    who = caller(request)
    entry = _get(who, TimeEntry, time_entry_id, Action.LOG_WORK)
    data = changes(payload)
    ws, scope = who.workspace, {"engagement": entry.engagement}
    if "person_id" in data:
        data["person"] = _member_optional(ws, data.pop("person_id"), "person_id")
    for field, model in (("scope_item", ScopeItem), ("change_request", ChangeRequest)):
        if f"{field}_id" in data:
            data[field] = _find_optional(model, ws, data.pop(f"{field}_id"), f"{field}_id", **scope)
    services.update_time_entry(entry, by=who.user, **data)
    return _with_creep(TimeEntry.objects.filter(pk=entry.pk)).get()


@router.delete("/time-entries/{time_entry_id}", response={204: None, **ERRORS})
def delete_time_entry(request: HttpRequest, time_entry_id: int) -> Any:
    """Remove time booked by mistake; the audit log keeps what it was."""
    who = caller(request)
    services.delete_time_entry(_get(who, TimeEntry, time_entry_id, Action.LOG_WORK), by=who.user)
    return Status(204, None)


# Change requests


@router.get("/engagements/{engagement_id}/change-requests", response=_ok(list[ChangeRequestOut]))
@paginate(Pagination)
def list_change_requests(
    request: HttpRequest, engagement_id: int, filters: Query[ChangeRequestFilter]
) -> Any:
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    return filters.filter(engagement.change_requests.all())


@router.post("/engagements/{engagement_id}/change-requests", response=_created(ChangeRequestOut))
def create_change_request(
    request: HttpRequest, engagement_id: int, payload: ChangeRequestIn
) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    return Status(201, services.create_change_request(engagement, by=who.user, **payload.dict()))


@router.get("/change-requests/{change_request_id}", response=_ok(ChangeRequestOut))
def get_change_request(request: HttpRequest, change_request_id: int) -> Any:
    return _get(caller(request), ChangeRequest, change_request_id, Action.VIEW)


@router.post("/change-requests/{change_request_id}/submit", response=_ok(ChangeRequestOut))
def submit_change_request(request: HttpRequest, change_request_id: int, payload: SubmitIn) -> Any:
    who = caller(request)
    cr = _get(who, ChangeRequest, change_request_id, Action.MANAGE_CLIENTS)
    on = payload.submitted_on or local_today(who.workspace)
    return services.submit_change_request(cr, on=on, by=who.user)


@router.post("/change-requests/{change_request_id}/decision", response=_ok(ChangeRequestOut))
def decide_change_request(request: HttpRequest, change_request_id: int, payload: DecisionIn) -> Any:
    """The client's decision; approval moves the budget and end date by the request's impact."""
    who = caller(request)
    cr = _get(who, ChangeRequest, change_request_id, Action.MANAGE_CLIENTS)
    contact = _find(
        Contact,
        who.workspace,
        payload.decided_by_contact_id,
        "decided_by_contact_id",
        client=cr.engagement.client_id,
    )
    return services.decide_change_request(
        cr,
        approve=payload.approve,
        decided_by=contact,
        on=payload.decided_on,
        note=payload.note,
        by=who.user,
    )


@router.post("/change-requests/{change_request_id}/withdraw", response=_ok(ChangeRequestOut))
def withdraw_change_request(request: HttpRequest, change_request_id: int) -> Any:
    who = caller(request)
    cr = _get(who, ChangeRequest, change_request_id, Action.MANAGE_CLIENTS)
    return services.withdraw_change_request(cr, by=who.user)


# Quality issues


@router.get("/engagements/{engagement_id}/quality-issues", response=_ok(list[QualityIssueOut]))
@paginate(Pagination)
def list_quality_issues(
    request: HttpRequest, engagement_id: int, filters: Query[QualityIssueFilter]
) -> Any:
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    return filters.filter(engagement.quality_issues.all())


@router.post("/engagements/{engagement_id}/quality-issues", response=_created(QualityIssueOut))
def record_quality_issue(request: HttpRequest, engagement_id: int, payload: QualityIssueIn) -> Any:
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.LOG_WORK)
    data = payload.dict()
    data["deliverable"] = _find_optional(
        Deliverable,
        who.workspace,
        data.pop("deliverable_id"),
        "deliverable_id",
        engagement=engagement,
    )
    return Status(201, services.record_quality_issue(engagement, by=who.user, **data))


@router.get("/quality-issues/{quality_issue_id}", response=_ok(QualityIssueOut))
def get_quality_issue(request: HttpRequest, quality_issue_id: int) -> Any:
    return _get(caller(request), QualityIssue, quality_issue_id, Action.VIEW)


@router.post("/quality-issues/{quality_issue_id}/resolve", response=_ok(QualityIssueOut))
def resolve_quality_issue(request: HttpRequest, quality_issue_id: int, payload: ResolveIn) -> Any:
    who = caller(request)
    issue = _get(who, QualityIssue, quality_issue_id, Action.LOG_WORK)
    return services.resolve_quality_issue(
        issue, on=payload.resolved_on, root_cause=payload.root_cause, by=who.user
    )


# Notices of slips and overruns


@router.get("/engagements/{engagement_id}/notices", response=_ok(list[NoticeOut]))
@paginate(Pagination)
def list_notices(request: HttpRequest, engagement_id: int, filters: Query[NoticeFilter]) -> Any:
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    return filters.filter(engagement.notices.all())


@router.post("/engagements/{engagement_id}/notices", response=_created(NoticeOut))
def record_notice(request: HttpRequest, engagement_id: int, payload: NoticeIn) -> Any:
    """A slip notice gives the new date (and moves the milestone's forecast); an overrun, the
    new cost."""
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.LOG_WORK)
    data = payload.dict()
    data["milestone"] = _find_optional(
        Milestone, who.workspace, data.pop("milestone_id"), "milestone_id", engagement=engagement
    )
    return Status(201, services.record_notice(engagement, by=who.user, **data))


@router.get("/notices/{notice_id}", response=_ok(NoticeOut))
def get_notice(request: HttpRequest, notice_id: int) -> Any:
    return _get(caller(request), Notice, notice_id, Action.VIEW)


# Time and scope: what imported tasks count as

CONFIGURE = Action.OVERRIDE  # owners and leaders map tasks for the whole firm


def _saved(done: time_scope.Mapped) -> TaskMapping:
    done.mapping.applied_to = done.applied_to  # type: ignore[attr-defined]
    return done.mapping


@router.get("/engagements/{engagement_id}/time-scope", response=_ok(TimeScopeOut))
def time_scope_of(request: HttpRequest, engagement_id: int) -> Any:
    """Hours by what they count as, and the task names of unclassified imported time: not scope
    creep, and not counted for or against the firm until mapped."""
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    hours = selectors.hours_by_standing(engagement)
    return {
        "engagement_id": engagement.pk,
        "hours": {standing.value: total.quantize(CENT) for standing, total in hours.items()},
        "unclassified_tasks": selectors.unclassified_tasks(
            engagement.workspace, engagement=engagement
        ),
    }


@router.get("/engagements/{engagement_id}/task-mappings", response=_ok(list[TaskMappingOut]))
@paginate(Pagination)
def list_engagement_task_mappings(request: HttpRequest, engagement_id: int) -> Any:
    """The mappings that apply to the engagement: its own, then the firm-wide ones."""
    engagement = _engagement(caller(request), engagement_id, Action.VIEW)
    return selectors.task_mappings(engagement.workspace, engagement=engagement)


@router.post("/engagements/{engagement_id}/task-mappings", response=_ok(TaskMappingSavedOut))
def map_engagement_task(request: HttpRequest, engagement_id: int, payload: TaskMappingIn) -> Any:
    """Say what a task counts as on this engagement, and apply it to the rows already imported
    (the engagement's own mapping comes before a scope item of that name and the firm-wide
    one)."""
    who = caller(request)
    engagement = _engagement(who, engagement_id, Action.MANAGE_CLIENTS)
    item = _find_optional(
        ScopeItem, who.workspace, payload.scope_item_id, "scope_item_id", engagement=engagement
    )
    try:
        done = time_scope.map_task(
            who.workspace,
            engagement=engagement,
            task=payload.task,
            target=payload.target,
            scope_item=item,
            by=who.user,
        )
    except DomainError as error:  # the service names the model's field, the body its id
        field = "scope_item_id" if error.field == "scope_item" else error.field
        raise DomainError(error.message, field=field) from error
    return _saved(done)


@router.get("/task-mappings", response=_ok(list[TaskMappingOut]))
@paginate(Pagination)
def list_firm_task_mappings(request: HttpRequest) -> Any:
    who = caller(request)
    who.require(Action.VIEW)
    return selectors.task_mappings(who.workspace)


@router.post("/task-mappings", response=_ok(TaskMappingSavedOut))
def map_firm_task(request: HttpRequest, payload: TaskMappingIn) -> Any:
    """Say what a task counts as on every engagement (approved overhead, or work outside the
    approved scope); owners and leaders."""
    who = caller(request)
    who.require(CONFIGURE)
    if payload.scope_item_id is not None:
        raise DomainError("A firm-wide mapping names no scope item.", field="scope_item_id")
    done = time_scope.map_task(
        who.workspace, engagement=None, task=payload.task, target=payload.target, by=who.user
    )
    return _saved(done)


@router.delete("/task-mappings/{task_mapping_id}", response={204: None, **ERRORS})
def remove_task_mapping(request: HttpRequest, task_mapping_id: int) -> Any:
    """Remove a mapping; the rows it classified are classified again without it."""
    who = caller(request)
    mapping = get_for_workspace_or_404(TaskMapping, who.workspace, pk=task_mapping_id)
    engagement = mapping.engagement
    if engagement is None:
        who.require(CONFIGURE)
    else:
        who.require(Action.MANAGE_CLIENTS, engagement.client)
    time_scope.unmap_task(mapping, by=who.user)
    return Status(204, None)


@router.get("/unclassified-tasks", response=_ok(list[TaskHoursOut]))
def list_unclassified_tasks(request: HttpRequest) -> Any:
    """Across the workspace: the task names of imported time nobody has classified."""
    who = caller(request)
    who.require(Action.VIEW)
    return selectors.unclassified_tasks(who.workspace)
