"""Reads about clients shared by pages, the API and reports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from trustledger.clients.models import Client, Contact, Referral
from trustledger.workspaces.models import Workspace

CLIENT_SORTS = {
    "name": "name",
    "-name": "-name",
    "tier": "tier",
    "since": "relationship_start",
    "-since": "-relationship_start",
    "status": "status",
}


@dataclass(frozen=True)
class ClientFilter:
    q: str = ""
    tier: str = ""
    status: str = ""
    account_manager: int | None = None
    sort: str = "name"


def list_clients(workspace: Workspace, f: ClientFilter = ClientFilter()) -> QuerySet[Client]:
    qs = Client.objects.for_workspace(workspace).select_related("account_manager")
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q) | Q(industry__icontains=f.q) | Q(contacts__name__icontains=f.q)
        ).distinct()
    if f.tier:
        qs = qs.filter(tier=f.tier)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.account_manager:
        qs = qs.filter(account_manager_id=f.account_manager)
    annotated = qs.annotate(contact_count=Count("contacts", distinct=True))
    return annotated.order_by(CLIENT_SORTS.get(f.sort, "name"), "pk")


def list_contacts(
    workspace: Workspace, *, client_id: int | None = None, q: str = ""
) -> QuerySet[Contact]:
    qs = Contact.objects.for_workspace(workspace).select_related("client")
    if client_id:
        qs = qs.filter(client_id=client_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    return qs.order_by("client__name", "-is_primary", "name", "pk")


def list_referrals(workspace: Workspace, *, client_id: int | None = None) -> QuerySet[Referral]:
    """The workspace's referrals, newest first; with ``client_id``, those it gave or received."""
    referrals = Referral.objects.for_workspace(workspace).order_by("-referred_on", "-id")
    if client_id is not None:
        referrals = referrals.filter(Q(referrer_id=client_id) | Q(referred_id=client_id))
    return referrals
