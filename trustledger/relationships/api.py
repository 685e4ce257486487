"""Relationship management in the REST API: tier routines, health checks, business reviews and
what is due.

Each route looks its object up within the caller's workspace (another firm's id is a 404), checks
the caller's role (account managers write for their own clients, leaders and owners for all,
staff read; owners and leaders set the routines), resolves ids in the body within the workspace
(a wrong one is a 400 naming the field) and calls one service.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from trustledger.api.auth import ApiCaller, caller
from trustledger.api.errors import ERRORS
from trustledger.api.errors import ok as _ok
from trustledger.api.errors import workspace_member as _member
from trustledger.api.fields import changes
from trustledger.api.pagination import Pagination
from trustledger.clients.models import Client
from trustledger.core.clock import local_today
from trustledger.core.extensions import api_routers
from trustledger.relationships import selectors, services
from trustledger.relationships.due import due_items
from trustledger.relationships.models import BusinessReview, HealthCheck, TierRoutine
from trustledger.relationships.schemas import (
    BusinessReviewIn,
    BusinessReviewOut,
    BusinessReviewPatch,
    DueFilter,
    DueItemOut,
    HealthCheckFilter,
    HealthCheckIn,
    HealthCheckOut,
    HealthCheckPatch,
    ReviewFilter,
    RoutineOut,
    RoutinePatch,
)
from trustledger.scoring.health import month_end
from trustledger.workspaces.models import Role, User
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

router = Router(tags=["relationships"])
api_routers.register(router)
CONFIGURE = Action.OVERRIDE  # owners and leaders set the routines
SEES_EVERYONE = {Role.OWNER, Role.LEADER}


def _client(who: ApiCaller, pk: int) -> Client:
    client = Client.objects.for_workspace(who.workspace).filter(pk=pk).first()
    if client is None:
        raise DomainError("No client of this workspace has this id.", field="client_id")
    who.require(Action.MANAGE_CLIENTS, client)
    return client


# Routines


@router.get("/tier-routines", response=_ok(list[RoutineOut]))
def list_routines(request: HttpRequest) -> Any:
    return selectors.list_routines(caller(request).workspace)


@router.patch("/tier-routines/{routine_id}", response=_ok(RoutineOut))
def update_routine(request: HttpRequest, routine_id: int, payload: RoutinePatch) -> Any:
    who = caller(request)
    routine = get_for_workspace_or_404(TierRoutine, who.workspace, pk=routine_id)
    who.require(CONFIGURE)
    return services.update_routine(routine, by=who.user, **changes(payload))


# Health checks


def _answers(rows: list[dict[str, Any]]) -> dict[str, tuple[int | None, str]]:
    answers: dict[str, tuple[int | None, str]] = {}
    for row in rows:
        if row["question"] in answers:
            raise DomainError(f"Question {row['question']!r} is answered twice.", field="answers")
        answers[row["question"]] = (row.get("answer"), row.get("notes") or "")
    return answers


def _check_data(who: ApiCaller, data: dict[str, Any]) -> dict[str, Any]:
    if "reviewer_id" in data:
        data["reviewer"] = _member(who.workspace, data.pop("reviewer_id"), "reviewer_id")
    if data.get("answers") is not None:
        data["answers"] = _answers(data["answers"])
    elif "answers" in data:
        data.pop("answers")
    if "summary" in data and data["summary"] is None:
        data["summary"] = ""
    return data


def _fresh_check(pk: int) -> HealthCheck:
    return HealthCheck.objects.prefetch_related("answers").get(pk=pk)


@router.get("/health-checks", response=_ok(list[HealthCheckOut]))
@paginate(Pagination)
def list_health_checks(request: HttpRequest, filters: Query[HealthCheckFilter]) -> Any:
    return selectors.list_health_checks(caller(request).workspace, client_id=filters.client_id)


@router.post("/health-checks", response={201: HealthCheckOut, **ERRORS})
def record_health_check(request: HttpRequest, payload: HealthCheckIn) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    data = payload.dict()
    client = _client(who, data.pop("client_id"))
    check = services.record_health_check(client, by=who.user, **_check_data(who, data))
    return Status(201, _fresh_check(check.pk))


@router.get("/health-checks/{health_check_id}", response=_ok(HealthCheckOut))
def get_health_check(request: HttpRequest, health_check_id: int) -> Any:
    workspace = caller(request).workspace
    return get_for_workspace_or_404(HealthCheck, workspace, pk=health_check_id)


@router.patch("/health-checks/{health_check_id}", response=_ok(HealthCheckOut))
def update_health_check(
    request: HttpRequest, health_check_id: int, payload: HealthCheckPatch
) -> Any:
    who = caller(request)
    check = get_for_workspace_or_404(HealthCheck, who.workspace, pk=health_check_id)
    who.require(Action.MANAGE_CLIENTS, check.client)
    data = _check_data(who, changes(payload))
    services.update_health_check(check, by=who.user, **data)
    return _fresh_check(check.pk)


@router.delete("/health-checks/{health_check_id}", response={204: None, **ERRORS})
def delete_health_check(request: HttpRequest, health_check_id: int) -> Any:
    who = caller(request)
    check = get_for_workspace_or_404(HealthCheck, who.workspace, pk=health_check_id)
    who.require(Action.MANAGE_CLIENTS, check.client)
    services.delete_health_check(check, by=who.user)
    return Status(204, None)


# Business reviews


def _review_data(who: ApiCaller, data: dict[str, Any]) -> dict[str, Any]:
    if "led_by_id" in data:
        data["led_by"] = _member(who.workspace, data.pop("led_by_id"), "led_by_id")
    if "goals" in data and data["goals"] is not None:
        data["goals"] = [(g["text"], g["status"]) for g in data["goals"]]
    if "value_delivered" in data and data["value_delivered"] is not None:
        data["value_delivered"] = [(v["text"], v.get("amount")) for v in data["value_delivered"]]
    for field in ("attendees", "summary", "currency"):
        if field in data and data[field] is None:
            data.pop(field)
    return data


def _fresh_review(pk: int) -> BusinessReview:
    return BusinessReview.objects.prefetch_related("items").get(pk=pk)


@router.get("/business-reviews", response=_ok(list[BusinessReviewOut]))
@paginate(Pagination)
def list_reviews(request: HttpRequest, filters: Query[ReviewFilter]) -> Any:
    return selectors.list_reviews(
        caller(request).workspace, client_id=filters.client_id, status=filters.status or ""
    )


@router.post("/business-reviews", response={201: BusinessReviewOut, **ERRORS})
def record_review(request: HttpRequest, payload: BusinessReviewIn) -> Any:
    """A held review also records a business-review interaction (the cadence measures see it)."""
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    data = payload.dict()
    client = _client(who, data.pop("client_id"))
    data = _review_data(who, data)
    data = {k: v for k, v in data.items() if v is not None}
    review = services.record_business_review(client, by=who.user, **data)
    return Status(201, _fresh_review(review.pk))


@router.get("/business-reviews/{review_id}", response=_ok(BusinessReviewOut))
def get_review(request: HttpRequest, review_id: int) -> Any:
    return get_for_workspace_or_404(BusinessReview, caller(request).workspace, pk=review_id)


@router.patch("/business-reviews/{review_id}", response=_ok(BusinessReviewOut))
def update_review(request: HttpRequest, review_id: int, payload: BusinessReviewPatch) -> Any:
    who = caller(request)
    review = get_for_workspace_or_404(BusinessReview, who.workspace, pk=review_id)
    who.require(Action.MANAGE_CLIENTS, review.client)
    data = _review_data(who, changes(payload))
    services.update_business_review(review, by=who.user, **data)
    return _fresh_review(review.pk)


@router.delete("/business-reviews/{review_id}", response={204: None, **ERRORS})
def delete_review(request: HttpRequest, review_id: int) -> Any:
    who = caller(request)
    review = get_for_workspace_or_404(BusinessReview, who.workspace, pk=review_id)
    who.require(Action.MANAGE_CLIENTS, review.client)
    services.delete_business_review(review, by=who.user)
    return Status(204, None)


# What is due


def _due_person(who: ApiCaller, filters: DueFilter) -> User | None:
    """Leaders, owners and API keys see anyone's or everyone's; others only their own."""
    chooses = who.membership is None or who.membership.role in SEES_EVERYONE
    if filters.everyone:
        if not chooses:
            raise HttpError(403, "Only leaders and owners see everyone's list.")
        return None
    if filters.person_id is not None:
        person = _member(who.workspace, filters.person_id, "person_id")
        if not chooses and person != who.user:
            raise HttpError(403, "Only leaders and owners see another person's list.")
        return person
    return who.user


@router.get("/due", response=_ok(list[DueItemOut]))
def list_due(request: HttpRequest, filters: Query[DueFilter]) -> Any:
    """Health checks and business reviews due by ``until`` (default: the end of this month) by
    the tier routines, and clients that need an account manager: overdue first."""
    who = caller(request)
    today = local_today(who.workspace)
    until = filters.until or month_end(today)
    items = due_items(who.workspace, _due_person(who, filters), until=until)
    return [{**item.__dict__, "overdue": item.overdue(today)} for item in items]
