"""The communications API: plans, interactions, inquiries, commitments, business hours and the
measures, with filters, pagination, field errors and role checks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.communications.factories import (
    CommitmentFactory,
    InquiryFactory,
    InteractionFactory,
    PlanFactory,
)
from tests.factories import ClientFactory, ContactFactory
from trustledger.communications.models import CommunicationPlan, Inquiry, Interaction
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2025, 3, 14, 12, tzinfo=UTC)
H = dt.timedelta(hours=1)
JSON = "application/json"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, data, **kw):
    return client.post(url, data, content_type=JSON, **kw)


def patch(client, url, data, **kw):
    return client.patch(url, data, content_type=JSON, **kw)


def test_recording_an_inquiry_computes_its_sla_and_lists_it_by_state(client, personas):
    client.force_login(personas.sam)
    response = post(
        client,
        "/api/inquiries",
        {
            "client_id": personas.client_a.pk,
            "channel": "ticket",
            "priority": "urgent",
            "subject": "Site down",
            "received_at": "2025-03-14T11:00:00Z",
            "contact_id": personas.contact_a.pk,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sla_due"].startswith("2025-03-14T12:00:00")
    assert (body["sla_hours"], body["breached"]) == ("1.00", False)
    InquiryFactory(client=personas.client_a, received_at=NOW - 30 * H, sla_due=NOW - 2 * H)
    listed = client.get(f"/api/inquiries?state=breached&client_id={personas.client_a.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["breached"]
    overdue = client.get("/api/inquiries?state=past_sla").json()["items"]  # "Site down": due now
    assert [i["subject"] for i in overdue] == [listed["items"][0]["subject"]]


def test_answering_and_resolving_through_the_api(client, personas):
    inquiry = InquiryFactory(client=personas.client_a, received_at=NOW - 5 * H)
    client.force_login(personas.sam)

    answered = post(client, f"/api/inquiries/{inquiry.pk}/response", {"at": "2025-03-14T10:00:00Z"})
    again = post(client, f"/api/inquiries/{inquiry.pk}/response", {"at": "2025-03-14T11:00:00Z"})
    resolved = post(
        client, f"/api/inquiries/{inquiry.pk}/resolution", {"at": "2025-03-14T11:30:00Z"}
    )

    assert answered.status_code == 200 and answered.json()["first_response_at"]
    assert again.status_code == 400
    assert again.json()["detail"][0]["loc"] == ["body", "at"]
    assert resolved.json()["resolved_at"].startswith("2025-03-14T11:30")


def test_field_errors_name_the_field(client, personas):
    client.force_login(personas.sam)
    other_contact = ContactFactory(client=personas.other_client_a)
    naive = post(
        client,
        "/api/inquiries",
        {
            "client_id": personas.client_a.pk,
            "channel": "email",
            "subject": "x",
            "received_at": "2025-03-14T10:00:00",
        },
    )
    wrong_contact = post(
        client,
        "/api/inquiries",
        {
            "client_id": personas.client_a.pk,
            "channel": "email",
            "subject": "x",
            "received_at": "2025-03-14T10:00:00Z",
            "contact_id": other_contact.pk,
        },
    )
    future = post(
        client,
        "/api/inquiries",
        {
            "client_id": personas.client_a.pk,
            "channel": "email",
            "subject": "x",
            "received_at": "2025-05-01T10:00:00Z",
        },
    )

    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"][-1] == "received_at"
    assert wrong_contact.status_code == 400
    assert wrong_contact.json()["detail"][0]["loc"] == ["body", "contact_id"]
    assert future.status_code == 400
    assert future.json()["detail"][0]["loc"] == ["body", "received_at"]
    assert not Inquiry.objects.exists()


def test_interactions_are_recorded_filtered_paginated_and_corrected(client, personas):
    client.force_login(personas.sam)
    created = post(
        client,
        "/api/interactions",
        {
            "client_id": personas.client_a.pk,
            "channel": "phone",
            "kind": "check_in",
            "occurred_at": "2025-03-13T15:00:00+01:00",
            "subject": "Weekly call",
            "participants": ["ada@acme.example"],
        },
    )
    assert created.status_code == 201
    for n in range(3):
        InteractionFactory(client=personas.client_a, kind="other", occurred_at=NOW - n * H)

    checks = client.get("/api/interactions?kind=check_in").json()
    page = client.get("/api/interactions?limit=2&offset=2").json()
    fixed = patch(client, f"/api/interactions/{created.json()['id']}", {"duration_minutes": 25})

    assert [i["subject"] for i in checks["items"]] == ["Weekly call"]
    assert page["count"] == 4 and len(page["items"]) == 2
    assert fixed.json()["duration_minutes"] == 25
    assert Interaction.objects.get(subject="Weekly call").source == "api"


def test_plans_are_created_once_and_changed_by_the_account_manager(client, personas):
    client.force_login(personas.amir)
    created = post(
        client,
        "/api/communication-plans",
        {
            "client_id": personas.client_a.pk,
            "check_in_days": 7,
            "sla_hours": {"email": "4"},
            "members": [{"person_id": personas.amir.pk, "role": "Account manager"}],
            "escalations": [{"level": 1, "contact_id": personas.contact_a.pk}],
        },
    )
    twice = post(client, "/api/communication-plans", {"client_id": personas.client_a.pk})
    plan_id = created.json()["id"]
    changed = patch(
        client, f"/api/communication-plans/{plan_id}", {"review_days": None, "check_in_days": 14}
    )

    assert created.status_code == 201
    assert created.json()["sla_hours"]["email"] == "4.00"
    assert created.json()["sla_hours"]["phone"] == "4"
    assert created.json()["members"] == [{"person_id": personas.amir.pk, "role": "Account manager"}]
    assert twice.status_code == 400 and twice.json()["detail"][0]["loc"] == ["body", "client_id"]
    assert changed.json()["check_in_days"] == 14 and changed.json()["review_days"] is None


def test_staff_and_other_managers_cannot_change_a_plan(client, personas):
    plan = PlanFactory(client=personas.client_a)
    alices = ClientFactory(workspace=personas.workspace_a, account_manager=personas.alice)
    client.force_login(personas.sam)
    assert (
        patch(client, f"/api/communication-plans/{plan.pk}", {"check_in_days": 3}).status_code
        == 403
    )
    client.force_login(personas.amir)
    assert post(client, "/api/communication-plans", {"client_id": alices.pk}).status_code == 403
    assert not CommunicationPlan.objects.filter(client=alices).exists()


def test_a_bad_sla_key_is_refused(client, personas):
    client.force_login(personas.amir)
    response = post(
        client,
        "/api/communication-plans",
        {"client_id": personas.client_a.pk, "sla_hours": {"pigeon": "3"}},
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["body", "sla_hours"]


def test_commitments_are_recorded_listed_by_owner_and_settled(client, personas):
    client.force_login(personas.amir)
    created = post(
        client,
        "/api/commitments",
        {
            "client_id": personas.client_a.pk,
            "description": "Send the plan",
            "due_on": "2025-03-12",
            "made_on": "2025-03-10",
        },
    )
    CommitmentFactory(client=personas.client_a, owner=personas.sam)

    mine = client.get(f"/api/commitments?owner_id={personas.amir.pk}&state=overdue").json()
    done = post(client, f"/api/commitments/{created.json()['id']}/done", {})

    assert created.json()["owner_id"] == personas.amir.pk
    assert [c["description"] for c in mine["items"]] == ["Send the plan"]
    assert done.json()["outcome"] == "late"


def test_a_read_only_key_reads_but_cannot_write(client, personas):
    _, raw = create_api_key(personas.workspace_a, name="r", scope=ApiKeyScope.READ, by=None)
    InteractionFactory(client=personas.client_a)

    assert client.get("/api/interactions", headers=bearer(raw)).json()["count"] == 1
    refused = post(
        client,
        "/api/commitments",
        {"client_id": personas.client_a.pk, "description": "x", "due_on": "2025-04-01"},
        headers=bearer(raw),
    )
    assert refused.status_code == 403


def test_only_an_owner_sets_business_hours_and_holidays(client, personas):
    hours = [{"opens": "08:00", "closes": "16:00"}] * 5 + [{"opens": None, "closes": None}] * 2
    client.force_login(personas.amir)
    assert client.get("/api/business-calendar").json()["time_zone"] == "UTC"
    body = {"time_zone": "Asia/Tokyo", "hours": hours}
    assert client.put("/api/business-calendar", body, content_type=JSON).status_code == 403
    client.force_login(personas.alice)

    saved = client.put("/api/business-calendar", body, content_type=JSON).json()
    bad = client.put(
        "/api/business-calendar", {"time_zone": "Mars/Base", "hours": hours}, content_type=JSON
    )
    holiday = post(client, "/api/holidays", {"date": "2025-12-25", "name": "Christmas"})
    removed = client.delete(f"/api/holidays/{holiday.json()['id']}")

    assert saved["time_zone"] == "Asia/Tokyo" and saved["hours"][0]["opens"] == "08:00:00"
    assert bad.status_code == 400 and bad.json()["detail"][0]["loc"] == ["body", "time_zone"]
    assert holiday.status_code == 201 and removed.status_code == 204


def test_measures_report_every_client(client, personas):
    PlanFactory(client=personas.client_a, check_in_days=14)
    InteractionFactory(client=personas.client_a, occurred_at=NOW - 24 * H)
    InquiryFactory(
        client=personas.client_a,
        received_at=NOW - 30 * H,
        sla_due=NOW - 22 * H,
        first_response_at=NOW - 29 * H,
    )
    InquiryFactory(client=personas.other_client_a, received_at=NOW - 30 * H, sla_due=NOW - 2 * H)
    client.force_login(personas.sam)

    rows = {r["client_id"]: r for r in client.get("/api/communications/measures").json()}

    acme = rows[personas.client_a.pk]
    assert acme["responsiveness"][0]["channel"] == "email"
    assert acme["responsiveness"][0]["attainment"] == 1.0
    assert acme["cadence"][0]["kind"] == "check_in"
    assert rows[personas.other_client_a.pk]["responsiveness"][0]["open_past_sla"] == 1
