"""State changes of tier routines, health checks and business reviews: one transaction each,
audited. A refusal raises ``DomainError`` naming the field, shown next to it by pages and the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from trustledger.clients.models import Client, Tier
from trustledger.communications import services as communications
from trustledger.communications.models import Channel, Interaction, InteractionKind
from trustledger.core.clock import local_today, zone
from trustledger.core.facts import announce
from trustledger.relationships.models import (
    MAX_MONTHS,
    BusinessReview,
    GoalStatus,
    HealthAnswer,
    HealthCheck,
    ItemKind,
    ReviewItem,
    ReviewStatus,
    TierRoutine,
)
from trustledger.relationships.questions import BY_KEY
from trustledger.scoring.health import health_score
from trustledger.workspaces.models import Membership, User, Workspace
from trustledger.workspaces.services import DomainError, diff_fields, record_audit

# (health check months, business review months, dedicated account manager required)
DEFAULT_ROUTINES: dict[str, tuple[int, int, bool]] = {
    Tier.KEY: (3, 3, True),
    Tier.GROWTH: (6, 6, False),
    Tier.STANDARD: (12, 12, False),
}
MAX_ITEMS = 30
# A review is "held" at midday local time in the communications record: a date, not a moment.
REVIEW_HOUR = dt.time(12)

type Answers = Mapping[str, tuple[int | None, str]]


# Routines


def ensure_routines(workspace: Workspace) -> dict[str, TierRoutine]:
    """The workspace's routine for each tier, creating the defaults the first time."""
    routines = {r.tier: r for r in TierRoutine.objects.for_workspace(workspace)}
    missing = [t for t in Tier.values if t not in routines]
    if missing:
        TierRoutine.objects.bulk_create(
            [
                TierRoutine(
                    workspace=workspace,
                    tier=t,
                    health_check_months=DEFAULT_ROUTINES[t][0],
                    review_months=DEFAULT_ROUTINES[t][1],
                    account_manager_required=DEFAULT_ROUTINES[t][2],
                )
                for t in missing
            ],
            ignore_conflicts=True,
        )
        routines = {r.tier: r for r in TierRoutine.objects.for_workspace(workspace)}
    return routines


@transaction.atomic
def update_routine(routine: TierRoutine, *, by: User | None, **data: Any) -> TierRoutine:
    for field in ("health_check_months", "review_months"):
        value = data.get(field)
        if field in data and (value is None or not 1 <= value <= MAX_MONTHS):
            raise DomainError(f"Give a number of months from 1 to {MAX_MONTHS}.", field=field)
    if "account_manager_required" in data and data["account_manager_required"] is None:
        raise DomainError("Say yes or no.", field="account_manager_required")
    changes = diff_fields(routine, data)
    if changes:
        routine.updated_at = timezone.now()
        routine.save()
        record_audit(routine.workspace, by, "tier_routine.updated", routine, changes)
    return routine


# Health checks


def _check_person(workspace: Workspace, user: User | None, field: str) -> None:
    if user is not None and not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise DomainError("Choose a member of this workspace.", field=field)


def _check_day(workspace: Workspace, day: dt.date, field: str, what: str) -> None:
    if day > local_today(workspace):
        raise DomainError(f"The {what} cannot be in the future.", field=field)
    if day.year < 1990:
        raise DomainError("Give a date from 1990 on.", field=field)


def _clean_answers(answers: Answers) -> list[tuple[str, int | None, str]]:
    rows = []
    for key, (answer, notes) in answers.items():
        if key not in BY_KEY:
            raise DomainError(f"Unknown question {key!r}.", field="answers")
        if answer is not None and not 1 <= answer <= 5:
            raise DomainError("Score each question from 1 to 5.", field=f"answers.{key}")
        rows.append((key, answer, (notes or "").strip()))
    if not any(answer is not None for _, answer, _ in rows):
        raise DomainError("Score at least one question.", field="answers")
    return rows


def _write_answers(check: HealthCheck, rows: list[tuple[str, int | None, str]]) -> None:
    check.answers.all().delete()
    HealthAnswer.objects.bulk_create(
        HealthAnswer(
            workspace_id=check.workspace_id,
            health_check=check,
            question=key,
            area=BY_KEY[key].area,
            answer=answer,
            notes=notes,
        )
        for key, answer, notes in rows
    )
    score = health_score((BY_KEY[k].area, a) for k, a, _ in rows).overall
    check.score = round(score, 2) if score is not None else None
    check.save(update_fields=["score"])


