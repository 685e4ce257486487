"""The recovery workflow through its services: open from an alert, acknowledge, find root causes,
plan, update the client, record wins, close with the before and after."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import ContactFactory
from tests.feedback.factories import SurveyResponseFactory
from tests.recovery.conftest import TODAY, alert, snapshot
from trustledger.communications.models import Interaction
from trustledger.recovery import selectors, services
from trustledger.recovery.models import ActionStatus, PlanStatus
from trustledger.trust.models import SnapshotKind
from trustledger.workspaces.models import AuditEntry
from trustledger.workspaces.services import DomainError

pytestmark = pytest.mark.usefixtures("frozen")

EVIDENCE = {
    "on_time": [
        {"date": "2026-02-20", "description": "Go-live missed by 12 days", "impact": -18.5},
        {"date": "2026-01-10", "description": "Design delivered on time", "impact": 4.0},
    ],
    "responsiveness": [
        {"date": "2026-02-02", "description": "Question answered after 3 days", "impact": -7.25}
    ],
}


def audits(ws, action):
    return AuditEntry.objects.for_workspace(ws).filter(action=action).count()


def answer(client, day, score):
    at = dt.datetime.combine(day, dt.time(10), dt.UTC)
    return SurveyResponseFactory(client=client, score=score, answered_at=at)


@pytest.mark.django_db
def test_the_whole_recovery_flow_from_alert_to_close(personas):
    p, client = personas, personas.client_a
    ws = p.workspace_a
    snapshot(client, TODAY - dt.timedelta(days=1), 42.0, "at_risk", evidence=EVIDENCE)
    trigger = alert(client)
    # GIVEN an alert on a client at risk; WHEN its account manager opens a plan from it
    plan = services.open_plan(client, by=p.amir, alert=trigger)
    # THEN the alert's detail is the trigger, the evidence is copied, the owner is the manager
    assert plan.trigger == "Go-live missed on 20 Feb without notice."
    assert plan.owner == p.amir
    assert plan.index_before == 42.0 and plan.band_before == "at_risk"
    assert plan.evidence["alert"]["cause"] == "milestone_missed_without_notice"
    negatives = plan.evidence["snapshot"]["negatives"]
    assert [n["description"] for n in negatives] == [
        "Go-live missed by 12 days",
        "Question answered after 3 days",
    ]
    assert plan.evidence["snapshot"]["weakest"][0] == {"indicator": "on_time", "score": 30.0}
    trigger.refresh_from_db()
    assert trigger.status == "acknowledged"
    assert plan.stage == "Acknowledge"

    # Acknowledge: the meeting is held; it becomes an escalation meeting interaction
    services.acknowledge(
        plan,
        by=p.amir,
        meeting_scheduled_on=TODAY,
        meeting_held_on=TODAY,
        people=[p.amir, p.alice],
        contacts=[p.contact_a],
        responsibility_taken=True,
        responsibility_wording="We missed the date and did not warn you. That is on us.",
        notes="Client wants weekly updates.",
    )
    meeting = Interaction.objects.get(pk=plan.meeting_interaction_id)
    assert (meeting.kind, meeting.channel, meeting.client_id) == (
        "escalation",
        "meeting",
        client.pk,
    )
    assert sorted(meeting.participants) == sorted(["Alice Owner", "Amir Manager", "Ada Contact"])
    assert plan.attendees.count() == 3
    assert plan.stage == "Improving"

    # Root causes: a 5 Whys chain ending in a root cause, tagged with its erosion factor
    chain = services.add_chain(
        plan, by=p.amir, problem="Go-live slipped", steps=[("Why?", "Testing started late")]
    )
    services.add_why(chain, by=p.amir, why="Why late?", answer="No test environment")
    cause = services.add_cause(
        plan,
        by=p.amir,
        description="Environments are not booked at kickoff",
        category="process",
        factor="on_time",
        chain=chain,
    )
    assert [s.position for s in chain.steps.all()] == [1, 2]
    assert chain.root_cause == cause

    # Improvement plan, updates, wins
    action = services.add_action(
        plan, by=p.amir, title="Book environments at kickoff", due_on=TODAY, cause=cause
    )
    assert action.owner == p.amir  # the plan's owner by default
    goal = services.add_goal(plan, by=p.amir, measure="Milestones on time", target="3 of 3")
    update = services.send_update(
        plan, by=p.amir, summary="Environments booked; test starts Monday.", shared_in_portal=True
    )
    assert update.interaction.direction == "outbound"
    assert update.interaction.client_id == client.pk
    services.record_win(plan, by=p.amir, what="Test environment ready a day early", shared=True)
    services.update_action(action, by=p.amir, status=ActionStatus.DONE)
    assert action.done_on == TODAY
    services.update_goal(goal, by=p.amir, current="3 of 3", met=True)

    # Close: the after is measured at closing
    snapshot(client, TODAY, 71.0, "watch", kind=SnapshotKind.CURRENT)
    services.close_plan(plan, by=p.amir, outcome="recovered", lessons="Book environments early.")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.closed_on == TODAY
    assert (plan.index_before, plan.index_after, plan.band_after) == (42.0, 71.0, "watch")
    for action_name in (
        "recovery_plan.opened",
        "recovery_plan.acknowledged",
        "recovery_chain.created",
        "recovery_why.added",
        "recovery_cause.added",
        "recovery_action.added",
        "recovery_action.done",
        "recovery_goal.added",
        "recovery_goal.updated",
        "recovery_update.sent",
        "recovery_win.recorded",
        "recovery_plan.closed",
    ):
        assert audits(ws, action_name) >= 1, action_name

    # A closed plan no longer changes
    with pytest.raises(DomainError, match="closed"):
        services.record_win(plan, by=p.amir, what="Too late")


@pytest.mark.django_db
def test_before_and_after_measures_on_a_hand_built_example(personas):
    """GIVEN weekly snapshots and NPS answers around a plan opened on 1 Dec and closed on
    2 Mar: the index is the latest snapshot on each day, NPS counts the documented windows."""
    client = personas.client_a
    opened = dt.date(2025, 12, 1)
    snapshot(client, dt.date(2025, 11, 23), 55.0, "watch")
    snapshot(client, dt.date(2025, 11, 30), 48.5, "at_risk")  # the one in force on 1 Dec
    snapshot(client, dt.date(2025, 12, 7), 40.0, "at_risk")  # after opening: not "before"
    snapshot(client, dt.date(2026, 3, 1), 69.0, "watch")
    snapshot(client, dt.date(2026, 3, 2), 70.5, "watch", kind=SnapshotKind.CURRENT)
    # Before: 180 days up to and including 1 Dec -> 1 promoter, 3 detractors, 1 passive
    answer(client, dt.date(2025, 6, 3), 10)  # 181 days before: outside
    for day, score in (
        (dt.date(2025, 6, 5), 9),
        (dt.date(2025, 9, 1), 3),
        (dt.date(2025, 10, 1), 6),
        (dt.date(2025, 11, 2), 8),
        (dt.date(2025, 12, 1), 0),
    ):
        answer(client, day, score)
    # After: 2 Dec to 2 Mar -> 2 promoters, 1 passive
    for day, score in (
        (dt.date(2025, 12, 20), 9),
        (dt.date(2026, 2, 1), 10),
        (dt.date(2026, 3, 2), 7),
    ):
        answer(client, day, score)
    answer(personas.other_client_a, dt.date(2026, 2, 1), 0)  # another client: ignored

    plan = services.open_plan(client, by=personas.amir, trigger="Slow answers", opened_on=opened)
    assert (plan.index_before, plan.band_before) == (48.5, "at_risk")
    assert (plan.nps_before, plan.nps_before_answers) == (-40.0, 5)  # (1 - 3) / 5
    services.close_plan(plan, by=personas.amir, outcome="partially", lessons="Answer faster.")
    assert (plan.index_after, plan.band_after) == (70.5, "watch")
    assert (plan.nps_after, plan.nps_after_answers) == (66.7, 3)  # (2 - 0) / 3


@pytest.mark.django_db
def test_a_plan_without_index_or_answers_measures_nothing(personas):
    plan = services.open_plan(personas.other_client_a, by=personas.alice, trigger="Complaint")
    assert plan.index_before is None and plan.nps_before is None and plan.evidence["snapshot"] == {}
    services.close_plan(plan, by=personas.alice, outcome="lost", lessons="Too late.")
    assert plan.index_after is None and plan.nps_after_answers == 0


@pytest.mark.django_db
def test_the_rules_refuse_nonsense_with_the_field_named(personas):
    p = personas
    other = ContactFactory(client=p.other_client_a)
    with pytest.raises(DomainError) as refused:
        services.open_plan(p.client_a, by=p.amir)
    assert refused.value.field == "trigger"
    with pytest.raises(DomainError) as refused:
        services.open_plan(p.client_a, by=p.amir, alert=alert(p.other_client_a))
    assert refused.value.field == "alert"
    with pytest.raises(DomainError) as refused:
        services.open_plan(p.client_a, by=p.amir, trigger="x", owner=p.charlie)
    assert refused.value.field == "owner"
    plan = services.open_plan(p.client_a, by=p.amir, trigger="Late twice")
    cases = [
        (
            lambda: services.acknowledge(plan, by=p.amir, responsibility_taken=True),
            "responsibility_wording",
        ),
        (
            lambda: services.acknowledge(
                plan, by=p.amir, meeting_held_on=TODAY + dt.timedelta(days=1)
            ),
            "meeting_held_on",
        ),
        (
            lambda: services.acknowledge(plan, by=p.amir, meeting_held_on=TODAY, contacts=[other]),
            "contacts",
        ),
        (
            lambda: services.add_cause(
                plan, by=p.amir, description="x", category="weather", factor="on_time"
            ),
            "category",
        ),
        (
            lambda: services.add_cause(
                plan, by=p.amir, description="x", category="people", factor="luck"
            ),
            "factor",
        ),
        (
            lambda: services.add_action(
                plan, by=p.amir, title="x", due_on=TODAY - dt.timedelta(days=30)
            ),
            "due_on",
        ),
        (lambda: services.send_update(plan, by=p.amir, summary=" "), "summary"),
        (lambda: services.close_plan(plan, by=p.amir, outcome="won", lessons="x"), "outcome"),
        (lambda: services.close_plan(plan, by=p.amir, outcome="lost", lessons=""), "lessons"),
    ]
    for call, field in cases:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.field == field


@pytest.mark.django_db
def test_a_chain_has_at_most_five_whys_and_one_root_cause(personas):
    plan = services.open_plan(personas.client_a, by=personas.amir, trigger="Late")
    chain = services.add_chain(plan, by=personas.amir, problem="Late")
    with pytest.raises(DomainError, match="at least one why"):
        services.add_cause(
            plan,
            by=personas.amir,
            description="x",
            category="people",
            factor="quality",
            chain=chain,
        )
    for n in range(5):
        services.add_why(chain, by=personas.amir, why=f"Why {n}?", answer=f"Because {n}")
    with pytest.raises(DomainError, match="5 whys are enough"):
        services.add_why(chain, by=personas.amir, why="Why 6?", answer="Because")
    services.add_cause(
        plan, by=personas.amir, description="x", category="people", factor="quality", chain=chain
    )
    with pytest.raises(DomainError, match="already ends"):
        services.add_cause(
            plan,
            by=personas.amir,
            description="y",
            category="people",
            factor="quality",
            chain=chain,
        )


@pytest.mark.django_db
def test_an_action_reopened_loses_its_done_date(personas):
    plan = services.open_plan(personas.client_a, by=personas.amir, trigger="Late")
    action = services.add_action(plan, by=personas.amir, title="Fix it", due_on=TODAY)
    services.update_action(
        action, by=personas.amir, status="done", done_on=TODAY - dt.timedelta(days=1)
    )
    assert action.done_on == TODAY - dt.timedelta(days=1)
    services.update_action(action, by=personas.amir, status="open")
    assert action.done_on is None and action.status == "open"
    assert audits(personas.workspace_a, "recovery_action.open") == 1


@pytest.mark.django_db
def test_actions_due_lists_what_a_person_owes_by_a_date(personas):
    p = personas
    plan = services.open_plan(p.client_a, by=p.amir, trigger="Late")  # owned by Amir
    mine = services.add_action(plan, by=p.amir, title="Mine", due_on=TODAY + dt.timedelta(days=3))
    services.add_action(plan, by=p.amir, title="Sam's", due_on=TODAY, owner=p.sam)
    services.add_action(plan, by=p.amir, title="Later", due_on=TODAY + dt.timedelta(days=40))
    done = services.add_action(plan, by=p.amir, title="Done", due_on=TODAY)
    services.update_action(done, by=p.amir, status="done")
    assert list(selectors.actions_due(p.workspace_a, p.amir, TODAY + dt.timedelta(days=30))) == [
        mine
    ]
    assert [a.title for a in selectors.actions_due(p.workspace_a, p.sam, TODAY)] == ["Sam's"]
    assert not selectors.actions_due(p.workspace_b, p.amir, TODAY + dt.timedelta(days=30)).exists()


@pytest.mark.django_db
def test_plans_shared_with_a_client_are_flagged_or_have_a_shared_update(personas):
    p = personas
    private = services.open_plan(p.client_a, by=p.amir, trigger="A")
    services.send_update(private, by=p.amir, summary="Internal only")
    flagged = services.open_plan(p.client_a, by=p.amir, trigger="B", shared_with_client=True)
    updated = services.open_plan(p.client_a, by=p.amir, trigger="C")
    services.send_update(updated, by=p.amir, summary="For you", shared_in_portal=True)
    services.open_plan(p.other_client_a, by=p.alice, trigger="D", shared_with_client=True)
    shared = set(selectors.plans_shared_with(p.workspace_a, p.client_a))
    assert shared == {flagged, updated}
