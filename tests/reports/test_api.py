"""The status reports API: list, draft, read, edit the narrative, send; field errors and roles."""

from __future__ import annotations

import pytest

from tests.factories import ContactFactory
from tests.reports.scenario import build
from trustledger.communications.models import Interaction
from trustledger.reports.models import StatusReport
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key

JSON = "application/json"


@pytest.fixture
def scenario(personas):
    return build(personas)


def post(client, url, data):
    return client.post(url, data, content_type=JSON)


def patch(client, url, data):
    return client.patch(url, data, content_type=JSON)


def errors(response):
    return {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}


def test_the_whole_round_trip(client, personas, scenario, mailoutbox):
    client.force_login(personas.amir)
    response = post(client, "/api/status-reports", {"engagement_id": scenario.engagement.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["engagement_id"] == scenario.engagement.pk
    assert body["figures"]["engagements"][0]["name"] == "ERP selection"
    assert "Vendor longlist" in body["narrative"]
    url = f"/api/status-reports/{body['id']}"

    response = patch(client, url, {"narrative": "  Edited by the API.  "})
    assert response.status_code == 200
    assert response.json()["narrative"] == "Edited by the API."
    assert response.json()["narrative_edited"] is True

    response = post(
        client, url + "/send", {"contact_ids": [personas.contact_a.pk, scenario.second_contact.pk]}
    )
    assert response.status_code == 200, response.content
    sent = response.json()
    assert sent["status"] == "sent" and sent["sent_at"]
    assert {r["email"] for r in sent["recipients"]} == {personas.contact_a.email, "bo@acme.example"}
    assert Interaction.objects.get(pk=sent["interaction_id"]).kind == "budget_update"
    assert len(mailoutbox) == 1

    assert client.get(url).json()["status"] == "sent"
    listed = client.get(f"/api/status-reports?status=sent&engagement_id={scenario.engagement.pk}")
    assert [r["id"] for r in listed.json()["items"]] == [sent["id"], scenario.previous.pk]

    response = patch(client, url, {"narrative": "Rewrite history"})
    assert response.status_code == 400
    assert errors(response) == {
        ("body", "status"): "This report was sent: it can no longer change."
    }


def test_a_client_report_is_drafted_from_the_client_id(client, personas, scenario):
    client.force_login(personas.alice)
    response = post(client, "/api/status-reports", {"client_id": personas.client_a.pk})
    assert response.status_code == 201
    assert response.json()["engagement_id"] is None


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ("body", "engagement_id")),
        ({"engagement_id": 987654321}, ("body", "engagement_id")),
        ({"client_id": 987654321}, ("body", "client_id")),
    ],
)
def test_drafting_names_the_field_at_fault(client, personas, scenario, body, loc):
    client.force_login(personas.amir)
    response = post(client, "/api/status-reports", body)
    assert response.status_code == 400
    assert loc in errors(response)


def test_an_engagement_of_another_client_is_refused(client, personas, scenario):
    client.force_login(personas.alice)
    response = post(
        client,
        "/api/status-reports",
        {"engagement_id": scenario.engagement.pk, "client_id": personas.other_client_a.pk},
    )
    assert response.status_code == 400
    assert ("body", "client_id") in errors(response)


def test_bad_input_is_a_422_never_a_500(client, personas, scenario):
    client.force_login(personas.amir)
    report = post(client, "/api/status-reports", {"engagement_id": scenario.engagement.pk}).json()
    url = f"/api/status-reports/{report['id']}"
    assert patch(client, url, {"narrative": "   "}).status_code == 422
    assert patch(client, url, {"title": "x" * 201}).status_code == 422
    assert patch(client, url, {"narrative": "a\x00b"}).status_code == 422
    assert patch(client, url, {"narrative": None}).status_code == 400
    assert post(client, url + "/send", {"contact_ids": []}).status_code == 422
    assert post(client, "/api/status-reports", {"engagement_id": "x"}).status_code == 422


def test_recipients_must_be_contacts_of_the_reports_client(client, personas, scenario):
    client.force_login(personas.amir)
    report = post(client, "/api/status-reports", {"engagement_id": scenario.engagement.pk}).json()
    stranger = ContactFactory(client=personas.other_client_a)
    foreign = ContactFactory(client=personas.client_b)
    for ids in ([stranger.pk], [foreign.pk], [personas.contact_a.pk, 987654321]):
        response = post(client, f"/api/status-reports/{report['id']}/send", {"contact_ids": ids})
        assert response.status_code == 400
        assert ("body", "contact_ids") in errors(response)
    assert StatusReport.objects.get(pk=report["id"]).is_draft


def test_staff_read_but_neither_draft_nor_send(client, personas, scenario):
    client.force_login(personas.sam)
    assert client.get("/api/status-reports").status_code == 200
    assert client.get(f"/api/status-reports/{scenario.previous.pk}").status_code == 200
    response = post(client, "/api/status-reports", {"engagement_id": scenario.engagement.pk})
    assert response.status_code == 403
    assert (
        patch(client, f"/api/status-reports/{scenario.previous.pk}", {"title": "T"}).status_code
        == 403
    )


def test_a_read_only_key_reads_and_a_stranger_sees_nothing(client, personas, scenario):
    _, raw = create_api_key(
        personas.workspace_a, name="R", scope=ApiKeyScope.READ, by=personas.alice
    )
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/status-reports", headers=auth).json()["count"] == 1
    response = client.post(
        "/api/status-reports",
        {"engagement_id": scenario.engagement.pk},
        content_type=JSON,
        headers=auth,
    )
    assert response.status_code == 403
    client.force_login(personas.charlie)
    assert client.get("/api/status-reports").json()["count"] == 0
    assert client.get(f"/api/status-reports/{scenario.previous.pk}").status_code == 404
