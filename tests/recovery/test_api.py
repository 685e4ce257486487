"""The recovery API: the whole flow, field errors (422 for shape, 400 for rules), roles, keys."""

from __future__ import annotations

import pytest

from tests.factories import ContactFactory
from tests.recovery.conftest import TODAY, alert, snapshot
from tests.recovery.factories import RecoveryPlanFactory, RootCauseFactory
from trustledger.recovery.models import RecoveryPlan
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
JSON = "application/json"


def post(client, url, data):
    return client.post(url, data, content_type=JSON)


def patch(client, url, data):
    return client.patch(url, data, content_type=JSON)


def loc(response):
    return [d["loc"] for d in response.json()["detail"]]


def test_the_whole_flow_through_the_api(client, personas):
    p = personas
    snapshot(p.client_a, TODAY, 44.0, "at_risk")
    a = alert(p.client_a)
    client.force_login(p.amir)
    r = post(client, "/api/recovery-plans", {"client_id": p.client_a.pk, "alert_id": a.pk})
    assert r.status_code == 201, r.content
    plan = r.json()
    assert plan["trigger"] == a.detail and plan["owner_id"] == p.amir.pk
    assert plan["index_before"] == 44.0 and plan["stage"] == "Acknowledge"
    base = f"/api/recovery-plans/{plan['id']}"
    r = post(
        client,
        base + "/acknowledgement",
        {
            "meeting_held_on": TODAY.isoformat(),
            "person_ids": [p.amir.pk],
            "contact_ids": [p.contact_a.pk],
            "responsibility_taken": True,
            "responsibility_wording": "We are sorry.",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["meeting_interaction_id"] and len(r.json()["attendees"]) == 2
    r = post(
        client,
        base + "/why-chains",
        {"problem": "Late", "steps": [{"why": "Why?", "answer": "No env"}]},
    )
    assert r.status_code == 201 and r.json()["steps"][0]["position"] == 1
    chain_id = r.json()["id"]
    r = post(
        client,
        f"/api/recovery-why-chains/{chain_id}/whys",
        {"why": "Why no env?", "answer": "Not booked"},
    )
    assert r.status_code == 201 and r.json()["position"] == 2
    r = post(
        client,
        base + "/root-causes",
        {
            "description": "Booking is nobody's job",
            "category": "process",
            "factor": "on_time",
            "chain_id": chain_id,
        },
    )
    assert r.status_code == 201
    cause_id = r.json()["id"]
    r = post(
        client,
        base + "/actions",
        {"title": "Book at kickoff", "due_on": TODAY.isoformat(), "cause_id": cause_id},
    )
    assert r.status_code == 201 and r.json()["owner_id"] == p.amir.pk
    action_id = r.json()["id"]
    r = patch(client, f"/api/recovery-actions/{action_id}", {"status": "done"})
    assert r.status_code == 200 and r.json()["done_on"] == TODAY.isoformat()
    r = post(client, base + "/goals", {"measure": "On time", "target": "3/3"})
    assert r.status_code == 201
    r = patch(client, f"/api/recovery-goals/{r.json()['id']}", {"met": True, "current": "3/3"})
    assert r.status_code == 200 and r.json()["met"] is True
    r = post(client, base + "/updates", {"summary": "Progress", "shared_in_portal": True})
    assert r.status_code == 201 and r.json()["interaction_id"]
    r = post(client, base + "/wins", {"what": "Early demo", "shared": True})
    assert r.status_code == 201
    r = post(client, base + "/close", {"outcome": "recovered", "lessons": "Book early."})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "closed" and body["index_after"] == 44.0
    assert len(body["chains"][0]["steps"]) == 2 and body["chains"][0]["root_cause_id"] == cause_id
    assert [len(body[k]) for k in ("causes", "actions", "goals", "updates", "wins")] == [
        1,
        1,
        1,
        1,
        1,
    ]
    listed = client.get("/api/recovery-plans?status=closed").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == plan["id"]
    assert client.get("/api/recovery-plans?factor=on_time").json()["count"] == 1
    assert client.get("/api/recovery-plans?factor=quality").json()["count"] == 0
    systemic = client.get("/api/recovery/systemic-issues").json()
    assert systemic["by_factor"][0] == {
        "key": "on_time",
        "label": "On-time delivery",
        "causes": 1,
        "plans": 1,
        "clients": 1,
        "recurs": False,
    }


def test_bad_input_names_its_field(client, personas):
    p = personas
    client.force_login(p.alice)
    r = post(client, "/api/recovery-plans", {"client_id": p.client_a.pk, "update_every_days": 0})
    assert r.status_code == 422 and ["body", "payload", "update_every_days"] in loc(r)
    r = post(client, "/api/recovery-plans", {"client_id": p.client_a.pk})
    assert r.status_code == 400 and loc(r) == [["body", "trigger"]]
    r = post(client, "/api/recovery-plans", {"client_id": p.client_b.pk, "trigger": "x"})
    assert r.status_code == 400 and loc(r) == [["body", "client_id"]]
    r = post(
        client,
        "/api/recovery-plans",
        {"client_id": p.client_a.pk, "trigger": "x", "alert_id": alert(p.other_client_a).pk},
    )
    assert r.status_code == 400 and loc(r) == [["body", "alert_id"]]
    plan = RecoveryPlanFactory(client=p.client_a, opened_on=TODAY)
    base = f"/api/recovery-plans/{plan.pk}"
    r = post(
        client,
        base + "/root-causes",
        {"description": "x", "category": "weather", "factor": "on_time"},
    )
    assert r.status_code == 422 and ["body", "payload", "category"] in loc(r)
    r = post(client, base + "/actions", {"title": "x", "due_on": "2026-13-01"})
    assert r.status_code == 422
    r = post(
        client,
        base + "/actions",
        {"title": "x", "due_on": TODAY.isoformat(), "owner_id": p.charlie.pk},
    )
    assert r.status_code == 400 and loc(r) == [["body", "owner_id"]]
    other_cause = RootCauseFactory(plan=RecoveryPlanFactory(client=p.client_a))
    r = post(
        client,
        base + "/actions",
        {"title": "x", "due_on": TODAY.isoformat(), "cause_id": other_cause.pk},
    )
    assert r.status_code == 400 and loc(r) == [["body", "cause_id"]]
    stranger = ContactFactory(client=p.other_client_a)
    r = post(
        client,
        base + "/acknowledgement",
        {"meeting_held_on": TODAY.isoformat(), "contact_ids": [stranger.pk]},
    )
    assert r.status_code == 400 and loc(r) == [["body", "contact_ids"]]
    r = post(client, base + "/updates", {"summary": "x\x00"})
    assert r.status_code == 422
    r = post(client, base + "/close", {"outcome": "lost", "lessons": "   "})
    assert r.status_code == 422
    r = patch(client, base, {"title": None})
    assert r.status_code == 400 and loc(r) == [["body", "title"]]


def test_roles_staff_read_managers_act_on_their_clients_keys_by_scope(client, personas):
    p = personas
    plan = RecoveryPlanFactory(client=p.client_a)
    others = RecoveryPlanFactory(client=p.other_client_a)
    p.other_client_a.account_manager = p.alice
    p.other_client_a.save()
    client.force_login(p.sam)
    assert client.get(f"/api/recovery-plans/{plan.pk}").status_code == 200
    assert post(client, f"/api/recovery-plans/{plan.pk}/wins", {"what": "x"}).status_code == 403
    assert (
        post(
            client, "/api/recovery-plans", {"client_id": p.client_a.pk, "trigger": "x"}
        ).status_code
        == 403
    )
    client.force_login(p.amir)
    assert post(client, f"/api/recovery-plans/{others.pk}/wins", {"what": "x"}).status_code == 403
    assert post(client, f"/api/recovery-plans/{plan.pk}/wins", {"what": "x"}).status_code == 201
    assert client.delete(f"/api/recovery-plans/{plan.pk}").status_code == 403
    client.force_login(p.charlie)
    assert client.get(f"/api/recovery-plans/{plan.pk}").status_code == 404
    assert client.get("/api/recovery-plans").json()["count"] == 0
    client.logout()
    _, read = create_api_key(p.workspace_a, name="r", scope=ApiKeyScope.READ, by=p.alice)
    _, write = create_api_key(p.workspace_a, name="w", scope=ApiKeyScope.READ_WRITE, by=p.alice)
    assert (
        client.get("/api/recovery-plans", HTTP_AUTHORIZATION=f"Bearer {read}").json()["count"] == 2
    )
    r = client.post(
        f"/api/recovery-plans/{plan.pk}/wins",
        {"what": "x"},
        content_type=JSON,
        HTTP_AUTHORIZATION=f"Bearer {read}",
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/recovery-plans/{plan.pk}/wins",
        {"what": "x"},
        content_type=JSON,
        HTTP_AUTHORIZATION=f"Bearer {write}",
    )
    assert r.status_code == 201
    client.force_login(p.alice)
    assert client.delete(f"/api/recovery-plans/{plan.pk}").status_code == 204
    assert not RecoveryPlan.objects.filter(pk=plan.pk).exists()
