"""Client portal settings in the REST API: per client (open or closed, who may sign in) and per
engagement (shared or not, budget figures or not). Reading needs VIEW; changing needs
MANAGE_CLIENTS on the client (account managers: their own). Another firm's id is a 404."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from trustledger.api.auth import caller
from trustledger.api.errors import ok as _ok
from trustledger.clients.models import Client, Contact
from trustledger.core.extensions import api_routers
from trustledger.engagements.models import Engagement
from trustledger.portal import selectors, services
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
