"""Clients, contacts and referrals in the REST API: list (filters, pagination), read, create,
update (referrals: delete too)."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from trustledger.api.auth import ApiCaller, caller
from trustledger.api.errors import ERRORS
from trustledger.api.fields import Storable, changes, omittable, text
from trustledger.api.pagination import Pagination
from trustledger.clients import selectors, services
from trustledger.clients.models import Client, ClientStatus, Contact, Referral, Tier
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


def _not_null(value: Any) -> Any:
    """A partial update may leave a field out, but may not blank a required one with null."""
    if value is None:
        raise ValueError("must not be null")
    return value


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


# Referrals: one client recommended the firm to another


class ReferralOut(Schema):
    id: int
    referrer_id: int
    referred_id: int
    referrer_contact_id: int | None
    referred_on: dt.date
    note: str


class ReferralIn(Schema):
    referrer_id: int = Field(ge=1, le=2**62)
    referred_id: int = Field(ge=1, le=2**62)
    referred_on: dt.date = Field(ge=dt.date(1900, 1, 1), le=dt.date(2199, 12, 31))
    referrer_contact_id: int | None = Field(None, ge=1, le=2**62)
    note: Reason = ""


class ReferralPatch(Schema):
    referred_on: dt.date | None = Field(None, ge=dt.date(1900, 1, 1), le=dt.date(2199, 12, 31))
    referrer_contact_id: int | None = Field(None, ge=1, le=2**62)
    note: Reason | None = None

    _present = field_validator("referred_on", "note")(_not_null)


def _in_workspace[M: (Client, Contact)](
    model: type[M], workspace: Workspace, pk: int, field: str
) -> M:
    """The client or contact of this workspace ``pk`` names, or a 400 on ``field``."""
    obj = model.objects.for_workspace(workspace).filter(pk=pk).first()
    if obj is None:
        noun = model._meta.verbose_name
        raise DomainError(f"No {noun} of this workspace has this id.", field=field)
    return obj


# The referral services name the model's fields; the API's body names the ids.
REFERRAL_FIELDS = {"referrer": "referrer_id", "referred": "referred_id"} | {
    "referrer_contact": "referrer_contact_id"
}


@contextmanager
def _api_field_names() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        field = REFERRAL_FIELDS.get(error.field or "", error.field)
        raise DomainError(error.message, field=field) from None


def _referral(who: ApiCaller, referral_id: int) -> Referral:
    referral = get_for_workspace_or_404(Referral, who.workspace, pk=referral_id)
    who.require(Action.MANAGE_CLIENTS, referral.referrer)
    return referral


@router.get("/referrals", response={200: list[ReferralOut], **ERRORS})
@paginate(Pagination)
def list_referrals(request: HttpRequest, client_id: int | None = None) -> Any:
    """Newest first; ``client_id``: the referrals that client gave or received."""
    return selectors.list_referrals(caller(request).workspace, client_id=client_id)


@router.post("/referrals", response={201: ReferralOut, **ERRORS})
def record_referral(request: HttpRequest, payload: ReferralIn) -> Any:
    who = caller(request)
    ws = who.workspace
    referrer = _in_workspace(Client, ws, payload.referrer_id, "referrer_id")
    who.require(Action.MANAGE_CLIENTS, referrer)
    referred = _in_workspace(Client, ws, payload.referred_id, "referred_id")
    contact_id = payload.referrer_contact_id
    contact = (
        None
        if contact_id is None
        else _in_workspace(Contact, ws, contact_id, "referrer_contact_id")
    )
    with _api_field_names():
        referral = services.record_referral(
            referrer,
            referred,
            on=payload.referred_on,
            by=who.user,
            referrer_contact=contact,
            note=payload.note,
        )
    return Status(201, referral)


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS})
def get_referral(request: HttpRequest, referral_id: int) -> Referral:
    return get_for_workspace_or_404(Referral, caller(request).workspace, pk=referral_id)


@router.patch("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS})
def update_referral(request: HttpRequest, referral_id: int, payload: ReferralPatch) -> Referral:
    who = caller(request)
    referral = _referral(who, referral_id)
    data = changes(payload)
    if "referrer_contact_id" in data:
        pk = data.pop("referrer_contact_id")
        data["referrer_contact"] = (
            None if pk is None else _in_workspace(Contact, who.workspace, pk, "referrer_contact_id")
        )
    with _api_field_names():
        return services.update_referral(referral, by=who.user, **data)


@router.delete("/referrals/{referral_id}", response={204: None, **ERRORS})
def delete_referral(request: HttpRequest, referral_id: int) -> Any:
    who = caller(request)
    services.delete_referral(_referral(who, referral_id), by=who.user)
    return Status(204, None)
