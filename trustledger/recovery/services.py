"""State changes of recovery plans: one transaction each, each audited.

A refusal raises ``DomainError`` naming the field concerned. Who may act (the client's account
manager, leaders, owners) is checked by the pages and the API before they call in here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max

from trustledger.clients.models import Client, Contact
from trustledger.communications import services as communications
from trustledger.communications.models import Channel, Direction, InteractionKind
from trustledger.core.clock import local_today
from trustledger.core.events import publish
from trustledger.recovery import selectors
from trustledger.recovery.models import (
    Action,
    ActionStatus,
    Attendee,
    Fishbone,
    Goal,
    Outcome,
    PlanStatus,
    RecoveryPlan,
    RootCause,
    Update,
    WhyChain,
    WhyStep,
    Win,
)
from trustledger.scoring.index import INDICATORS
from trustledger.trust.models import Alert, AlertStatus, TrustSnapshot
from trustledger.workspaces.models import Membership, User
from trustledger.workspaces.services import DomainError, diff_fields, record_audit

MAX_WHYS = 5
MAX_CADENCE_DAYS = 90
TOP_NEGATIVES = 5
UPDATE_CHANNELS = (Channel.EMAIL, Channel.PHONE, Channel.MEETING, Channel.MESSAGE)


def _check_open(plan: RecoveryPlan) -> None:
    if plan.status != PlanStatus.OPEN:
        raise DomainError("This plan is closed: it can no longer change.")


def _check_member(workspace_id: int, user: User | None, field: str) -> None:
    if (
        user is not None
        and not Membership.objects.filter(workspace_id=workspace_id, user=user).exists()
    ):
        raise DomainError("Choose a member of this workspace.", field=field)


def _required(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    return value


def _check_not_future(day: dt.date | None, today: dt.date, field: str, what: str) -> None:
    if day is not None and day > today:
        raise DomainError(f"The {what} cannot be in the future.", field=field)


def _noon(plan: RecoveryPlan, day: dt.date) -> dt.datetime:
    """A day's interaction time: midday in the firm's zone, never later than now."""
    from django.utils import timezone

    try:
        zone = ZoneInfo(plan.workspace.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return min(dt.datetime.combine(day, dt.time(12), zone), timezone.now())


# Opening


def _snapshot_evidence(snapshot: TrustSnapshot | None) -> dict[str, Any]:
    if snapshot is None:
        return {}
    negatives = [
        {"indicator": key, **item}
        for key, items in (snapshot.evidence or {}).items()
        for item in items
        if item.get("impact", 0) < 0
    ]
    negatives.sort(key=lambda e: (e["impact"], e["date"]))
    weakest = sorted(
        ((k, v) for k, v in (snapshot.scores or {}).items() if v is not None),
        key=lambda kv: kv[1],
    )[:3]
    return {
        "as_of": snapshot.as_of.isoformat(),
        "index": snapshot.index,
        "band": snapshot.band,
        "confidence": snapshot.confidence,
        "pillar_scores": snapshot.pillar_scores,
        "weakest": [{"indicator": k, "score": v} for k, v in weakest],
        "negatives": negatives[:TOP_NEGATIVES],
    }


def _alert_evidence(alert: Alert | None) -> dict[str, Any]:
    if alert is None:
        return {}
    return {
        "id": alert.pk,
        "cause": alert.cause,
        "detail": alert.detail,
        "suggested_step": alert.suggested_step,
        "evidence_date": alert.evidence_date.isoformat(),
    }


@transaction.atomic
def open_plan(
    client: Client,
    *,
    by: User | None,
    alert: Alert | None = None,
    title: str = "",
    trigger: str = "",
    owner: User | None = None,
    update_every_days: int | None = None,
    opened_on: dt.date | None = None,
    shared_with_client: bool = False,
) -> RecoveryPlan:
    """Open a plan from an alert (its detail is the trigger) or by hand (say what happened).

    The evidence copies the alert and the client's trust snapshot as they are now; the alert,
    if still open, is acknowledged: someone is on it.
    """
    if alert is not None and (
        alert.client_id != client.pk or alert.workspace_id != client.workspace_id
    ):
        raise DomainError("That alert is about another client.", field="alert")
    workspace = client.workspace
    today = local_today(workspace)
    opened_on = opened_on or today
    _check_not_future(opened_on, today, "opened_on", "opening day")
    trigger = (trigger or "").strip() or (alert.detail if alert else "")
    trigger = _required(trigger, "trigger", "Say what happened: the trigger of this plan.")
    owner = owner or client.account_manager
    _check_member(client.workspace_id, owner, "owner")
    every = update_every_days or RecoveryPlan._meta.get_field("update_every_days").default
    _check_cadence(every)
    snapshot = selectors.snapshot_on(client, opened_on)
    if snapshot is not None:  # defer("evidence") above: read it only when a plan is opened
        snapshot = TrustSnapshot.objects.get(pk=snapshot.pk)
    nps = selectors.nps_before(client, opened_on)
    plan = RecoveryPlan.objects.create(
        workspace=workspace,
        client=client,
        alert=alert,
        title=(title or "").strip()[:200] or f"Rebuild trust with {client.name}"[:200],
        trigger=trigger[:500],
        evidence={"alert": _alert_evidence(alert), "snapshot": _snapshot_evidence(snapshot)},
        owner=owner,
        opened_on=opened_on,
        update_every_days=every,
        shared_with_client=shared_with_client,
        index_before=snapshot.index if snapshot else None,
        band_before=snapshot.band if snapshot else "",
        nps_before=nps.value,
        nps_before_answers=nps.answers,
        created_by=by,
    )
    record_audit(workspace, by, "recovery_plan.opened", plan, {"client": [None, client.pk]})
    _publish(plan, "recovery_plan.opened")
    if alert is not None and alert.status == AlertStatus.OPEN:
        from trustledger.trust.services import set_alert_status

        set_alert_status(alert, AlertStatus.ACKNOWLEDGED, by=by)
    return plan


def _check_cadence(every: int) -> None:
    if not 1 <= every <= MAX_CADENCE_DAYS:
        raise DomainError(
            f"Send updates every 1 to {MAX_CADENCE_DAYS} days.", field="update_every_days"
        )


PLAN_FIELDS = {"title", "trigger", "owner", "update_every_days", "shared_with_client"}


@transaction.atomic
def update_plan(plan: RecoveryPlan, *, by: User | None, **data: Any) -> RecoveryPlan:
    unknown = set(data) - PLAN_FIELDS
    if unknown:
        raise DomainError(f"{sorted(unknown)[0]} cannot be changed here.", field=sorted(unknown)[0])
    _check_open(plan)
    if "title" in data:
        data["title"] = _required(data["title"], "title", "Give the plan a title.")[:200]
    if "trigger" in data:
        data["trigger"] = _required(data["trigger"], "trigger", "Say what happened.")[:500]
    if "owner" in data:
        _check_member(plan.workspace_id, data["owner"], "owner")
    if "update_every_days" in data:
        _check_cadence(data["update_every_days"])
    changes = diff_fields(plan, data)
    if changes:
        plan.save()
        record_audit(plan.workspace, by, "recovery_plan.updated", plan, changes)
    return plan


@transaction.atomic
def delete_plan(plan: RecoveryPlan, *, by: User | None) -> None:
    record_audit(
        plan.workspace, by, "recovery_plan.deleted", plan, {"client": [plan.client_id, None]}
    )
    plan.delete()


# Acknowledge


@transaction.atomic
def acknowledge(
    plan: RecoveryPlan,
    *,
    by: User | None,
    meeting_scheduled_on: dt.date | None = None,
    meeting_held_on: dt.date | None = None,
    people: Sequence[User] = (),
    contacts: Sequence[Contact] = (),
    responsibility_taken: bool | None = None,
    responsibility_wording: str = "",
    notes: str = "",
) -> RecoveryPlan:
    """Record the acknowledge meeting. Holding it (a held date, the first time) logs an
    escalation meeting with the client among the communications."""
    _check_open(plan)
    today = local_today(plan.workspace)
    _check_not_future(meeting_held_on, today, "meeting_held_on", "meeting's date")
    wording = (responsibility_wording or "").strip()
    if responsibility_taken and not wording:
        raise DomainError(
            "Write down how the firm took responsibility, in the words used.",
            field="responsibility_wording",
        )
    if meeting_held_on is None and (people or contacts):
        raise DomainError(
            "Attendees come with a held meeting: give its date.", field="meeting_held_on"
        )
    for person in people:
        _check_member(plan.workspace_id, person, "people")
    for contact in contacts:
        if contact.client_id != plan.client_id:
            raise DomainError(
                f"{contact.name} is not a contact of {plan.client}.", field="contacts"
            )
    first_held = plan.meeting_held_on is None and meeting_held_on is not None
    changes = diff_fields(
        plan,
        {
            "meeting_scheduled_on": meeting_scheduled_on,
            "meeting_held_on": meeting_held_on,
            "responsibility_taken": responsibility_taken,
            "responsibility_wording": wording,
            "acknowledge_notes": (notes or "").strip(),
        },
    )
    before = sorted(
        f"p{a.person_id}" if a.person_id else f"c{a.contact_id}" for a in plan.attendees.all()
    )
    after = sorted([f"p{p.pk}" for p in people] + [f"c{c.pk}" for c in contacts])
    if before != after:
        plan.attendees.all().delete()
        Attendee.objects.bulk_create(
            [Attendee(workspace_id=plan.workspace_id, plan=plan, person=p) for p in people]
            + [Attendee(workspace_id=plan.workspace_id, plan=plan, contact=c) for c in contacts]
        )
        changes["attendees"] = [before, after]
    if first_held and meeting_held_on is not None:
        plan.meeting_interaction = communications.record_interaction(
            plan.client,
            by=by,
            channel=Channel.MEETING,
            direction=Direction.TWO_WAY,
            kind=InteractionKind.ESCALATION,
            occurred_at=_noon(plan, meeting_held_on),
            subject=f"Recovery meeting: {plan.title}"[:300],
            summary=(notes or "").strip(),
            participants=[str(p) for p in people] + [c.name for c in contacts],
            contact=contacts[0] if contacts else None,
            person=by,
        )
    if changes:
        plan.save()
        action = "recovery_plan.acknowledged" if first_held else "recovery_plan.acknowledge_updated"
        record_audit(plan.workspace, by, action, plan, changes)
    return plan


# Root causes


@transaction.atomic
def add_chain(
    plan: RecoveryPlan,
    *,
    by: User | None,
    problem: str,
    steps: Sequence[tuple[str, str]] = (),
) -> WhyChain:
    """Start a 5 Whys chain from a problem (optionally with its first whys)."""
    _check_open(plan)
    problem = _required(problem, "problem", "State the problem the whys start from.")
    chain = WhyChain.objects.create(
        workspace_id=plan.workspace_id, plan=plan, problem=problem[:300]
    )
    record_audit(plan.workspace, by, "recovery_chain.created", chain, {"plan": [None, plan.pk]})
    for why, answer in steps:
        add_why(chain, by=by, why=why, answer=answer)
    return chain


@transaction.atomic
def add_why(chain: WhyChain, *, by: User | None, why: str, answer: str) -> WhyStep:
    """Ask the next why and record its answer, up to five."""
    _check_open(chain.plan)
    why = _required(why, "why", "Ask the question: why did it happen?")
    answer = _required(answer, "answer", "Record the answer to this why.")
    last = chain.steps.aggregate(last=Max("position"))["last"] or 0
    if last >= MAX_WHYS:
        raise DomainError(
            f"{MAX_WHYS} whys are enough: name the root cause this chain ends in.", field="why"
        )
    step = WhyStep.objects.create(
        workspace_id=chain.workspace_id,
        chain=chain,
        position=last + 1,
        why=why[:300],
        answer=answer[:500],
    )
    record_audit(chain.workspace, by, "recovery_why.added", step, {"position": [None, last + 1]})
    return step


@transaction.atomic
def add_cause(
    plan: RecoveryPlan,
    *,
    by: User | None,
    description: str,
    category: str,
    factor: str,
    detail: str = "",
    chain: WhyChain | None = None,
) -> RootCause:
    """Name a root cause (ending a why chain, or straight from the fishbone) and tag it with
    its fishbone category and the erosion factor (trust indicator) it belongs to."""
    _check_open(plan)
    description = _required(description, "description", "Name the root cause.")
    if category not in Fishbone.values:
        raise DomainError(f"Choose one of: {', '.join(Fishbone.values)}.", field="category")
    if factor not in INDICATORS:
        raise DomainError("Choose the erosion factor (an indicator of the index).", field="factor")
    if chain is not None:
        if chain.plan_id != plan.pk:
            raise DomainError("That why chain belongs to another plan.", field="chain")
        if RootCause.objects.filter(chain=chain).exists():
            raise DomainError("This chain already ends in a root cause.", field="chain")
        if not chain.steps.exists():
            raise DomainError("Ask at least one why before naming the root cause.", field="chain")
    cause = RootCause.objects.create(
        workspace_id=plan.workspace_id,
        plan=plan,
        chain=chain,
        description=description[:300],
        category=category,
        factor=factor,
        detail=(detail or "").strip(),
    )
    record_audit(
        plan.workspace,
        by,
        "recovery_cause.added",
        cause,
        {"factor": [None, factor], "category": [None, category]},
    )
    return cause


# Improvement plan


def _check_cause(plan: RecoveryPlan, cause: RootCause | None) -> None:
    if cause is not None and cause.plan_id != plan.pk:
        raise DomainError("That root cause belongs to another plan.", field="cause")


@transaction.atomic
def add_action(
    plan: RecoveryPlan,
    *,
    by: User | None,
    title: str,
    due_on: dt.date,
    owner: User | None = None,
    cause: RootCause | None = None,
) -> Action:
    _check_open(plan)
    title = _required(title, "title", "Say what will be done.")
    owner = owner or plan.owner
    _check_member(plan.workspace_id, owner, "owner")
    _check_cause(plan, cause)
    if due_on < plan.opened_on:
        raise DomainError("An action is due on or after the plan's opening day.", field="due_on")
    action = Action.objects.create(
        workspace_id=plan.workspace_id,
        plan=plan,
        title=title[:300],
        owner=owner,
        due_on=due_on,
        cause=cause,
    )
    record_audit(
        plan.workspace, by, "recovery_action.added", action, {"due_on": [None, str(due_on)]}
    )
    return action


ACTION_FIELDS = {"title", "owner", "due_on", "status", "done_on", "cause"}


@transaction.atomic
def update_action(action: Action, *, by: User | None, **data: Any) -> Action:
    """Change an action; marking it done dates it (today unless given), reopening undates it."""
    plan = action.plan
    _check_open(plan)
    unknown = set(data) - ACTION_FIELDS
    if unknown:
        raise DomainError("This field cannot be changed.", field=sorted(unknown)[0])
    if "title" in data:
        data["title"] = _required(data["title"], "title", "Say what will be done.")[:300]
    if "owner" in data:
        _check_member(plan.workspace_id, data["owner"], "owner")
    if "cause" in data:
        _check_cause(plan, data["cause"])
    status = data.get("status", action.status)
    if status not in ActionStatus.values:
        raise DomainError("An action is open, done or dropped.", field="status")
    today = local_today(plan.workspace)
    if status == ActionStatus.DONE:
        data["done_on"] = data.get("done_on") or action.done_on or today
        _check_not_future(data["done_on"], today, "done_on", "day it was done")
    elif data.get("done_on"):
        raise DomainError("Only a done action has a done date.", field="done_on")
    else:
        data["done_on"] = None
    if data.get("due_on") is not None and data["due_on"] < plan.opened_on:
        raise DomainError("An action is due on or after the plan's opening day.", field="due_on")
    if "due_on" in data and data["due_on"] is None:
        raise DomainError("An action needs a due date.", field="due_on")
    changes = diff_fields(action, data)
    if changes:
        action.save()
        verb = status if "status" in changes else "updated"
        record_audit(plan.workspace, by, f"recovery_action.{verb}", action, changes)
    return action


@transaction.atomic
def add_goal(
    plan: RecoveryPlan, *, by: User | None, measure: str, target: str, current: str = ""
) -> Goal:
    _check_open(plan)
    goal = Goal.objects.create(
        workspace_id=plan.workspace_id,
        plan=plan,
        measure=_required(measure, "measure", "Say what is measured.")[:200],
        target=_required(target, "target", "Give the target to reach.")[:100],
        current=(current or "").strip()[:100],
    )
    record_audit(plan.workspace, by, "recovery_goal.added", goal)
    return goal


@transaction.atomic
def update_goal(goal: Goal, *, by: User | None, **data: Any) -> Goal:
    """Record where a goal stands (``current``) and whether it is met."""
    _check_open(goal.plan)
    unknown = set(data) - {"measure", "target", "current", "met"}
    if unknown:
        raise DomainError("This field cannot be changed.", field=sorted(unknown)[0])
    for field in ("measure", "target"):
        if field in data:
            data[field] = _required(data[field], field, "This field cannot be empty.")
    if "current" in data:
        data["current"] = (data["current"] or "").strip()[:100]
    changes = diff_fields(goal, data)
    if changes:
        goal.save()
        record_audit(goal.workspace, by, "recovery_goal.updated", goal, changes)
    return goal


# Updates and wins


@transaction.atomic
def send_update(
    plan: RecoveryPlan,
    *,
    by: User | None,
    summary: str,
    sent_on: dt.date | None = None,
    shared_in_portal: bool = False,
    channel: str = Channel.EMAIL,
) -> Update:
    """Record a progress update to the client: an outbound interaction, optionally shared in the
    client portal. Each update restarts the cadence clock."""
    _check_open(plan)
    summary = _required(summary, "summary", "Write what the client was told.")
    today = local_today(plan.workspace)
    sent_on = sent_on or today
    _check_not_future(sent_on, today, "sent_on", "update's date")
    if channel not in UPDATE_CHANNELS:
        raise DomainError("Choose e-mail, phone, meeting or message.", field="channel")
    interaction = communications.record_interaction(
        plan.client,
        by=by,
        channel=channel,
        direction=Direction.OUTBOUND,
        kind=InteractionKind.OTHER,
        occurred_at=_noon(plan, sent_on),
        subject=f"Recovery update: {plan.title}"[:300],
        summary=summary,
        person=by,
    )
    update = Update.objects.create(
        workspace_id=plan.workspace_id,
        plan=plan,
        sent_on=sent_on,
        summary=summary,
        shared_in_portal=shared_in_portal,
        interaction=interaction,
    )
    record_audit(
        plan.workspace, by, "recovery_update.sent", update, {"shared": [None, shared_in_portal]}
    )
    return update


@transaction.atomic
def record_win(
    plan: RecoveryPlan,
    *,
    by: User | None,
    what: str,
    on: dt.date | None = None,
    shared: bool = False,
) -> Win:
    _check_open(plan)
    today = local_today(plan.workspace)
    on = on or today
    _check_not_future(on, today, "on", "win's date")
    win = Win.objects.create(
        workspace_id=plan.workspace_id,
        plan=plan,
        on=on,
        what=_required(what, "what", "Say what went well.")[:300],
        shared=shared,
    )
    record_audit(plan.workspace, by, "recovery_win.recorded", win, {"shared": [None, shared]})
    return win


# Close


@transaction.atomic
def close_plan(
    plan: RecoveryPlan,
    *,
    by: User | None,
    outcome: str,
    lessons: str,
    closed_on: dt.date | None = None,
) -> RecoveryPlan:
    """Close with an outcome; the index and NPS after are measured now and stored (see the
    windows in ``selectors``), beside those stored at opening."""
    _check_open(plan)
    if outcome not in Outcome.values:
        raise DomainError("Choose recovered, partially recovered or lost.", field="outcome")
    lessons = _required(lessons, "lessons", "Write down what the firm learned.")
    today = local_today(plan.workspace)
    closed_on = closed_on or today
    _check_not_future(closed_on, today, "closed_on", "closing day")
    if closed_on < plan.opened_on:
        raise DomainError("A plan closes on or after the day it opened.", field="closed_on")
    snapshot = selectors.snapshot_on(plan.client, closed_on)
    nps = selectors.nps_after(plan.client, plan.opened_on, closed_on)
    changes = diff_fields(
        plan,
        {
            "status": PlanStatus.CLOSED,
            "closed_on": closed_on,
            "outcome": outcome,
            "lessons": lessons,
            "index_after": snapshot.index if snapshot else None,
            "band_after": snapshot.band if snapshot else "",
            "nps_after": nps.value,
            "nps_after_answers": nps.answers,
        },
    )
    plan.save()
    record_audit(plan.workspace, by, "recovery_plan.closed", plan, changes)
    _publish(plan, "recovery_plan.closed")
    return plan


def _publish(plan: RecoveryPlan, kind: str) -> None:
    client = plan.client.name
    closed = f" ({plan.get_outcome_display()})" if plan.outcome else ""
    publish(
        plan.workspace_id,
        kind,
        {
            "summary": f"{client}: {plan.title}{closed}",
            "plan_id": plan.pk,
            "client_id": plan.client_id,
            "client": client,
            "title": plan.title,
            "trigger": plan.trigger,
            "status": plan.status,
            "opened_on": plan.opened_on.isoformat(),
            "closed_on": plan.closed_on.isoformat() if plan.closed_on else None,
            "outcome": plan.outcome,
            "alert_id": plan.alert_id,
        },
    )
