"""The relationships API: routines, health checks, business reviews and what is due, with field
errors and role checks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import ClientFactory
from tests.relationships.factories import BusinessReviewFactory
from trustledger.communications.models import Interaction
from trustledger.relationships.models import BusinessReview, HealthCheck
from trustledger.workspaces.models import ApiKeyScope, AuditEntry
from trustledger.workspaces.services import create_api_key

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC)
JSON = "application/json"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def post(client, url, data, **kw):
    return client.post(url, data, content_type=JSON, **kw)


def patch(client, url, data, **kw):
    return client.patch(url, data, content_type=JSON, **kw)


def a_check(p, **extra):
    return {
        "client_id": p.client_a.pk,
        "held_on": "2026-03-10",
        "answers": [
            {"question": "delivers", "answer": 5, "notes": "All on time"},
            {"question": "bad_news", "answer": 2},
            {"question": "value_talk", "answer": None, "notes": "Not discussed"},
        ],
        **extra,
    }


def test_routines_are_listed_with_defaults_and_changed_by_owners_only(client, personas):
    client.force_login(personas.amir)
    routines = client.get("/api/tier-routines").json()
    assert [(r["tier"], r["health_check_months"]) for r in routines] == [
        ("key", 3),
        ("growth", 6),
        ("standard", 12),
    ]
    key = routines[0]["id"]
    assert patch(client, f"/api/tier-routines/{key}", {"review_months": 2}).status_code == 403
    client.force_login(personas.alice)
    response = patch(client, f"/api/tier-routines/{key}", {"review_months": 2})
    assert response.status_code == 200 and response.json()["review_months"] == 2
    bad = patch(client, f"/api/tier-routines/{key}", {"review_months": 99})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "review_months"
    assert AuditEntry.objects.filter(action="tier_routine.updated").count() == 1


def test_a_health_check_is_recorded_read_changed_and_deleted(client, personas):
    client.force_login(personas.amir)
    response = post(client, "/api/health-checks", a_check(personas))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["score"] == 62.5  # (results 100 * 2 + integrity 25 * 2) / 4
    assert body["areas"] == {"results": 100.0, "integrity": 25.0}
    assert body["weakest"] == ["integrity"]
    assert body["reviewer_id"] == personas.amir.pk
    assert {
        "question": "value_talk",
        "area": "value",
        "answer": None,
        "notes": "Not discussed",
    } in (body["answers"])
    check_id = body["id"]
    listed = client.get("/api/health-checks", {"client_id": personas.client_a.pk}).json()
    assert [c["id"] for c in listed["items"]] == [check_id]
    changed = patch(
        client,
        f"/api/health-checks/{check_id}",
        {"answers": [{"question": "delivers", "answer": 3}], "summary": "Slipping"},
    )
    assert changed.status_code == 200
    assert changed.json()["score"] == 50 and changed.json()["summary"] == "Slipping"
    assert client.delete(f"/api/health-checks/{check_id}").status_code == 204
    assert not HealthCheck.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"answers": [{"question": "delivers", "answer": 6}]}, 422, "answer"),
        ({"answers": [{"question": "charisma", "answer": 3}]}, 400, "answers"),
        ({"answers": [{"question": "delivers", "answer": None}]}, 400, "answers"),
        ({"answers": []}, 422, "answers"),
        ({"held_on": "2026-04-01"}, 400, "held_on"),
        ({"reviewer_id": 987654}, 400, "reviewer_id"),
        ({"client_id": 987654}, 400, "client_id"),
        ({"summary": "bad\x00text"}, 422, "summary"),
    ],
)
def test_a_bad_health_check_is_refused_with_the_field_named(
    client, personas, change, status, field
):
    client.force_login(personas.amir)
    response = post(client, "/api/health-checks", a_check(personas, **change))
    assert response.status_code == status, response.content
    assert field in response.json()["detail"][0]["loc"]


def test_staff_read_health_checks_but_do_not_write_them(client, personas):
    client.force_login(personas.sam)
    assert post(client, "/api/health-checks", a_check(personas)).status_code == 403
    assert client.get("/api/health-checks").status_code == 200
    other = ClientFactory(workspace=personas.workspace_a, account_manager=personas.alice)
    client.force_login(personas.amir)
    response = post(client, "/api/health-checks", a_check(personas, client_id=other.pk))
    assert response.status_code == 403


def test_a_held_review_through_the_api_records_its_interaction(client, personas):
    client.force_login(personas.amir)
    response = post(
        client,
        "/api/business-reviews",
        {
            "client_id": personas.client_a.pk,
            "held_on": "2026-03-11",
            "attendees": ["Ada Contact"],
            "agenda": ["Results"],
            "goals": [{"text": "Cut churn", "status": "at_risk"}],
            "value_delivered": [{"text": "Saved costs", "amount": "1500.50"}],
            "next_steps": ["Send plan"],
            "currency": "GBP",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "held" and body["interaction_id"] is not None
    assert body["goals"] == [{"text": "Cut churn", "status": "at_risk"}]
    assert body["value_delivered"] == [{"text": "Saved costs", "amount": "1500.50"}]
    assert Interaction.objects.get(pk=body["interaction_id"]).kind == "business_review"
    review_id = body["id"]
    changed = patch(client, f"/api/business-reviews/{review_id}", {"next_steps": []})
    assert changed.json()["next_steps"] == [] and changed.json()["agenda"] == ["Results"]
    back = patch(client, f"/api/business-reviews/{review_id}", {"status": "planned"})
    assert back.status_code == 400 and back.json()["detail"][0]["loc"] == ["body", "status"]
    assert client.delete(f"/api/business-reviews/{review_id}").status_code == 204
    assert not BusinessReview.objects.exists() and not Interaction.objects.exists()


def test_a_bad_review_is_refused_with_the_field_named(client, personas):
    client.force_login(personas.amir)
    base = {"client_id": personas.client_a.pk, "held_on": "2026-03-11"}
    cases = [
        ({"goals": [{"text": "Grow", "status": "flying"}]}, 422),
        ({"value_delivered": [{"text": "x", "amount": "-1"}]}, 422),
        ({"status": "held", "held_on": "2026-05-01"}, 400),
        ({"currency": "EURO"}, 422),
        ({"led_by_id": personas.charlie.pk}, 400),
    ]
    for change, status in cases:
        response = post(client, "/api/business-reviews", {**base, **change})
        assert response.status_code == status, (change, response.content)
    assert not BusinessReview.objects.exists()


def test_the_due_list_is_the_callers_own_unless_a_leader_asks_for_more(client, personas):
    BusinessReviewFactory(client=personas.client_a, held_on=dt.date(2026, 1, 1))
    client.force_login(personas.amir)
    mine = client.get("/api/due").json()
    assert {(i["client_name"], i["kind"]) for i in mine} == {
        ("Acme Secret Holdings", "health_check")
    }
    assert mine[0]["due_on"] == "2026-03-14" and mine[0]["overdue"] is False
    assert client.get("/api/due", {"everyone": "true"}).status_code == 403
    assert client.get("/api/due", {"person_id": personas.alice.pk}).status_code == 403
    client.force_login(personas.alice)
    everyone = client.get("/api/due", {"everyone": "true"}).json()
    assert {i["client_name"] for i in everyone} == {"Acme Secret Holdings", "Other Alpha Client"}
    later = client.get("/api/due", {"person_id": personas.amir.pk, "until": "2027-12-31"}).json()
    assert ("Acme Secret Holdings", "business_review") in {
        (i["client_name"], i["kind"]) for i in later
    }
    stranger = client.get("/api/due", {"person_id": personas.charlie.pk})
    assert stranger.status_code == 400


def test_a_read_only_key_lists_but_cannot_write(client, personas):
    _, raw = create_api_key(
        personas.workspace_a, name="BI", scope=ApiKeyScope.READ, by=personas.alice
    )
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/due", {"everyone": "true"}, headers=headers).status_code == 200
    assert client.get("/api/business-reviews", headers=headers).status_code == 200
    response = post(client, "/api/health-checks", a_check(personas), headers=headers)
    assert response.status_code == 403
