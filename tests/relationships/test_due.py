"""What is due this month: routines by tier from the last one done, never done is due now."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import ClientFactory
from tests.relationships.factories import BusinessReviewFactory, HealthCheckFactory
from trustledger.relationships.due import DueItem, due_items
from trustledger.relationships.services import ensure_routines, update_routine

NOW = dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC)
TODAY = NOW.date()
END_OF_MARCH = dt.date(2026, 3, 31)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def book(personas):
    """GIVEN Amir's three clients at different points of their routines, an unmanaged key
    client, a lost client, and a client of another firm."""
    p = personas
    ws = p.workspace_a
    p.client_a.tier = "key"
    p.client_a.save()
    HealthCheckFactory(client=p.client_a, held_on=dt.date(2025, 12, 1))  # due 1 Mar: overdue
    HealthCheckFactory(client=p.client_a, held_on=dt.date(2025, 6, 1))  # older: ignored
    BusinessReviewFactory(client=p.client_a, held_on=dt.date(2026, 1, 20))  # due 20 Apr
    gamma = ClientFactory(workspace=ws, name="Gamma", tier="growth", account_manager=p.amir)
    HealthCheckFactory(client=gamma, held_on=dt.date(2025, 9, 20))  # due 20 Mar
    planned = BusinessReviewFactory(
        client=gamma, held_on=dt.date(2026, 3, 25), status="planned"
    )  # never held: due now, with a plan
    delta = ClientFactory(workspace=ws, name="Delta", tier="standard", account_manager=p.amir)
    HealthCheckFactory(client=delta, held_on=dt.date(2025, 6, 1))  # due 1 Jun 2026
    BusinessReviewFactory(client=delta, held_on=dt.date(2025, 3, 31))  # due 31 Mar
    p.other_client_a.tier = "key"  # nobody manages it
    p.other_client_a.save()
    ClientFactory(
        workspace=ws,
        name="Gone",
        tier="key",
        account_manager=p.amir,
        status="lost",
        lost_on=dt.date(2025, 1, 1),
    )
    ClientFactory(workspace=p.workspace_b, name="Elsewhere", tier="key", account_manager=None)
    return {"gamma": gamma, "delta": delta, "planned": planned}


def rows(items: list[DueItem]) -> list[tuple[str, str, dt.date]]:
    return [(i.client_name, i.kind, i.due_on) for i in items]


def test_an_account_managers_list_is_overdue_first_then_by_due_date(personas, book):
    items = due_items(personas.workspace_a, personas.amir, until=END_OF_MARCH)
    assert rows(items) == [
        ("Acme Secret Holdings", "health_check", dt.date(2026, 3, 1)),
        ("Gamma", "business_review", TODAY),
        ("Other Alpha Client", "account_manager", TODAY),
        ("Gamma", "health_check", dt.date(2026, 3, 20)),
        ("Delta", "business_review", dt.date(2026, 3, 31)),
    ]
    assert items[0].overdue(TODAY) and items[0].days_overdue(TODAY) == 13
    assert items[0].detail == "Last done 1 Dec 2025"
    assert not items[1].overdue(TODAY)
    assert items[1].detail == "Never done; planned for 25 Mar 2026"
    assert items[1].action_url == f"/relationships/reviews/{book['planned'].pk}/edit/"
    assert items[3].action_url == f"/relationships/clients/{book['gamma'].pk}/health-checks/new/"
    assert items[2].action_url == f"/clients/{personas.other_client_a.pk}/edit/"


def test_everyones_list_adds_the_clients_nobody_manages(personas, book):
    items = due_items(personas.workspace_a, None, until=END_OF_MARCH)
    other = [i.kind for i in items if i.client_name == "Other Alpha Client"]
    assert sorted(other) == ["account_manager", "business_review", "health_check"]
    assert "Gone" not in {i.client_name for i in items}
    assert "Elsewhere" not in {i.client_name for i in items}


def test_the_window_and_the_routines_decide_what_is_due(personas, book):
    ws = personas.workspace_a
    until_june = due_items(ws, personas.amir, until=dt.date(2026, 6, 30))
    assert ("Delta", "health_check", dt.date(2026, 6, 1)) in rows(until_june)
    assert ("Acme Secret Holdings", "business_review", dt.date(2026, 4, 20)) in rows(until_june)
    routines = ensure_routines(ws)
    update_routine(routines["growth"], by=personas.alice, health_check_months=12)
    update_routine(routines["key"], by=personas.alice, account_manager_required=False)
    items = rows(due_items(ws, personas.amir, until=END_OF_MARCH))
    assert ("Gamma", "health_check", dt.date(2026, 3, 20)) not in items
    assert not [r for r in items if r[1] == "account_manager"]


def test_a_review_only_counts_once_it_is_held(personas, book):
    BusinessReviewFactory(client=book["delta"], held_on=dt.date(2026, 3, 1), status="planned")
    items = rows(due_items(personas.workspace_a, personas.amir, until=END_OF_MARCH))
    assert ("Delta", "business_review", dt.date(2026, 3, 31)) in items
    BusinessReviewFactory(client=book["delta"], held_on=dt.date(2026, 3, 10))
    items = rows(due_items(personas.workspace_a, personas.amir, until=END_OF_MARCH))
    assert not [r for r in items if r[:2] == ("Delta", "business_review")]


# two per routine source (routines, rows), the review calendar's zone (two), one each for
# recovery actions and promises
QUERIES = 2 * 3 + 2 + 2


def test_the_list_takes_a_fixed_number_of_queries(personas, book, django_assert_num_queries):
    ensure_routines(personas.workspace_a)
    with django_assert_num_queries(QUERIES):
        due_items(personas.workspace_a, None, until=END_OF_MARCH)
    for n in range(10):
        client = ClientFactory(workspace=personas.workspace_a, name=f"More {n}", tier="key")
        HealthCheckFactory(client=client, held_on=dt.date(2025, 1, n + 1))
    with django_assert_num_queries(QUERIES):
        items = due_items(personas.workspace_a, None, until=END_OF_MARCH)
    assert len(items) > 20


def test_another_source_joins_the_list(personas, book):
    def promises(workspace, user, until):
        return [DueItem("commitment", "Promise", 1, "Zeta", TODAY, "Send the plan", "/x/", "Do")]

    items = due_items(personas.workspace_a, personas.amir, until=END_OF_MARCH, sources=[promises])
    assert rows(items) == [("Zeta", "commitment", TODAY)]


def test_recovery_actions_and_promises_join_the_owners_list(personas, book):
    from tests.communications.factories import CommitmentFactory
    from tests.recovery.factories import ActionFactory, RecoveryPlanFactory

    plan = RecoveryPlanFactory(client=personas.client_a, title="Win back Acme", owner=personas.amir)
    ActionFactory(plan=plan, title="Weekly status call", due_on=TODAY, owner=None)
    ActionFactory(plan=plan, title="Done already", due_on=TODAY, status="done", done_on=TODAY)
    CommitmentFactory(
        client=personas.client_a,
        description="Send the revised plan",
        owner=personas.amir,
        due_on=dt.date(2026, 3, 20),
    )
    CommitmentFactory(
        client=personas.client_a, description="Someone else's", owner=personas.alice, due_on=TODAY
    )
    items = due_items(personas.workspace_a, personas.amir, until=END_OF_MARCH)
    extra = [
        (i.kind, i.detail, i.due_on) for i in items if i.kind in ("recovery_action", "commitment")
    ]
    assert extra == [
        ("recovery_action", "Weekly status call (plan: Win back Acme)", TODAY),
        ("commitment", "Send the revised plan", dt.date(2026, 3, 20)),
    ]
