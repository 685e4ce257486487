"""Overdue recovery actions and missed client updates raise alerts, once, and resolve when the
condition clears; the worker's periodic job runs the check."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.background import run_job
from tests.recovery.conftest import TODAY
from trustledger.recovery import selectors, services
from trustledger.recovery.alerting import (
    ACTION_OVERDUE,
    UPDATE_MISSED,
    check_recovery_alerts,
)
from trustledger.trust.models import Alert

pytestmark = pytest.mark.usefixtures("frozen")


def unresolved(ws, cause):
    return Alert.objects.for_workspace(ws).filter(cause=cause).exclude(status="resolved")


@pytest.mark.django_db
def test_an_overdue_action_raises_one_alert_and_resolves_when_done(personas):
    p = personas
    plan = services.open_plan(
        p.client_a, by=p.amir, trigger="Late", opened_on=TODAY - dt.timedelta(days=3)
    )
    late = services.add_action(
        plan, by=p.amir, title="Call the sponsor", due_on=TODAY - dt.timedelta(days=1)
    )
    services.add_action(plan, by=p.amir, title="Not yet due", due_on=TODAY)

    created, resolved = check_recovery_alerts(p.workspace_a)
    assert [a.cause for a in created] == [ACTION_OVERDUE] and resolved == []
    alert = unresolved(p.workspace_a, ACTION_OVERDUE).get()
    assert alert.client == p.client_a and alert.owner == p.amir
    assert "Call the sponsor" in alert.detail and alert.evidence_date == late.due_on

    # Idempotent: a second run changes nothing
    assert check_recovery_alerts(p.workspace_a) == ([], [])
    assert unresolved(p.workspace_a, ACTION_OVERDUE).count() == 1

    # The condition clears: the alert resolves
    services.update_action(late, by=p.amir, status="done")
    created, resolved = check_recovery_alerts(p.workspace_a)
    assert created == [] and [a.pk for a in resolved] == [alert.pk]
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_at is not None

    # It can fire again once it slips again
    tomorrow = TODAY + dt.timedelta(days=1)
    created, _ = check_recovery_alerts(p.workspace_a, today=tomorrow)
    assert [a.cause for a in created] == [ACTION_OVERDUE]


@pytest.mark.django_db
def test_dropped_actions_and_closed_plans_do_not_alert(personas):
    p = personas
    plan = services.open_plan(
        p.client_a, by=p.amir, trigger="Late", opened_on=TODAY - dt.timedelta(days=3)
    )
    dropped = services.add_action(
        plan, by=p.amir, title="Dropped", due_on=TODAY - dt.timedelta(days=1)
    )
    services.update_action(dropped, by=p.amir, status="dropped")
    services.add_action(plan, by=p.amir, title="Overdue", due_on=TODAY - dt.timedelta(days=1))
    check_recovery_alerts(p.workspace_a)
    assert "Overdue" in unresolved(p.workspace_a, ACTION_OVERDUE).get().detail
    services.close_plan(plan, by=p.amir, outcome="lost", lessons="Too late.")
    check_recovery_alerts(p.workspace_a)
    assert not unresolved(p.workspace_a, ACTION_OVERDUE).exists()


@pytest.mark.django_db
def test_a_missed_update_cadence_is_detected_and_alerted(personas):
    p = personas
    plan = services.open_plan(
        p.client_a,
        by=p.amir,
        trigger="Late",
        opened_on=TODAY - dt.timedelta(days=10),
        update_every_days=7,
    )
    # Due 7 days after opening, i.e. 3 days ago, with no update yet
    due = selectors.cadence(plan, None, TODAY)
    assert due is not None and due.missed and due.next_due_on == TODAY - dt.timedelta(days=3)
    created, _ = check_recovery_alerts(p.workspace_a)
    assert [a.cause for a in created] == [UPDATE_MISSED]
    assert created[0].evidence_date == TODAY - dt.timedelta(days=3)
    # An update restarts the clock and clears the alert
    services.send_update(plan, by=p.amir, summary="Here is where we are.")
    _, resolved = check_recovery_alerts(p.workspace_a)
    assert [a.cause for a in resolved] == [UPDATE_MISSED]
    assert selectors.cadence(plan, TODAY, TODAY).next_due_on == TODAY + dt.timedelta(days=7)
    # On the due day itself it is not missed yet; the day after it is
    assert not selectors.cadence(plan, TODAY, TODAY + dt.timedelta(days=7)).missed
    assert selectors.cadence(plan, TODAY, TODAY + dt.timedelta(days=8)).missed


@pytest.mark.django_db
def test_the_check_never_touches_another_workspace_or_other_alerts(personas):
    p = personas
    plan = services.open_plan(
        p.client_b, by=p.charlie, trigger="Late", opened_on=TODAY - dt.timedelta(days=9)
    )
    services.add_action(plan, by=p.charlie, title="B's action", due_on=TODAY - dt.timedelta(days=1))
    other = Alert.objects.create(
        workspace=p.workspace_a,
        client=p.client_a,
        cause="band_drop",
        detail="d",
        suggested_step="s",
        evidence_date=TODAY,
    )
    assert check_recovery_alerts(p.workspace_a) == ([], [])
    other.refresh_from_db()
    assert other.status == "open"
    created, _ = check_recovery_alerts(p.workspace_b)
    assert {a.cause for a in created} == {ACTION_OVERDUE, UPDATE_MISSED}
    assert all(a.workspace_id == p.workspace_b.pk for a in created)


@pytest.mark.django_db
def test_the_worker_runs_the_check_as_a_periodic_job(personas):
    p = personas
    plan = services.open_plan(
        p.client_a, by=p.amir, trigger="Late", opened_on=TODAY - dt.timedelta(days=2)
    )
    services.add_action(plan, by=p.amir, title="Overdue", due_on=TODAY - dt.timedelta(days=1))
    assert run_job("recovery.alerts", p.workspace_a) == 1
    assert unresolved(p.workspace_a, ACTION_OVERDUE).count() == 1
    assert run_job("recovery.alerts", p.workspace_a) == 0  # running again is harmless
    assert unresolved(p.workspace_a, ACTION_OVERDUE).count() == 1
