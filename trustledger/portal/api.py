"""Client portal settings in the REST API: per client (open or closed, who may sign in, the
invitations sent to its contacts) and per engagement (shared or not, budget figures or not).
Reading needs VIEW; changing needs MANAGE_CLIENTS on the client (account managers: their own).
Another firm's id is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from trustledger.api.auth import caller
from trustledger.api.errors import created as _created
from trustledger.api.errors import ok as _ok
from trustledger.api.pagination import Pagination
from trustledger.clients.models import Client, Contact
from trustledger.core.extensions import api_routers
from trustledger.core.http import absolute_url
from trustledger.engagements.models import Engagement
from trustledger.portal import selectors, services
from trustledger.portal.models import MagicLink
from trustledger.portal.schemas import (
    ClientPortalOut,
    ClientPortalPatch,
    ContactAccessOut,
    SharingOut,
    SharingPatch,
)
from trustledger.workspaces.permissions import Action
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

router = Router(tags=["portal"])
api_routers.register(router)


def _client_out(client: Client) -> ClientPortalOut:
    panel = selectors.client_panel(client)
    return ClientPortalOut(
        client_id=client.pk,
        enabled=panel.enabled,
        shared_engagements=panel.shared_count,
        contacts=[
            ContactAccessOut(
                contact_id=row.contact.pk,
                name=row.contact.name,
                may_sign_in=row.may_sign_in,
                last_signed_in_at=row.last_signed_in_at,
            )
            for row in panel.contacts
        ],
    )


def _sharing_out(engagement: Engagement) -> SharingOut:
    return SharingOut(
        engagement_id=engagement.pk,
        portal_shared=engagement.portal_shared,
        portal_shows_budget=engagement.portal_shows_budget,
    )


@router.get("/portal/clients/{client_id}", response=_ok(ClientPortalOut))
def get_client_portal(request: HttpRequest, client_id: int) -> ClientPortalOut:
    who = caller(request)
    client = get_for_workspace_or_404(Client, who.workspace, pk=client_id)
    who.require(Action.VIEW, client)
    return _client_out(client)


@router.patch("/portal/clients/{client_id}", response=_ok(ClientPortalOut))
def update_client_portal(
    request: HttpRequest, client_id: int, payload: ClientPortalPatch
) -> ClientPortalOut:
    who = caller(request)
    client = get_for_workspace_or_404(Client, who.workspace, pk=client_id)
    who.require(Action.MANAGE_CLIENTS, client)
    with transaction.atomic():
        if payload.enabled is not None:
            services.set_client_portal(client, enabled=payload.enabled, by=who.user)
        for item in payload.contacts or []:
            contact = (
                Contact.objects.for_workspace(who.workspace)
                .filter(client=client, pk=item.contact_id)
                .first()
            )
            if contact is None:
                raise DomainError("No contact of this client has this id.", field="contacts")
            services.set_contact_access(contact, may_sign_in=item.may_sign_in, by=who.user)
    return _client_out(client)


@router.get("/portal/engagements/{engagement_id}", response=_ok(SharingOut))
def get_engagement_sharing(request: HttpRequest, engagement_id: int) -> SharingOut:
    who = caller(request)
    engagement = get_for_workspace_or_404(Engagement, who.workspace, pk=engagement_id)
    who.require(Action.VIEW, engagement)
    return _sharing_out(engagement)


@router.patch("/portal/engagements/{engagement_id}", response=_ok(SharingOut))
def update_engagement_sharing(
    request: HttpRequest, engagement_id: int, payload: SharingPatch
) -> SharingOut:
    who = caller(request)
    engagement = get_for_workspace_or_404(Engagement, who.workspace, pk=engagement_id)
    who.require(Action.MANAGE_CLIENTS, engagement.client)
    services.set_engagement_sharing(
        engagement,
        by=who.user,
        portal_shared=payload.portal_shared,
        portal_shows_budget=payload.portal_shows_budget,
    )
    return _sharing_out(engagement)


# Invitations: a single-use sign-in link e-mailed to one of the client's contacts


class PortalInvitationIn(Schema):
    contact_id: int = Field(ge=1, le=2**62)


class PortalInvitationOut(Schema):
    id: int
    contact_id: int
    sent_by_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    status: Literal["pending", "used", "expired"] = Field(
        description="Revoked invitations are expired: their link no longer works."
    )

    @staticmethod
    def resolve_status(link: MagicLink) -> str:
        if link.used_at is not None:
            return "used"
        return "pending" if link.expires_at > timezone.now() else "expired"


@router.get("/portal/clients/{client_id}/invitations", response=_ok(list[PortalInvitationOut]))
@paginate(Pagination)
def list_invitations(request: HttpRequest, client_id: int) -> Any:
    """Invitations the firm sent this client's contacts, newest first."""
    who = caller(request)
    client = get_for_workspace_or_404(Client, who.workspace, pk=client_id)
    who.require(Action.VIEW, client)
    return selectors.invitations(client)


@router.post("/portal/clients/{client_id}/invitations", response=_created(PortalInvitationOut))
def invite_contact(request: HttpRequest, client_id: int, payload: PortalInvitationIn) -> Any:
    """E-mail the contact a sign-in link (it works once, for three days); the contact must be
    allowed to sign in (the portal open to the client, the contact not barred)."""
    who = caller(request)
    client = get_for_workspace_or_404(Client, who.workspace, pk=client_id)
    who.require(Action.MANAGE_CLIENTS, client)
    contact = (
        Contact.objects.for_workspace(who.workspace)
        .filter(client=client, pk=payload.contact_id)
        .first()
    )
    if contact is None:
        raise DomainError("No contact of this client has this id.", field="contact_id")
    link = services.invite_contact(
        contact,
        lambda token: absolute_url(reverse("portal:link", args=[token])),
        by=who.user,
    )
    return Status(201, link)


@router.post("/portal/invitations/{portal_invitation_id}/revoke", response=_ok(PortalInvitationOut))
def revoke_invitation(request: HttpRequest, portal_invitation_id: int) -> Any:
    """Stop an unused invitation's link from working."""
    who = caller(request)
    link = get_for_workspace_or_404(
        MagicLink, who.workspace, pk=portal_invitation_id, invitation=True
    )
    who.require(Action.MANAGE_CLIENTS, link.contact.client)
    return services.revoke_invitation(link, by=who.user)
