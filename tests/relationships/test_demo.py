"""The demo firm's health checks follow the simulated service quality; key and growth clients
have business reviews linked to their review meetings, and some routines are overdue."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from trustledger.clients.models import Client
from trustledger.demo import generate_demo_firm
from trustledger.relationships.due import due_items
from trustledger.relationships.models import BusinessReview, HealthCheck, ReviewItem, TierRoutine

TODAY = dt.date(2026, 11, 1)


@pytest.mark.django_db
def test_the_demo_firm_keeps_relationship_routines_that_follow_its_service():
    ws = generate_demo_firm(seed=7, today=TODAY)
    assert TierRoutine.objects.for_workspace(ws).count() == 3
    clients = list(Client.objects.for_workspace(ws))
    checks = HealthCheck.objects.for_workspace(ws)
    checked = set(checks.values_list("client_id", flat=True))
    assert len(checked) >= 0.7 * len(clients)
    assert checks.filter(held_on__lt=TODAY - dt.timedelta(days=540)).exists()
    assert not checks.filter(held_on__gt=TODAY).exists()

    def last_half_year(client):  # the last year before it left, or before today
        end = client.lost_on or TODAY
        rows = checks.filter(client=client, held_on__gt=end - dt.timedelta(days=365))
        return [s for s in rows.values_list("score", flat=True) if s is not None]

    lost = [s for c in clients if c.status == "lost" for s in last_half_year(c)]
    kept = [s for c in clients if c.status == "active" for s in last_half_year(c)]
    assert statistics.mean(lost) < statistics.mean(kept) - 10

    reviews = BusinessReview.objects.for_workspace(ws)
    held = reviews.filter(status="held")
    assert held.exists() and not held.filter(interaction__isnull=True).exists()
    assert set(held.values_list("client__tier", flat=True)) == {"key", "growth"}
    assert reviews.filter(status="planned", held_on__gt=TODAY).exists()
    assert ReviewItem.objects.for_workspace(ws).filter(kind="goal", goal_status="at_risk").exists()

    with time_machine_at(TODAY):
        items = due_items(ws, None, until=dt.date(2026, 11, 30))
    assert any(i.overdue(TODAY) for i in items)


def time_machine_at(day: dt.date):
    import time_machine

    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False)
