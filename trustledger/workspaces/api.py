"""Members, API keys and the audit log in the REST API, with the settings pages' roles.

Everyone reads the member list; only owners (signed in: API keys never manage the workspace)
invite, change roles, remove people, manage keys and read the audit log. A member is named by
their user id, the id every other route uses for people (``account_manager_id``, ``person_id``).
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from trustledger.api.auth import ApiCaller, caller
from trustledger.api.errors import ERRORS, created, ok
from trustledger.api.fields import Storable, text
from trustledger.api.pagination import Pagination
from trustledger.core.extensions import api_routers
from trustledger.core.http import absolute_url
from trustledger.workspaces import selectors, services
from trustledger.workspaces.models import ApiKey, ApiKeyScope, Membership, Role
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.tenancy import get_for_workspace_or_404

router = Router(tags=["workspace"])
api_routers.register(router)


class MemberOut(Schema):
    user_id: int
    email: str
    full_name: str
    role: Role
    joined_at: dt.datetime


class MemberInviteIn(Schema):
    email: Annotated[str, text(3, 254), Storable]
    full_name: Annotated[str, text(0, 200), Storable] = ""
    role: Role = Role.STAFF

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("enter a valid e-mail address") from None
        return value.lower()


class MemberRolePatch(Schema):
    role: Role


def _member_out(m: Membership) -> MemberOut:
    return MemberOut(
        user_id=m.user_id,
        email=m.user.email,
        full_name=m.user.full_name,
        role=Role(m.role),
        joined_at=m.created_at,
    )


def _membership(who: ApiCaller, user_id: int) -> Membership:
    membership = selectors.members_of(who.workspace).filter(user_id=user_id).first()
    if membership is None:
        raise Http404("No member matches.")
    who.require(Action.MANAGE_WORKSPACE)
    return membership


@router.get("/members", response=ok(list[MemberOut]))
@paginate(Pagination)
def list_members(request: HttpRequest) -> Any:
    return [_member_out(m) for m in selectors.members_of(caller(request).workspace)]


@router.post("/members", response=created(MemberOut))
def invite_member(request: HttpRequest, payload: MemberInviteIn) -> Any:
    """Add a person; someone new gets an e-mail with a link to choose their password."""
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    membership = services.invite_member(
        who.workspace,
        email=payload.email,
        full_name=payload.full_name,
        role=payload.role,
        by=who.user,
        base_url=absolute_url("/"),
    )
    return Status(201, _member_out(membership))


@router.patch("/members/{user_id}", response=ok(MemberOut))
def change_member_role(request: HttpRequest, user_id: int, payload: MemberRolePatch) -> Any:
    who = caller(request)
    membership = _membership(who, user_id)
    return _member_out(services.change_member_role(membership, role=payload.role, by=who.user))


@router.delete("/members/{user_id}", response={204: None, **ERRORS})
def remove_member(request: HttpRequest, user_id: int) -> Any:
    """The person loses access to this workspace; what they recorded stays. Never the last
    owner."""
    who = caller(request)
    services.remove_member(_membership(who, user_id), by=who.user)
    return Status(204, None)


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    scope: ApiKeyScope
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, never stored, never again.")


class ApiKeyIn(Schema):
    name: Annotated[str, text(1, 100), Storable]
    scope: ApiKeyScope = ApiKeyScope.READ


@router.get("/api-keys", response=ok(list[ApiKeyOut]))
@paginate(Pagination)
def list_api_keys(request: HttpRequest) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    return ApiKey.objects.for_workspace(who.workspace)


@router.post("/api-keys", response=created(ApiKeyCreatedOut))
def create_api_key(request: HttpRequest, payload: ApiKeyIn) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    key, raw = services.create_api_key(
        who.workspace, name=payload.name, scope=payload.scope, by=who.user
    )
    return Status(201, ApiKeyCreatedOut(**ApiKeyOut.from_orm(key).dict(), key=raw))


@router.post("/api-keys/{key_id}/revoke", response=ok(ApiKeyOut))
def revoke_api_key(request: HttpRequest, key_id: int) -> Any:
    who = caller(request)
    key = get_for_workspace_or_404(ApiKey, who.workspace, pk=key_id)
    who.require(Action.MANAGE_WORKSPACE)
    services.revoke_api_key(key, by=who.user)
    return key


class AuditEntryOut(Schema):
    id: int
    created_at: dt.datetime
    actor_id: int | None
    actor: str = Field(alias="actor_label")
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]


class AuditFilterIn(Schema):
    since: dt.date | None = Field(None, description="From this day on (the workspace's calendar).")
    until: dt.date | None = Field(None, description="Up to and including this day.")
    object_type: str = Field("", max_length=100, description="e.g. `clients.client`")
    object_id: str = Field("", max_length=64)
    action: str = Field("", max_length=100, description="e.g. `trust_config.changed`")


@router.get("/audit-log", response=ok(list[AuditEntryOut]))
@paginate(Pagination)
def audit_log(request: HttpRequest, filters: Query[AuditFilterIn]) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_WORKSPACE)
    return selectors.audit_trail(who.workspace, **filters.dict())
