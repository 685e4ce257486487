"""State changes of plans, interactions, inquiries and commitments: one transaction each, audited.

A refusal raises ``DomainError`` naming the field concerned, which pages and the API show next to
that field. Imports write in bulk through ``importers`` and are audited once per file instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.communications import sla
from trustledger.communications.models import (
    CADENCE_KINDS,
    Channel,
    Commitment,
    CommunicationPlan,
    EscalationContact,
    Inquiry,
    Interaction,
    PlanMember,
    Priority,
    Source,
)
from trustledger.core import history
from trustledger.core.facts import announce
from trustledger.workspaces.models import Membership, User
from trustledger.workspaces.services import DomainError, diff_fields, record_audit

MAX_INTERVAL_DAYS = 3650
# A clock a little ahead of ours is not the future.
CLOCK_SKEW = dt.timedelta(minutes=5)

type Escalation = tuple[int, Contact | None, User | None]


def _audit(
    workspace: Any, by: User | None, action: str, obj: Any, changes: dict[str, Any] | None = None
) -> None:
    """Audit a change to a communication fact and announce it (the client's index)."""
    record_audit(workspace, by, action, obj, changes)
    announce(obj.workspace_id, [obj.client_id], obj._meta.model_name)


def _check_member(client: Client, user: User | None, field: str) -> None:
    if (
        user is not None
        and not Membership.objects.filter(workspace_id=client.workspace_id, user=user).exists()
    ):
        raise DomainError("Choose a member of this workspace.", field=field)


def _check_contact(client: Client, contact: Contact | None, field: str = "contact") -> None:
    if contact is not None and contact.client_id != client.pk:
        raise DomainError(f"{contact.name} is not a contact of {client}.", field=field)


def _check_interaction(client: Client, interaction: Interaction | None) -> None:
    if interaction is not None and interaction.client_id != client.pk:
        raise DomainError("That interaction is with another client.", field="interaction")


def _check_past(moment: dt.datetime | None, field: str, what: str) -> None:
    if moment is not None and moment > timezone.now() + CLOCK_SKEW:
        raise DomainError(f"The {what} cannot be in the future.", field=field)


# Plans


def _clean_plan(data: dict[str, Any]) -> dict[str, Any]:
    if "preferred_channels" in data:
        channels = list(dict.fromkeys(data["preferred_channels"] or []))
        unknown = [c for c in channels if c not in Channel.values]
        if unknown:
            raise DomainError(
                f"Unknown channel {unknown[0]!r}; use {', '.join(Channel.values)}.",
                field="preferred_channels",
            )
        data["preferred_channels"] = channels
    for field in CADENCE_KINDS.values():
        value = data.get(field)
        if value is not None and not 1 <= value <= MAX_INTERVAL_DAYS:
            raise DomainError(
                f"Give an interval from 1 to {MAX_INTERVAL_DAYS} days, or none.", field=field
            )
    if "sla_hours" in data:
        data["sla_hours"] = sla.clean_sla_hours(data["sla_hours"] or {})
    return data


@transaction.atomic
def save_plan(
    client: Client,
    *,
    by: User | None,
    members: Sequence[tuple[User, str]] | None = None,
    escalations: Sequence[Escalation] | None = None,
    **data: Any,
) -> CommunicationPlan:
    """Create the client's plan or change it; members and escalations, when given, replace
    the current ones."""
    data = _clean_plan(data)
    plan = CommunicationPlan.objects.filter(client=client).first()
    if plan is None:
        data.setdefault("starts_on", client.relationship_start)
        plan = CommunicationPlan.objects.create(workspace=client.workspace, client=client, **data)
        _audit(client.workspace, by, "communication_plan.created", plan)
        changes: dict[str, Any] = {}
    else:
        changes = diff_fields(plan, data)
        if changes:
            plan.updated_at = timezone.now()
            plan.save()
    if members is not None:
        changes |= _set_members(plan, client, members)
    if escalations is not None:
        changes |= _set_escalations(plan, client, escalations)
    if changes:
        _audit(client.workspace, by, "communication_plan.updated", plan, changes)
    return plan


def _set_members(
    plan: CommunicationPlan, client: Client, members: Sequence[tuple[User, str]]
) -> dict[str, Any]:
    seen: set[int] = set()
    for person, role in members:
        _check_member(client, person, "members")
        if not role.strip():
            raise DomainError(f"Give {person} a role on the account.", field="members")
        if person.pk in seen:
            raise DomainError(f"{person} is listed twice.", field="members")
        seen.add(person.pk)
    before = [f"{m.person_id}:{m.role}" for m in plan.members.all()]
    after = [f"{p.pk}:{r.strip()}" for p, r in members]
    if before == after:
        return {}
    plan.members.all().delete()
    PlanMember.objects.bulk_create(
        PlanMember(workspace_id=plan.workspace_id, plan=plan, person=p, role=r.strip()[:120])
        for p, r in members
    )
    return {"members": [before, after]}


def _set_escalations(
    plan: CommunicationPlan, client: Client, escalations: Sequence[Escalation]
) -> dict[str, Any]:
    for level, contact, person in escalations:
        if (contact is None) == (person is None):
            raise DomainError("Each escalation step is a contact or a person.", field="escalations")
        if not 1 <= level <= 9:
            raise DomainError("Escalation levels run from 1 to 9.", field="escalations")
        _check_contact(client, contact, "escalations")
        _check_member(client, person, "escalations")
    before = [f"{e.level}:{e.contact_id or ''}:{e.person_id or ''}" for e in plan.escalations.all()]
    after = [f"{lv}:{c.pk if c else ''}:{p.pk if p else ''}" for lv, c, p in escalations]
    if before == after:
        return {}
    plan.escalations.all().delete()
    EscalationContact.objects.bulk_create(
        EscalationContact(workspace_id=plan.workspace_id, plan=plan, level=lv, contact=c, person=p)
        for lv, c, p in escalations
    )
    return {"escalations": [before, after]}


# Interactions


def _clean_interaction(client: Client, data: dict[str, Any]) -> dict[str, Any]:
    if "subject" in data:
        data["subject"] = (data["subject"] or "").strip()
        if not data["subject"]:
            raise DomainError("Say what the interaction was about.", field="subject")
    _check_contact(client, data.get("contact"))
    _check_member(client, data.get("person"), "person")
    if "participants" in data:
        data["participants"] = [str(p).strip()[:200] for p in data["participants"] or [] if p]
    return data


@transaction.atomic
def record_interaction(
    client: Client, *, by: User | None, source: str = Source.MANUAL, **data: Any
) -> Interaction:
    data = _clean_interaction(client, data)
    interaction = Interaction.objects.create(
        workspace=client.workspace, client=client, source=source, recorded_by=by, **data
    )
    _audit(client.workspace, by, "interaction.recorded", interaction)
    return interaction


@transaction.atomic
def update_interaction(interaction: Interaction, *, by: User | None, **data: Any) -> Interaction:
    data = _clean_interaction(interaction.client, data)
    changes = diff_fields(interaction, data)
    if changes:
        history.record_edit(interaction, changes)  # as of earlier days, the version it replaces
        interaction.save()
        _audit(interaction.workspace, by, "interaction.updated", interaction, changes)
    return interaction


# Inquiries


def _plan_sla(client: Client) -> dict[str, Any]:
    plan = CommunicationPlan.objects.filter(client=client).only("sla_hours").first()
    return plan.sla_hours if plan else {}


def _check_inquiry_times(data: dict[str, Any], received: dt.datetime) -> None:
    _check_past(received, "received_at", "time it was received")
    for field, what in (("first_response_at", "first response"), ("resolved_at", "resolution")):
        moment = data.get(field)
        if moment is None:
            continue
        _check_past(moment, field, what)
        if moment < received:
            raise DomainError(f"The {what} cannot come before the inquiry.", field=field)


@transaction.atomic
def record_inquiry(
    client: Client,
    *,
    by: User | None,
    channel: str,
    received_at: dt.datetime,
    subject: str,
    priority: str = Priority.NORMAL,
    source: str = Source.MANUAL,
    **data: Any,
) -> Inquiry:
    """Record a question or request; its SLA deadline is counted now, in business time."""
    subject = subject.strip()
    if not subject:
        raise DomainError("Say what the client asked.", field="subject")
    _check_contact(client, data.get("contact"))
    _check_interaction(client, data.get("interaction"))
    _check_inquiry_times(data, received_at)
    hours = sla.sla_hours_for(_plan_sla(client), channel, priority)
    calendar = sla.business_calendar(client.workspace)
    now = timezone.now()
    if data.get("first_response_at") is not None:
        data.setdefault("response_recorded_at", now)
        data.setdefault("first_response_by", by)
    if data.get("resolved_at") is not None and data.get("first_response_at") is None:
        data["first_response_at"] = data["resolved_at"]  # resolving answers too
        data.setdefault("response_recorded_at", now)
    inquiry = Inquiry.objects.create(
        workspace=client.workspace,
        client=client,
        channel=channel,
        priority=priority,
        subject=subject[:300],
        received_at=received_at,
        sla_hours=hours,
        sla_due=sla.sla_due(calendar, received_at, hours),
        source=source,
        recorded_by=by,
        **data,
    )
    sla.store_response_hours(client.workspace, Inquiry.objects.filter(pk=inquiry.pk))
    _audit(client.workspace, by, "inquiry.recorded", inquiry)
    return inquiry


@transaction.atomic
def update_inquiry(inquiry: Inquiry, *, by: User | None, **data: Any) -> Inquiry:
    """Correct an inquiry; a new channel, priority or receipt time moves its SLA deadline."""
    client = inquiry.client
    if "subject" in data:
        data["subject"] = (data["subject"] or "").strip()
        if not data["subject"]:
            raise DomainError("Say what the client asked.", field="subject")
    _check_contact(client, data.get("contact"))
    received = data.get("received_at", inquiry.received_at)
    merged = {
        "first_response_at": data.get("first_response_at", inquiry.first_response_at),
        "resolved_at": data.get("resolved_at", inquiry.resolved_at),
    }
    _check_inquiry_times(merged, received)
    if {"channel", "priority", "received_at"} & data.keys():
        hours = sla.sla_hours_for(
            _plan_sla(client),
            data.get("channel", inquiry.channel),
            data.get("priority", inquiry.priority),
        )
        calendar = sla.business_calendar(inquiry.workspace)
        data.update(sla_hours=hours, sla_due=sla.sla_due(calendar, received, hours))
    if "first_response_at" in data and data["first_response_at"] != inquiry.first_response_at:
        data["response_recorded_at"] = timezone.now() if data["first_response_at"] else None
    changes = diff_fields(inquiry, data)
    if changes:
        history.record_edit(inquiry, changes)  # as of earlier days, the version it replaces
        inquiry.save()
        sla.store_response_hours(inquiry.workspace, Inquiry.objects.filter(pk=inquiry.pk))
        _audit(inquiry.workspace, by, "inquiry.updated", inquiry, changes)
    return inquiry


@transaction.atomic
def record_inquiry_response(inquiry: Inquiry, *, at: dt.datetime, by: User | None) -> Inquiry:
    """The first response to the inquiry: the moment its SLA clock stops."""
    if inquiry.first_response_at is not None:
        raise DomainError(
            f"The first response was already recorded ({inquiry.first_response_at:%d %b %H:%M}).",
            field="at",
        )
    _check_past(at, "at", "response")
    if at < inquiry.received_at:
        raise DomainError("The response cannot come before the inquiry.", field="at")
    inquiry.first_response_at = at
    inquiry.first_response_by = by
    inquiry.response_recorded_at = timezone.now()
    inquiry.save(update_fields=["first_response_at", "first_response_by", "response_recorded_at"])
    sla.store_response_hours(inquiry.workspace, Inquiry.objects.filter(pk=inquiry.pk))
    _audit(
        inquiry.workspace, by, "inquiry.answered", inquiry, {"first_response_at": [None, str(at)]}
    )
    return inquiry


@transaction.atomic
def resolve_inquiry(inquiry: Inquiry, *, at: dt.datetime, by: User | None) -> Inquiry:
    """Mark the inquiry resolved; an inquiry resolved without a response was answered then."""
    if inquiry.resolved_at is not None:
        raise DomainError("The inquiry is already resolved.", field="at")
    _check_past(at, "at", "resolution")
    if at < inquiry.received_at:
        raise DomainError("The resolution cannot come before the inquiry.", field="at")
    inquiry.resolved_at = at
    fields = ["resolved_at"]
    if inquiry.first_response_at is None:
        inquiry.first_response_at, inquiry.first_response_by = at, by
        inquiry.response_recorded_at = timezone.now()
        fields += ["first_response_at", "first_response_by", "response_recorded_at"]
    inquiry.save(update_fields=fields)
    sla.store_response_hours(inquiry.workspace, Inquiry.objects.filter(pk=inquiry.pk))
    _audit(inquiry.workspace, by, "inquiry.resolved", inquiry, {"resolved_at": [None, str(at)]})
    return inquiry


# Commitments


def _clean_commitment(client: Client, data: dict[str, Any]) -> dict[str, Any]:
    if "description" in data:
        data["description"] = (data["description"] or "").strip()
        if not data["description"]:
            raise DomainError("Say what was promised.", field="description")
    _check_member(client, data.get("owner"), "owner")
    _check_interaction(client, data.get("interaction"))
    return data


def _check_due(made_on: dt.date, due_on: dt.date) -> None:
    if due_on < made_on:
        raise DomainError("The due date cannot be before the promise was made.", field="due_on")


@transaction.atomic
def record_commitment(
    client: Client,
    *,
    by: User | None,
    description: str,
    due_on: dt.date,
    owner: User | None = None,
    made_on: dt.date | None = None,
    **data: Any,
) -> Commitment:
    """Record a promise to the client; it is owed by ``owner`` (the recorder when not given)."""
    data = _clean_commitment(client, {"description": description, "owner": owner or by, **data})
    made_on = made_on or timezone.localdate()
    _check_due(made_on, due_on)
    commitment = Commitment.objects.create(
        workspace=client.workspace,
        client=client,
        due_on=due_on,
        made_on=made_on,
        recorded_by=by,
        **data,
    )
    _audit(client.workspace, by, "commitment.recorded", commitment)
    return commitment


@transaction.atomic
def update_commitment(commitment: Commitment, *, by: User | None, **data: Any) -> Commitment:
    data = _clean_commitment(commitment.client, data)
    _check_due(data.get("made_on", commitment.made_on), data.get("due_on", commitment.due_on))
    changes = diff_fields(commitment, data)
    if changes:
        history.record_edit(commitment, changes)  # as of earlier days, the version it replaces
        commitment.save()
        _audit(commitment.workspace, by, "commitment.updated", commitment, changes)
    return commitment


def _settle(commitment: Commitment, on: dt.date | None, field: str) -> dt.date:
    if commitment.done_on is not None or commitment.broken_on is not None:
        raise DomainError(f"This commitment is already {commitment.outcome}.", field="on")
    on = on or timezone.localdate()
    if on < commitment.made_on:
        raise DomainError("That is before the promise was made.", field="on")
    if on > timezone.localdate():
        raise DomainError("That date is in the future.", field="on")
    setattr(commitment, field, on)
    commitment.settled_at = timezone.now()
    commitment.save(update_fields=[field, "settled_at"])
    return on


@transaction.atomic
def complete_commitment(
    commitment: Commitment, *, by: User | None, on: dt.date | None = None
) -> Commitment:
    """Done: kept when on or before its due date, late after it."""
    done = _settle(commitment, on, "done_on")
    _audit(
        commitment.workspace,
        by,
        f"commitment.{commitment.outcome}",
        commitment,
        {"done_on": [None, str(done)]},
    )
    return commitment


@transaction.atomic
def break_commitment(
    commitment: Commitment, *, by: User | None, on: dt.date | None = None, note: str = ""
) -> Commitment:
    """Given up: the promise will not be kept."""
    broken = _settle(commitment, on, "broken_on")
    if note.strip():
        commitment.note = note.strip()[:500]
        commitment.save(update_fields=["note"])
    _audit(
        commitment.workspace,
        by,
        "commitment.broken",
        commitment,
        {"broken_on": [None, str(broken)]},
    )
    return commitment


@transaction.atomic
def reopen_commitment(commitment: Commitment, *, by: User | None) -> Commitment:
    """Undo a mistaken done or broken mark."""
    if commitment.done_on is None and commitment.broken_on is None:
        raise DomainError("This commitment is still open.", field="on")
    changes = {
        "done_on": [str(commitment.done_on), None],
        "broken_on": [str(commitment.broken_on), None],
    }
    history.record_edit(commitment, changes)  # as of earlier days, it was done (or broken)
    commitment.done_on = commitment.broken_on = commitment.settled_at = None
    commitment.save(update_fields=["done_on", "broken_on", "settled_at", "recorded_at"])
    _audit(commitment.workspace, by, "commitment.reopened", commitment, changes)
    return commitment
