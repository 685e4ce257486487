"""Client pages: thin views that parse, authorise, call a service or selector, and render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from trustledger.clients import selectors, services
from trustledger.clients.forms import ClientForm, ContactForm, ReferralForm
from trustledger.clients.models import Client, ClientStatus, Contact, Referral, Tier
from trustledger.clients.timeline import client_timeline
from trustledger.communications.selectors import client_communications
from trustledger.engagements.selectors import list_engagements
from trustledger.feedback.selectors import client_voice
from trustledger.relationships.selectors import relationship_panel
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.permissions import Action, can, require, role_required
from trustledger.workspaces.selectors import people_of
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PAGE_SIZE = 25


def _filter_from(request: HttpRequest) -> selectors.ClientFilter:
    manager = request.GET.get("account_manager", "")
    return selectors.ClientFilter(
        q=request.GET.get("q", "").strip(),
        tier=request.GET.get("tier", ""),
        status=request.GET.get("status", ""),
        account_manager=int(manager) if manager.isdigit() else None,
        sort=request.GET.get("sort", "name"),
    )


@role_required(Action.VIEW)
def client_list(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    filters = _filter_from(request)
    page = Paginator(selectors.list_clients(workspace, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "tiers": Tier.choices,
        "statuses": ClientStatus.choices,
        "people": people_of(workspace),
        "any_clients": filters != selectors.ClientFilter()
        or Client.objects.for_workspace(workspace).exists(),
    }
    template = "clients/partials/_client_table.html" if request.htmx else "clients/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@role_required(Action.VIEW)
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = get_for_workspace_or_404(Client, workspace, pk=client_id)
    context = {
        "client": client,
        "contacts": client.contacts.all(),
        "engagements": list_engagements(workspace, client_id=client.pk),
        "referrals_given": Referral.objects.filter(referrer=client).select_related("referred"),
        "referrals_received": Referral.objects.filter(referred=client).select_related("referrer"),
        "can_edit": _can_edit(request, client),
        "voice": client_voice(client),
        "comms": client_communications(client, now=timezone.now()),
        "relationship": relationship_panel(client),
        "story": client_timeline(workspace, client)[:STORY_ON_PAGE],
    }
    return render(request, "clients/detail.html", context)


STORY_ON_PAGE = 12


@role_required(Action.VIEW)
def client_story(request: HttpRequest, client_id: int) -> HttpResponse:
    """The whole relationship in one timeline, newest first, filterable by kind of event."""
    workspace = request_workspace(request)
    client = get_for_workspace_or_404(Client, workspace, pk=client_id)
    events = client_timeline(workspace, client)
    kinds = sorted({e.kind for e in events})
    kind = request.GET.get("kind", "")
    if kind:
        events = [e for e in events if e.kind == kind]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {
        "client": client,
        "page": page,
        "kinds": kinds,
        "kind": kind,
        "query": urlencode({"kind": kind}) if kind else "",
    }
    return render(request, "clients/story.html", context)


def _can_edit(request: HttpRequest, client: Client) -> bool:
    return can(getattr(request, "membership", None), Action.MANAGE_CLIENTS, client)


@role_required(Action.MANAGE_CLIENTS)
def client_create(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    form = ClientForm(
        request.POST or None, workspace=workspace, initial={"account_manager": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            client = services.create_client(workspace, by=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{client.name} was added.")
            return redirect("clients:detail", client_id=client.pk)
    return render(request, "clients/form.html", {"form": form, "title": "New client"})


@role_required(Action.MANAGE_CLIENTS)
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = get_for_workspace_or_404(Client, workspace, pk=client_id)
    require(request, Action.MANAGE_CLIENTS, client)
    form = ClientForm(request.POST or None, instance=client, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_client(
                Client.objects.get(pk=client.pk), by=acting_user(request), **form.cleaned_data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request, "clients/form.html", {"form": form, "title": f"Edit {client}", "client": client}
    )


@role_required(Action.MANAGE_CLIENTS)
def contact_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_for_workspace_or_404(Client, request_workspace(request), pk=client_id)
    require(request, Action.MANAGE_CLIENTS, client)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_contact(client, by=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Contact added.")
            return redirect("clients:detail", client_id=client.pk)
    title = f"New contact at {client}"
    return render(request, "clients/form.html", {"form": form, "title": title, "client": client})


@role_required(Action.MANAGE_CLIENTS)
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = get_for_workspace_or_404(Contact, request_workspace(request), pk=contact_id)
    require(request, Action.MANAGE_CLIENTS, contact.client)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(
                Contact.objects.get(pk=contact.pk), by=acting_user(request), **form.cleaned_data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Contact saved.")
            return redirect("clients:detail", client_id=contact.client_id)
    context = {"form": form, "title": f"Edit {contact.name}", "client": contact.client}
    return render(request, "clients/form.html", context)


@role_required(Action.MANAGE_CLIENTS)
def referral_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_for_workspace_or_404(Client, request_workspace(request), pk=client_id)
    form = ReferralForm(request.POST or None, referrer=client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_referral(
                client,
                data["referred"],
                on=data["referred_on"],
                note=data["note"],
                by=acting_user(request),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Referral recorded.")
            return redirect("clients:detail", client_id=client.pk)
    title = f"{client} referred a client"
    return render(request, "clients/form.html", {"form": form, "title": title, "client": client})


SEARCH_LIMIT = 10


@role_required(Action.VIEW)
def search(request: HttpRequest) -> HttpResponse:
    """One box for clients, engagements and contacts, each group capped with a link to the rest."""
    workspace = request_workspace(request)
    q = request.GET.get("q", "").strip()[:100]
    groups: dict[str, Any] = {}
    if q:
        clients = selectors.list_clients(workspace, selectors.ClientFilter(q=q))
        engagements = list_engagements(workspace, q=q)
        contacts = selectors.list_contacts(workspace, q=q)
        groups = {
            "clients": (clients[:SEARCH_LIMIT], clients.count()),
            "engagements": (engagements[:SEARCH_LIMIT], engagements.count()),
            "contacts": (contacts[:SEARCH_LIMIT], contacts.count()),
        }
    found = sum(count for _, count in groups.values())
    context = {"q": q, "groups": groups, "found": found, "query": urlencode({"q": q})}
    return render(request, "clients/search.html", context)