@transaction.atomic
def record_health_check(
    client: Client,
    *,
    by: User | None,
    held_on: dt.date,
    answers: Answers,
    reviewer: User | None = None,
    summary: str = "",
) -> HealthCheck:
    workspace = client.workspace
    _check_day(workspace, held_on, "held_on", "date of the check")
    _check_person(workspace, reviewer, "reviewer")
    rows = _clean_answers(answers)
    check = HealthCheck.objects.create(
        workspace=workspace,
        client=client,
        held_on=held_on,
        reviewer=reviewer or by,
        summary=summary.strip(),
    )
    _write_answers(check, rows)
    record_audit(workspace, by, "health_check.recorded", check, {"score": [None, check.score]})
    return check


@transaction.atomic
def update_health_check(
    check: HealthCheck, *, by: User | None, answers: Answers | None = None, **data: Any
) -> HealthCheck:
    workspace = check.client.workspace
    if data.get("held_on") is not None:
        _check_day(workspace, data["held_on"], "held_on", "date of the check")
    elif "held_on" in data:
        raise DomainError("Give the date of the check.", field="held_on")
    if "reviewer" in data:
        _check_person(workspace, data["reviewer"], "reviewer")
    if "summary" in data:
        data["summary"] = (data["summary"] or "").strip()
    before = check.score
    changes = diff_fields(check, data)
    if changes:
        check.updated_at = timezone.now()
        check.save()
    if answers is not None:
        _write_answers(check, _clean_answers(answers))
        if check.score != before:
            changes["score"] = [before, check.score]
        changes.setdefault("answers", ["replaced", "replaced"])
    if changes:
        record_audit(workspace, by, "health_check.updated", check, changes)
    return check


@transaction.atomic
def delete_health_check(check: HealthCheck, *, by: User | None) -> None:
    record_audit(check.workspace, by, "health_check.deleted", check)
    check.delete()


# Business reviews


def _clean_lines(values: Sequence[str] | None, field: str) -> list[str]:
    lines = [str(v).strip() for v in values or [] if str(v).strip()]
    if len(lines) > MAX_ITEMS:
        raise DomainError(f"List at most {MAX_ITEMS} items.", field=field)
    for line in lines:
        if len(line) > 500:
            raise DomainError("Keep each item under 500 characters.", field=field)
    return lines


