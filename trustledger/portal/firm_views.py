"""The firm's side of the portal: switch it on per client, bar or admit a contact, invite one,
and choose per engagement what is shared. Account managers (their own clients) and up."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from trustledger.clients.models import Client, Contact
from trustledger.core.http import absolute_url
from trustledger.engagements.models import Engagement
from trustledger.portal import services
from trustledger.portal.forms import ClientPortalForm, ContactAccessForm, InviteForm, SharingForm
from trustledger.web import acting_user, request_workspace
from trustledger.workspaces.permissions import Action, require, role_required
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PANEL = "#portal"


def _client(request: HttpRequest, client_id: int) -> Client:
    client = get_for_workspace_or_404(Client, request_workspace(request), pk=client_id)
    require(request, Action.MANAGE_CLIENTS, client)
    return client


def _back(client: Client) -> HttpResponse:
    return redirect(reverse("clients:detail", args=[client.pk]) + PANEL)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def client_settings(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    form = ClientPortalForm(request.POST)
    form.is_valid()
    enabled = bool(form.cleaned_data.get("enabled"))
    services.set_client_portal(client, enabled=enabled, by=acting_user(request))
    messages.success(
        request, f"The portal is {'open' if enabled else 'closed'} to {client.name}'s contacts."
    )
    return _back(client)


def _contact(request: HttpRequest, client: Client, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    return (
        Contact.objects.for_workspace(request_workspace(request))
        .filter(client=client, pk=contact_id)
        .first()
    )


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def contact_access(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    form = ContactAccessForm(request.POST)
    contact = _contact(request, client, form.cleaned_data["contact"] if form.is_valid() else None)
    if contact is None:
        messages.error(request, "Choose one of this client's contacts.")
        return _back(client)
    allowed = bool(form.cleaned_data["may_sign_in"])
    services.set_contact_access(contact, may_sign_in=allowed, by=acting_user(request))
    messages.success(
        request, f"{contact.name} {'may' if allowed else 'may no longer'} sign in to the portal."
    )
    return _back(client)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def invite(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    form = InviteForm(request.POST)
    contact = _contact(request, client, form.cleaned_data["contact"] if form.is_valid() else None)
    if contact is None:
        messages.error(request, "Choose one of this client's contacts.")
        return _back(client)
    try:
        services.invite_contact(
            contact,
            lambda token: absolute_url(reverse("portal:link", args=[token])),
            by=acting_user(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Invitation sent to {contact.email}; its link works once.")
    return _back(client)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def engagement_sharing(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = get_for_workspace_or_404(Engagement, request_workspace(request), pk=engagement_id)
    require(request, Action.MANAGE_CLIENTS, engagement.client)
    form = SharingForm(request.POST)
    form.is_valid()
    services.set_engagement_sharing(
        engagement,
        by=acting_user(request),
        portal_shared=bool(form.cleaned_data.get("portal_shared")),
        portal_shows_budget=bool(form.cleaned_data.get("portal_shows_budget")),
    )
    messages.success(
        request,
        "Shared in the client portal."
        if engagement.portal_shared
        else "Not shared in the client portal.",
    )
    return redirect(reverse("engagements:detail", args=[engagement.pk]) + "#portal-sharing")
