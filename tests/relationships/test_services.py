"""Tier routines, health checks and business reviews through their services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.communications.factories import PlanFactory
from trustledger.communications.models import Interaction, InteractionKind
from trustledger.communications.selectors import cadence_measures
from trustledger.relationships import services
from trustledger.relationships.models import BusinessReview, HealthCheck, ReviewItem, TierRoutine
from trustledger.workspaces.models import AuditEntry
from trustledger.workspaces.services import DomainError

NOW = dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC)
TODAY = NOW.date()
ALL_GOOD = {"delivers": (5, "On time all year"), "bad_news": (4, ""), "strategy": (3, "")}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def audit(action):
    return AuditEntry.objects.filter(action=action)


# Routines


def test_routines_default_by_tier_the_first_time_they_are_needed(personas):
    ws = personas.workspace_a
    assert not TierRoutine.objects.for_workspace(ws).exists()
    routines = services.ensure_routines(ws)
    key, growth, standard = routines["key"], routines["growth"], routines["standard"]
    assert (key.health_check_months, key.review_months, key.account_manager_required) == (
        3,
        3,
        True,
    )
    assert (growth.health_check_months, growth.review_months) == (6, 6)
    assert (standard.health_check_months, standard.account_manager_required) == (12, False)
    services.ensure_routines(ws)
    assert TierRoutine.objects.for_workspace(ws).count() == 3
    assert not TierRoutine.objects.for_workspace(personas.workspace_b).exists()


def test_a_routine_change_is_saved_and_audited_with_what_changed(personas):
    routine = services.ensure_routines(personas.workspace_a)["growth"]
    services.update_routine(
        routine, by=personas.alice, health_check_months=4, account_manager_required=True
    )
    routine.refresh_from_db()
    assert routine.health_check_months == 4 and routine.account_manager_required
    entry = audit("tier_routine.updated").get()
    assert entry.changes == {
        "health_check_months": [6, 4],
        "account_manager_required": [False, True],
    }
    services.update_routine(routine, by=personas.alice, health_check_months=4)
    assert audit("tier_routine.updated").count() == 1  # nothing changed, nothing audited


@pytest.mark.parametrize("months", [0, 37, None])
def test_a_routine_runs_every_one_to_thirty_six_months(personas, months):
    routine = services.ensure_routines(personas.workspace_a)["key"]
    with pytest.raises(DomainError) as error:
        services.update_routine(routine, by=personas.alice, review_months=months)
    assert error.value.field == "review_months"


# Health checks


def test_a_health_check_stores_its_answers_and_its_overall_score(personas):
    check = services.record_health_check(
        personas.client_a,
        by=personas.amir,
        held_on=TODAY,
        answers={**ALL_GOOD, "value_talk": (None, "Did not come up")},
        summary="  Strong delivery  ",
    )
    # results 100 (w2), integrity 75 (w2), strategic thinking 50 (w1): 400 / 5 = 80
    assert check.score == 80
    assert check.reviewer == personas.amir
    assert check.summary == "Strong delivery"
    answers = {a.question: (a.area, a.answer, a.notes) for a in check.answers.all()}
    assert answers["delivers"] == ("results", 5, "On time all year")
    assert answers["value_talk"] == ("value", None, "Did not come up")
    assert audit("health_check.recorded").get().changes == {"score": [None, 80.0]}


def test_a_health_check_needs_one_scored_question_known_questions_and_a_past_date(personas):
    client = personas.client_a
    with pytest.raises(DomainError) as error:
        services.record_health_check(
            client, by=personas.amir, held_on=TODAY, answers={"delivers": (None, "")}
        )
    assert error.value.field == "answers"
    with pytest.raises(DomainError) as error:
        services.record_health_check(
            client, by=personas.amir, held_on=TODAY, answers={"charisma": (3, "")}
        )
    assert error.value.field == "answers"
    with pytest.raises(DomainError) as error:
        services.record_health_check(
            client, by=personas.amir, held_on=TODAY + dt.timedelta(days=1), answers=ALL_GOOD
        )
    assert error.value.field == "held_on"
    with pytest.raises(DomainError) as error:
        services.record_health_check(
            client, by=personas.amir, held_on=TODAY, answers=ALL_GOOD, reviewer=personas.charlie
        )
    assert error.value.field == "reviewer"
    assert not HealthCheck.objects.exists()


def test_changing_the_answers_rescores_the_check_and_audits_the_change(personas):
    check = services.record_health_check(
        personas.client_a, by=personas.amir, held_on=TODAY, answers=ALL_GOOD
    )
    services.update_health_check(check, by=personas.alice, answers={"delivers": (2, "Late")})
    check.refresh_from_db()
    assert check.score == 25
    assert [a.answer for a in check.answers.all()] == [2]
    assert audit("health_check.updated").get().changes["score"] == [80.0, 25.0]
    services.delete_health_check(check, by=personas.alice)
    assert not HealthCheck.objects.exists()
    assert audit("health_check.deleted").exists()


# Business reviews


def _review(p, **extra):
    data = {
        "held_on": TODAY - dt.timedelta(days=2),
        "agenda": ["Results of the year", " ", "Plans for Q3"],
        "goals": [("Cut churn by 10%", "on_track"), ("Open Berlin office", "at_risk")],
        "value_delivered": [("Saved licence costs", Decimal("12000")), ("Faster close", None)],
        "next_steps": ["Send the roadmap"],
        "attendees": ["Ada Contact", "Amir Manager"],
        "summary": "Good meeting",
    }
    return services.record_business_review(p.client_a, by=p.amir, **{**data, **extra})


def test_recording_a_held_review_records_a_business_review_interaction(personas):
    PlanFactory(client=personas.client_a, review_days=91, starts_on=dt.date(2025, 1, 1))
    review = _review(personas)
    interaction = Interaction.objects.get()
    assert review.interaction == interaction
    assert interaction.kind == InteractionKind.BUSINESS_REVIEW
    assert interaction.occurred_at.date() == TODAY - dt.timedelta(days=2)
    assert interaction.participants == ["Ada Contact", "Amir Manager"]
    assert interaction.person == personas.amir
    [review_cadence] = [
        a
        for a in cadence_measures(personas.workspace_a, as_of=TODAY)[personas.client_a.pk]
        if a.kind == "business_review"
    ]
    assert review_cadence.last_held == TODAY - dt.timedelta(days=2)
    items = list(ReviewItem.objects.filter(review=review).values_list("kind", "text"))
    assert ("agenda", "Plans for Q3") in items and len(items) == 7  # the blank line is dropped
    assert audit("business_review.recorded").exists()
    assert audit("interaction.recorded").exists()


def test_a_planned_review_records_no_interaction_until_it_is_held(personas):
    review = _review(personas, status="planned", held_on=TODAY + dt.timedelta(days=20))
    assert review.interaction is None and not Interaction.objects.exists()
    with pytest.raises(DomainError) as error:  # held in the future: no
        services.update_business_review(review, by=personas.amir, status="held")
    assert error.value.field == "held_on"
    services.update_business_review(review, by=personas.amir, status="held", held_on=TODAY)
    review.refresh_from_db()
    assert review.interaction is not None
    assert Interaction.objects.get().occurred_at.date() == TODAY
    with pytest.raises(DomainError):
        services.update_business_review(review, by=personas.amir, status="planned")


def test_editing_a_held_review_updates_its_interaction_and_deleting_removes_both(personas):
    review = _review(personas)
    services.update_business_review(
        review, by=personas.amir, held_on=TODAY - dt.timedelta(days=5), goals=[]
    )
    interaction = Interaction.objects.get()
    assert interaction.occurred_at.date() == TODAY - dt.timedelta(days=5)
    assert not review.items.filter(kind="goal").exists()
    assert audit("business_review.updated").get().changes["goal"] == [2, 0]
    services.delete_business_review(review, by=personas.amir)
    assert not BusinessReview.objects.exists() and not Interaction.objects.exists()
    assert audit("interaction.deleted").exists()


def test_review_items_are_checked(personas):
    with pytest.raises(DomainError) as error:
        _review(personas, goals=[("Grow", "flying")])
    assert error.value.field == "goals"
    with pytest.raises(DomainError) as error:
        _review(personas, value_delivered=[("Refund", Decimal("-5"))])
    assert error.value.field == "value_delivered"
    with pytest.raises(DomainError) as error:
        _review(personas, currency="euro")
    assert error.value.field == "currency"
    with pytest.raises(DomainError) as error:
        _review(personas, agenda=[f"Item {n}" for n in range(31)])
    assert error.value.field == "agenda"
    assert not BusinessReview.objects.exists() and not Interaction.objects.exists()