def _clean_review(data: dict[str, Any]) -> dict[str, Any]:
    if "status" in data and data["status"] not in ReviewStatus.values:
        raise DomainError("A review is planned or held.", field="status")
    if "attendees" in data:
        data["attendees"] = [a[:200] for a in _clean_lines(data["attendees"], "attendees")]
    if "summary" in data:
        data["summary"] = (data["summary"] or "").strip()
    if "currency" in data:
        currency = (data["currency"] or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise DomainError("Give a three-letter currency code, e.g. EUR.", field="currency")
        data["currency"] = currency
    return data


def _items(
    agenda: Sequence[str] | None,
    goals: Sequence[tuple[str, str]] | None,
    values: Sequence[tuple[str, Decimal | None]] | None,
    next_steps: Sequence[str] | None,
) -> dict[str, list[tuple[str, str, Decimal | None]]]:
    """The given lists, checked, as ``{kind: [(text, goal status, amount)]}`` (None: unchanged)."""
    out: dict[str, list[tuple[str, str, Decimal | None]]] = {}
    if agenda is not None:
        out[ItemKind.AGENDA] = [(t, "", None) for t in _clean_lines(agenda, "agenda")]
    if next_steps is not None:
        out[ItemKind.NEXT_STEP] = [(t, "", None) for t in _clean_lines(next_steps, "next_steps")]
    if goals is not None:
        texts = _clean_lines([t for t, _ in goals], "goals")
        statuses = [s for t, s in goals if str(t).strip()]
        for status in statuses:
            if status not in GoalStatus.values:
                raise DomainError(f"Unknown goal status {status!r}.", field="goals")
        out[ItemKind.GOAL] = [(t, s, None) for t, s in zip(texts, statuses, strict=True)]
    if values is not None:
        texts = _clean_lines([t for t, _ in values], "value_delivered")
        amounts = [a for t, a in values if str(t).strip()]
        for amount in amounts:
            if amount is not None and not Decimal(0) <= amount < Decimal("1e12"):
                raise DomainError("An amount is zero or more.", field="value_delivered")
        out[ItemKind.VALUE] = [(t, "", a) for t, a in zip(texts, amounts, strict=True)]
    return out


def _write_items(
    review: BusinessReview, items: dict[str, list[tuple[str, str, Decimal | None]]]
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for kind, rows in items.items():
        current = review.items.filter(kind=kind)
        before = [(i.text, i.goal_status, i.amount) for i in current]
        if before == rows:
            continue
        current.delete()
        ReviewItem.objects.bulk_create(
            ReviewItem(
                workspace_id=review.workspace_id,
                review=review,
                kind=kind,
                text=text,
                goal_status=status,
                amount=amount,
                position=n,
            )
            for n, (text, status, amount) in enumerate(rows)
        )
        changes[kind] = [len(before), len(rows)]
    return changes


def _interaction_data(review: BusinessReview) -> dict[str, Any]:
    moment = dt.datetime.combine(review.held_on, REVIEW_HOUR, tzinfo=zone(review.workspace))
    goals = review.items.filter(kind=ItemKind.GOAL).count()
    summary = review.summary or f"Business review: {goals} client goal{'s' * (goals != 1)}."
    return {
        "channel": Channel.MEETING,
        "kind": InteractionKind.BUSINESS_REVIEW,
        "occurred_at": moment,
        "subject": "Business review",
        "summary": summary[:5000],
        "participants": list(review.attendees),
        "person": review.led_by,
    }


def _sync_interaction(review: BusinessReview, by: User | None) -> None:
    """A held review is a business-review touch in the communications record: create or update
    it, so cadence adherence and the trust index count it."""
    if review.status != ReviewStatus.HELD:
        return
    data = _interaction_data(review)
    if review.interaction_id is None:
        interaction = communications.record_interaction(review.client, by=by, **data)
        review.interaction = interaction
        review.save(update_fields=["interaction"])
    else:
        assert review.interaction is not None
        communications.update_interaction(review.interaction, by=by, **data)


def _check_review_day(review: BusinessReview) -> None:
    if review.status == ReviewStatus.HELD:
        _check_day(review.workspace, review.held_on, "held_on", "date of a held review")
    elif review.held_on.year < 1990:
        raise DomainError("Give a date from 1990 on.", field="held_on")


@transaction.atomic
def record_business_review(
    client: Client,
    *,
    by: User | None,
    held_on: dt.date,
    status: str = ReviewStatus.HELD,
    led_by: User | None = None,
    agenda: Sequence[str] = (),
    goals: Sequence[tuple[str, str]] = (),
    value_delivered: Sequence[tuple[str, Decimal | None]] = (),
    next_steps: Sequence[str] = (),
    **data: Any,
) -> BusinessReview:
    """A review planned or held; a held one also records its business-review interaction."""
    workspace = client.workspace
    data = _clean_review({"status": status, **data})
    _check_person(workspace, led_by, "led_by")
    items = _items(agenda, goals, value_delivered, next_steps)
    review = BusinessReview(
        workspace=workspace, client=client, held_on=held_on, led_by=led_by or by, **data
    )
    _check_review_day(review)
    review.save()
    _write_items(review, items)
    _sync_interaction(review, by)
    record_audit(workspace, by, "business_review.recorded", review, {"status": [None, status]})
    return review


@transaction.atomic
def update_business_review(
    review: BusinessReview,
    *,
    by: User | None,
    agenda: Sequence[str] | None = None,
    goals: Sequence[tuple[str, str]] | None = None,
    value_delivered: Sequence[tuple[str, Decimal | None]] | None = None,
    next_steps: Sequence[str] | None = None,
    **data: Any,
) -> BusinessReview:
    workspace = review.workspace
    data = _clean_review(data)
    if review.status == ReviewStatus.HELD and data.get("status") == ReviewStatus.PLANNED:
        raise DomainError(
            "A held review stays held; delete it if it did not happen.", field="status"
        )
    for field in ("held_on", "status"):
        if field in data and data[field] is None:
            raise DomainError("This field cannot be emptied.", field=field)
    if "led_by" in data:
        _check_person(workspace, data["led_by"], "led_by")
    items = _items(agenda, goals, value_delivered, next_steps)
    changes = diff_fields(review, data)
    _check_review_day(review)
    if changes:
        review.updated_at = timezone.now()
        review.save()
    changes |= _write_items(review, items)
    if changes:
        _sync_interaction(review, by)
        record_audit(workspace, by, "business_review.updated", review, changes)
    return review


@transaction.atomic
def delete_business_review(review: BusinessReview, *, by: User | None) -> None:
    """A review recorded by mistake goes with the business-review touch it recorded."""
    workspace = review.workspace
    interaction: Interaction | None = review.interaction
    record_audit(workspace, by, "business_review.deleted", review)
    review.delete()
    if interaction is not None:
        record_audit(workspace, by, "interaction.deleted", interaction)
        announce(workspace.pk, [interaction.client_id], "interaction")
        interaction.delete()
