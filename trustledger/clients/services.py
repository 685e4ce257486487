"""Changes to clients, contacts and referrals: one transaction each, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from trustledger.clients.models import Client, ClientStatus, Contact, Referral
from trustledger.core.facts import announce
from trustledger.workspaces.models import Membership, User, Workspace
from trustledger.workspaces.services import DomainError, diff_fields, record_audit


def _check_account_manager(workspace: Workspace, user: User | None) -> None:
    if user is not None and not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise DomainError(
            "The account manager must be a member of this workspace.", field="account_manager"
        )


def _check_client_name(workspace: Workspace, name: str, exclude_pk: int | None = None) -> None:
    clash = Client.objects.for_workspace(workspace).filter(name__iexact=name.strip())
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(f"A client named {name.strip()!r} already exists.", field="name")


def _check_status(status: str, lost_on: dt.date | None) -> None:
    if status == ClientStatus.LOST and lost_on is None:
        raise DomainError("Say when the client was lost.", field="lost_on")


@transaction.atomic
def create_client(workspace: Workspace, *, by: User | None, **data: Any) -> Client:
    data["name"] = data["name"].strip()
    _check_client_name(workspace, data["name"])
    _check_account_manager(workspace, data.get("account_manager"))
    if data.get("status") != ClientStatus.LOST:
        data["lost_on"] = None
    _check_status(data.get("status", ClientStatus.ACTIVE), data.get("lost_on"))
    client = Client.objects.create(workspace=workspace, **data)
    record_audit(workspace, by, "client.created", client)
    announce(workspace.pk, [client.pk], "client")
    return client


@transaction.atomic
def update_client(client: Client, *, by: User | None, **data: Any) -> Client:
    if "name" in data:
        data["name"] = data["name"].strip()
        _check_client_name(client.workspace, data["name"], exclude_pk=client.pk)
    if "account_manager" in data:
        _check_account_manager(client.workspace, data["account_manager"])
    status = data.get("status", client.status)
    if status == ClientStatus.ACTIVE:
        data.update(lost_on=None, lost_reason=data.get("lost_reason", ""))
    _check_status(status, data.get("lost_on", client.lost_on))
    changes = diff_fields(client, data)
    if changes:
        client.save()
        action = (
            "client.lost" if changes.get("status", [None, None])[1] == "lost" else "client.updated"
        )
        record_audit(client.workspace, by, action, client, changes)
        announce(client.workspace_id, [client.pk], "client")
    return client


def _check_contact_email(workspace: Workspace, email: str, exclude_pk: int | None = None) -> None:
    clash = Contact.objects.for_workspace(workspace).filter(email__iexact=email)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(f"A contact with the e-mail {email} already exists.", field="email")


@transaction.atomic
def create_contact(client: Client, *, by: User | None, **data: Any) -> Contact:
    data["email"] = data["email"].strip().lower()
    _check_contact_email(client.workspace, data["email"])
    contact = Contact.objects.create(workspace=client.workspace, client=client, **data)
    if contact.is_primary:
        _demote_other_primaries(contact)
    record_audit(client.workspace, by, "contact.created", contact)
    return contact


@transaction.atomic
def update_contact(contact: Contact, *, by: User | None, **data: Any) -> Contact:
    if "email" in data:
        data["email"] = data["email"].strip().lower()
        _check_contact_email(contact.workspace, data["email"], exclude_pk=contact.pk)
    changes = diff_fields(contact, data)
    if changes:
        contact.save()
        if contact.is_primary:
            _demote_other_primaries(contact)
        record_audit(contact.workspace, by, "contact.updated", contact, changes)
    return contact


def _demote_other_primaries(contact: Contact) -> None:
    """A client has one primary contact: naming a new one demotes the previous."""
    Contact.objects.filter(client_id=contact.client_id, is_primary=True).exclude(
        pk=contact.pk
    ).update(is_primary=False)


@transaction.atomic
def record_referral(
    referrer: Client,
    referred: Client,
    *,
    on: dt.date,
    by: User | None,
    referrer_contact: Contact | None = None,
    note: str = "",
) -> Referral:
    if referrer.workspace_id != referred.workspace_id:
        raise DomainError("Both clients must belong to this workspace.", field="referred")
    if referrer.pk == referred.pk:
        raise DomainError("A client cannot refer itself.", field="referred")
    if Referral.objects.filter(referrer=referrer, referred=referred).exists():
        raise DomainError("This referral is already recorded.", field="referred")
    if referrer_contact is not None and referrer_contact.client_id != referrer.pk:
        raise DomainError("Choose a contact of the referring client.", field="referrer_contact")
    referral = Referral.objects.create(
        workspace=referrer.workspace,
        referrer=referrer,
        referred=referred,
        referrer_contact=referrer_contact,
        referred_on=on,
        note=note,
    )
    record_audit(referrer.workspace, by, "referral.recorded", referral)
    announce(referrer.workspace_id, [referrer.pk, referred.pk], "referral")
    return referral


REFERRAL_EDITABLE = frozenset({"referred_on", "note", "referrer_contact"})


@transaction.atomic
def update_referral(referral: Referral, *, by: User | None, **data: Any) -> Referral:
    """Correct when a referral happened, who made it, or its note (not who referred whom:
    delete it and record the right one)."""
    unknown = sorted(set(data) - REFERRAL_EDITABLE)
    if unknown:
        raise DomainError(f"{unknown[0]} cannot be changed.", field=unknown[0])
    contact = data.get("referrer_contact")
    if contact is not None and contact.client_id != referral.referrer_id:
        raise DomainError("Choose a contact of the referring client.", field="referrer_contact")
    if "referred_on" in data and data["referred_on"] is None:
        raise DomainError("Say when the referral was made.", field="referred_on")
    changes = diff_fields(referral, data)
    if changes:
        referral.save(update_fields=[*changes])
        record_audit(referral.workspace, by, "referral.updated", referral, changes)
        announce(referral.workspace_id, [referral.referrer_id, referral.referred_id], "referral")
    return referral


@transaction.atomic
def delete_referral(referral: Referral, *, by: User | None) -> None:
    """Remove a referral recorded by mistake; the audit log keeps that it was."""
    record_audit(referral.workspace, by, "referral.deleted", referral)
    announce(referral.workspace_id, [referral.referrer_id, referral.referred_id], "referral")
    referral.delete()
