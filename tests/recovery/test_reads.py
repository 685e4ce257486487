"""Reads across plans: the client timeline's recovery events, recurring root causes, the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClientFactory
from tests.recovery.conftest import TODAY
from tests.recovery.factories import RecoveryPlanFactory, RootCauseFactory
from trustledger.clients.timeline import client_timeline
from trustledger.recovery import selectors, services, timeline

pytestmark = pytest.mark.usefixtures("frozen")


def a_full_plan(p, client, title="Rebuild"):
    plan = services.open_plan(
        client, by=p.alice, trigger="Late", title=title, opened_on=TODAY - dt.timedelta(days=20)
    )
    services.acknowledge(plan, by=p.alice, meeting_held_on=TODAY - dt.timedelta(days=18))
    action = services.add_action(plan, by=p.alice, title="Fix the plan", due_on=TODAY)
    services.update_action(action, by=p.alice, status="done", done_on=TODAY - dt.timedelta(days=5))
    services.add_action(plan, by=p.alice, title="Still open", due_on=TODAY)
    services.send_update(plan, by=p.alice, summary="Week two", sent_on=TODAY - dt.timedelta(days=7))
    services.record_win(
        plan, by=p.alice, what="First demo accepted", on=TODAY - dt.timedelta(days=3)
    )
    services.close_plan(plan, by=p.alice, outcome="recovered", lessons="Talk early.")
    return plan


@pytest.mark.django_db
def test_the_client_timeline_tells_each_recovery_step_in_a_fixed_number_of_queries(personas):
    p = personas
    a_full_plan(p, p.client_a)
    with CaptureQueriesContext(connection) as one:
        events = list(timeline.events(p.workspace_a, p.client_a))
    a_full_plan(p, p.client_a, title="Again")
    with CaptureQueriesContext(connection) as two:
        more = list(timeline.events(p.workspace_a, p.client_a))
    assert len(one.captured_queries) == len(two.captured_queries) == 4
    assert len(more) == 2 * len(events)
    titles = [(e.on, e.title, e.tone) for e in events]
    assert (TODAY - dt.timedelta(days=20), "Recovery plan opened: Rebuild", "bad") in titles
    assert (
        TODAY - dt.timedelta(days=18),
        "Acknowledged with the client: Rebuild",
        "neutral",
    ) in titles
    assert (TODAY - dt.timedelta(days=5), "Recovery action done: Fix the plan", "good") in titles
    assert (TODAY - dt.timedelta(days=7), "Recovery update sent", "neutral") in titles
    assert (TODAY - dt.timedelta(days=3), "Small win: First demo accepted", "good") in titles
    assert (TODAY, "Recovery plan closed (recovered): Rebuild", "good") in titles
    assert all(e.kind == "Recovery" and e.url.startswith("/recovery/") for e in events)
    assert "Still open" not in " ".join(e.title for e in events)
    assert list(timeline.events(p.workspace_a, p.other_client_a)) == []
    # and the client page's merged timeline shows them
    assert any(e.kind == "Recovery" for e in client_timeline(p.workspace_a, p.client_a))


@pytest.mark.django_db
def test_the_plan_timeline_shows_everything_in_order(personas):
    p = personas
    plan = a_full_plan(p, p.client_a)
    page = selectors.plan_for_page(p.workspace_a, plan.pk).get()
    entries = selectors.plan_timeline(page, list(selectors.plan_alerts(page)))
    kinds = [e.kind for e in entries]
    assert kinds[0] == "Opened" and kinds[-1] == "Closed"
    assert [e.on for e in entries] == sorted(e.on for e in entries)
    assert {"Acknowledged", "Action", "Action done", "Update", "Small win"} <= set(kinds)


@pytest.mark.django_db
def test_recurring_root_causes_are_counted_by_factor_and_category(personas):
    p = personas
    ws = p.workspace_a
    other = ClientFactory(workspace=ws, name="Third client")
    one = RecoveryPlanFactory(client=p.client_a)
    two = RecoveryPlanFactory(client=other)
    three = RecoveryPlanFactory(client=other)
    RootCauseFactory(plan=one, factor="on_time", category="process")
    RootCauseFactory(plan=one, factor="on_time", category="people")  # same plan: one plan
    RootCauseFactory(plan=two, factor="on_time", category="process")
    RootCauseFactory(plan=three, factor="responsiveness", category="communication")
    RootCauseFactory(plan=RecoveryPlanFactory(client=p.client_b), factor="on_time")  # B's

    by_factor = {r.key: r for r in selectors.recurring_causes(ws, "factor")}
    assert (by_factor["on_time"].causes, by_factor["on_time"].plans) == (3, 2)
    assert by_factor["on_time"].clients == 2 and by_factor["on_time"].recurs
    assert not by_factor["responsiveness"].recurs
    assert list(by_factor) == ["on_time", "responsiveness"]  # the most widespread first
    by_category = {r.key: (r.causes, r.plans) for r in selectors.recurring_causes(ws, "category")}
    assert by_category == {"process": (2, 2), "people": (1, 1), "communication": (1, 1)}
    assert selectors.recurring_pairs(ws)[("on_time", "process")] == 2
    # drill-down: the plans behind a factor, a category, or both
    assert set(selectors.list_plans(ws, factor="on_time")) == {one, two}
    assert set(selectors.list_plans(ws, factor="on_time", category="people")) == {one}


@pytest.mark.django_db
def test_the_list_counts_open_and_overdue_actions_and_filters(personas):
    p = personas
    plan = services.open_plan(
        p.client_a, by=p.amir, trigger="Late", opened_on=TODAY - dt.timedelta(days=9)
    )
    services.add_action(plan, by=p.amir, title="Overdue", due_on=TODAY - dt.timedelta(days=1))
    services.add_action(plan, by=p.amir, title="Upcoming", due_on=TODAY + dt.timedelta(days=1))
    services.send_update(plan, by=p.amir, summary="x", sent_on=TODAY - dt.timedelta(days=2))
    closed = services.open_plan(p.other_client_a, by=p.alice, trigger="Gone")
    services.close_plan(closed, by=p.alice, outcome="lost", lessons="x")
    row = selectors.list_plans(p.workspace_a, status="open").get()
    assert (row.open_actions, row.overdue_actions) == (2, 1)
    assert row.last_update_on == TODAY - dt.timedelta(days=2)
    assert list(selectors.list_plans(p.workspace_a, status="closed")) == [closed]
    assert list(selectors.list_plans(p.workspace_a, owner_id=p.amir.pk)) == [plan]
    assert list(selectors.list_plans(p.workspace_a, q="other alpha")) == [closed]
