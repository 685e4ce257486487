"""Clients and contacts in the REST API: list (filters, pagination), read, create, update."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from trustledger.api.auth import caller
from trustledger.api.errors import ERRORS
from trustledger.api.fields import Storable, changes, omittable, text
from trustledger.api.pagination import Pagination
from trustledger.clients import selectors, services
from trustledger.clients.models import Client, ClientStatus, Contact, Tier
from trustledger.core.extensions import api_routers
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

router = Router(tags=["clients"])
api_routers.register(router)


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        validate_email(value.strip())
    except ValidationError:
        raise ValueError("enter a valid e-mail address") from None
    return value.strip().lower()


Name = Annotated[str, text(1, 200), Storable]
Industry = Annotated[str, text(0, 100), Storable]
Reason = Annotated[str, text(0, 500), Storable]
ExternalId = Annotated[str, text(0, 100), Storable]
Role = Annotated[str, text(0, 120), Storable]


class ClientOut(Schema):
    id: int
    name: str
    industry: str
    tier: Tier
    status: ClientStatus
    lost_on: dt.date | None
    lost_reason: str
    account_manager_id: int | None
    relationship_start: dt.date
    external_id: str


class ClientIn(Schema):
    name: Name
    industry: Industry = ""
    tier: Tier = Tier.STANDARD
    status: ClientStatus = ClientStatus.ACTIVE
    lost_on: dt.date | None = None
    lost_reason: Reason = ""
    account_manager_id: int | None = None
    relationship_start: dt.date | None = None
    external_id: ExternalId = ""


class ClientPatch(Schema):
    """Only the fields sent change; ``null`` clears ``lost_on`` and ``account_manager_id`` only."""

    name: Name = omittable()
    industry: Industry = omittable()
    tier: Tier = omittable()
    status: ClientStatus = omittable()
    lost_on: dt.date | None = None
    lost_reason: Reason = omittable()
    account_manager_id: int | None = None
    relationship_start: dt.date = omittable()
    external_id: ExternalId = omittable()


class ClientFilterIn(FilterSchema):
    q: str = ""
    tier: Tier | None = None
    status: ClientStatus | None = None
    account_manager: int | None = None
    sort: str = Field("name", pattern="^-?(name|tier|since|status)$")


def _with_account_manager(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``account_manager_id`` into a member of this workspace, or a field error."""
    if "account_manager_id" not in data:
        return data
    manager_id = data.pop("account_manager_id")
    manager = None
    if manager_id is not None:
        manager = User.objects.filter(pk=manager_id, memberships__workspace=workspace).first()
        if manager is None:
            raise DomainError(
                "No member of this workspace has this id.", field="account_manager_id"
            )
    data["account_manager"] = manager
    return data


@router.get("/clients", response=list[ClientOut])
@paginate(Pagination)
def list_clients(request: HttpRequest, filters: Query[ClientFilterIn]) -> Any:
    workspace = caller(request).workspace
    f = selectors.ClientFilter(
        q=filters.q.strip(),
        tier=filters.tier or "",
        status=filters.status or "",
        account_manager=filters.account_manager,
        sort=filters.sort,
    )
    return selectors.list_clients(workspace, f)


@router.post("/clients", response={201: ClientOut, **ERRORS})
def create_client(request: HttpRequest, payload: ClientIn) -> Any:
    who = caller(request)
    who.require(Action.MANAGE_CLIENTS)
    data = _with_account_manager(who.workspace, payload.dict())
    if data["relationship_start"] is None:
        data.pop("relationship_start")
    return Status(201, services.create_client(who.workspace, by=who.user, **data))


@router.get("/clients/{client_id}", response={200: ClientOut, **ERRORS})
def get_client(request: HttpRequest, client_id: int) -> Client:
    return get_for_workspace_or_404(Client, caller(request).workspace, pk=client_id)


@router.patch("/clients/{client_id}", response={200: ClientOut, **ERRORS})
def update_client(request: HttpRequest, client_id: int, payload: ClientPatch) -> Client:
    who = caller(request)
    client = get_for_workspace_or_404(Client, who.workspace, pk=client_id)
    who.require(Action.MANAGE_CLIENTS, client)
    data = _with_account_manager(who.workspace, changes(payload))
    return services.update_client(client, by=who.user, **data)


class ContactOut(Schema):
    id: int
    client_id: int
    name: str
    email: str
    role: str
    is_primary: bool
    survey_opt_out: bool


class ContactIn(Schema):
    name: Name
    email: str = Field(max_length=254)
    role: Role = ""
    is_primary: bool = False
    survey_opt_out: bool = False

    _check_email = field_validator("email")(_email)


class ContactPatch(Schema):
    """Only the fields sent change; none of them can be ``null``."""

    name: Name = omittable()
    email: Annotated[str, Field(max_length=254)] = omittable()
    role: Role = omittable()
    is_primary: bool = omittable()
    survey_opt_out: bool = omittable()

    _check_email = field_validator("email")(_email)


@router.get("/contacts", response=list[ContactOut])
@paginate(Pagination)
def list_contacts(request: HttpRequest, client_id: int | None = None, q: str = "") -> Any:
    return selectors.list_contacts(caller(request).workspace, client_id=client_id, q=q.strip())


@router.post("/clients/{client_id}/contacts", response={201: ContactOut, **ERRORS})
def create_contact(request: HttpRequest, client_id: int, payload: ContactIn) -> Any:
    who = caller(request)
    client = get_for_workspace_or_404(Client, who.workspace, pk=client_id)
    who.require(Action.MANAGE_CLIENTS, client)
    return Status(201, services.create_contact(client, by=who.user, **payload.dict()))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    return get_for_workspace_or_404(Contact, caller(request).workspace, pk=contact_id)


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Contact:
    who = caller(request)
    contact = get_for_workspace_or_404(Contact, who.workspace, pk=contact_id)
    who.require(Action.MANAGE_CLIENTS, contact.client)
    return services.update_contact(contact, by=who.user, **changes(payload))
