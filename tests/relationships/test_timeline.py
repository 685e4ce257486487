"""Health checks and business reviews in the client's one timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from trustledger.clients.timeline import client_timeline
from trustledger.relationships import services, timeline
from trustledger.relationships.models import HealthCheck
from trustledger.scoring.health import health_band

NOW = dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_checks_and_held_reviews_are_events_with_their_outcome(personas, django_assert_num_queries):
    p = personas
    services.record_health_check(
        p.client_a,
        by=p.amir,
        held_on=dt.date(2026, 1, 5),
        answers={"delivers": (5, ""), "bad_news": (1, ""), "strategy": (2, "")},
        summary="Honesty slipped",
    )
    services.record_health_check(
        p.client_a, by=p.amir, held_on=dt.date(2025, 10, 5), answers={"delivers": (5, "")}
    )
    services.record_business_review(
        p.client_a,
        by=p.amir,
        held_on=dt.date(2026, 2, 2),
        goals=[("Cut churn", "achieved"), ("Open Berlin", "at_risk"), ("Hire", "on_track")],
        value_delivered=[("Saved costs", Decimal("12000")), ("Faster", None)],
    )
    services.record_business_review(
        p.client_a, by=p.amir, held_on=dt.date(2026, 4, 2), status="planned"
    )
    services.record_health_check(
        p.other_client_a, by=p.alice, held_on=dt.date(2026, 1, 5), answers={"delivers": (1, "")}
    )
    with django_assert_num_queries(3):
        events = list(timeline.events(p.workspace_a, p.client_a))
    by_title = {e.title: e for e in events}
    assert set(by_title) == {
        "Health check: 45 of 100",  # (100 * 2 + 0 * 2 + 25) / 5
        "Health check: 100 of 100",
        "Reviewed goals and value with the client",
    }
    low = by_title["Health check: 45 of 100"]
    assert (low.on, low.kind, low.tone) == (dt.date(2026, 1, 5), "Health check", "bad")
    assert low.detail == "Weakest: Integrity. Honesty slipped"
    assert by_title["Health check: 100 of 100"].tone == "good"
    review = by_title["Reviewed goals and value with the client"]
    assert review.detail == "3 goals, 1 achieved, 1 at risk, €12,000 value delivered"
    assert review.tone == "bad" and review.url.startswith("/relationships/reviews/")


def test_the_client_timeline_gathers_them_in_order(personas):
    p = personas
    services.record_health_check(
        p.client_a, by=p.amir, held_on=dt.date(2026, 1, 5), answers={"delivers": (4, "")}
    )
    services.record_business_review(p.client_a, by=p.amir, held_on=dt.date(2026, 2, 2))
    kinds = [e.kind for e in client_timeline(p.workspace_a, p.client_a)]
    # the review, told once with its outcome (relationships), then the check
    assert kinds.index("Health check") > kinds.index("Business review")
    assert kinds.count("Business review") == 1


def test_the_badge_and_the_timeline_wear_the_band_of_the_score_as_shown():
    badges = {"strong": "ok", "fair": "warn", "weak": "bad"}
    tones = {"strong": "good", "fair": "neutral", "weak": "bad"}
    for score in (74.5, 74.4, 49.5, 49.4, 90.0):
        band = health_band(score)
        assert band is not None
        assert HealthCheck(score=score).tone == badges[band]
        assert timeline._tone(score) == tones[band]
