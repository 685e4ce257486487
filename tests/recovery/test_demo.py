"""The demo firm's recovery plans come from the simulation: plans that worked closed as recovered
where service came back, plans that failed closed as lost when the client left."""

from __future__ import annotations

import datetime as dt

import pytest

from trustledger.demo import generate_demo_firm
from trustledger.recovery import selectors
from trustledger.recovery.alerting import ACTION_OVERDUE, UPDATE_MISSED
from trustledger.recovery.models import RecoveryPlan
from trustledger.trust.models import Alert

TODAY = dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_the_demo_firm_has_recovery_plans_that_worked_and_that_did_not():
    ws = generate_demo_firm(seed=7, today=TODAY)
    plans = RecoveryPlan.objects.for_workspace(ws).select_related("client")
    outcomes = {p.outcome for p in plans}
    assert "lost" in outcomes and outcomes & {"recovered", "partially"} and "" in outcomes
    for plan in plans.filter(outcome="lost"):
        assert plan.client.status == "lost" and plan.closed_on == plan.client.lost_on
    worked = [p for p in plans if p.outcome in ("recovered", "partially")]
    measured = [p for p in worked if p.index_before is not None and p.index_after is not None]
    assert measured and sum(p.index_after - p.index_before for p in measured) > 0
    assert all(p.chains.exists() for p in plans)
    assert all(p.updates.exists() for p in plans.filter(status="closed"))
    # causes recur across plans, open plans slip and raise alerts
    assert any(r.recurs for r in selectors.recurring_causes(ws, "factor"))
    open_plans = plans.filter(status="open")
    assert open_plans.exists()
    causes = set(Alert.objects.for_workspace(ws).values_list("cause", flat=True))
    assert {ACTION_OVERDUE, UPDATE_MISSED} <= causes
