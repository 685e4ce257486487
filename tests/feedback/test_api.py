"""Surveys in the REST API: campaigns, invitations, responses, follow-ups."""

import datetime as dt

import pytest

from tests.feedback.factories import (
    FollowUpFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
)
from trustledger.feedback.models import FollowUp, SurveyCampaign
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key


@pytest.fixture
def api(client, personas):
    client.force_login(personas.alice)
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.mark.django_db
def test_a_campaign_is_created_read_updated_and_launched(api, personas):
    created = post(
        api,
        "/api/surveys/campaigns",
        {
            "name": "Key accounts",
            "audience_tiers": ["key"],
            "audience_client_ids": [personas.client_a.pk],
            "extra_questions": ["What should we keep doing?"],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["audience_client_ids"] == [personas.client_a.pk]
    assert body["nps"] is None and body["nps_answers"] == 0
    url = f"/api/surveys/campaigns/{body['id']}"
    assert patch(api, url, {"name": "Key accounts 2026"}).json()["name"] == "Key accounts 2026"
    launched = post(api, url + "/launch", {}).json()
    assert launched["status"] == "active" and launched["invited"] == 1
    assert post(api, url + "/launch", {}).status_code == 400
    assert post(api, url + "/pause", {}).json()["status"] == "paused"
    assert api.get("/api/surveys/campaigns").json()["count"] == 1


@pytest.mark.django_db
def test_campaign_errors_name_their_field(api, personas):
    bad = post(api, "/api/surveys/campaigns", {"name": "X", "audience_tiers": ["gold"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-2:] == ["audience_tiers", 0]
    foreign = post(
        api,
        "/api/surveys/campaigns",
        {"name": "X", "audience_client_ids": [personas.client_b.pk]},
    )
    assert foreign.status_code == 400
    assert foreign.json()["detail"][0]["loc"] == ["body", "audience_client_ids"]
    too_many = post(
        api, "/api/surveys/campaigns", {"name": "X", "extra_questions": ["a", "b", "c", "d"]}
    )
    assert too_many.status_code == 422
    assert not SurveyCampaign.objects.exists()


@pytest.mark.django_db
def test_staff_may_read_campaigns_but_not_create_them(client, personas):
    client.force_login(personas.sam)
    assert client.get("/api/surveys/campaigns").status_code == 200
    assert post(client, "/api/surveys/campaigns", {"name": "No"}).status_code == 403


@pytest.mark.django_db
def test_invitations_are_read_only_and_filterable(api, personas):
    inv = SurveyInvitationFactory(contact=personas.contact_a)
    SurveyInvitationFactory(workspace=personas.workspace_b, contact__client=personas.client_b)
    items = api.get(f"/api/surveys/invitations?campaign_id={inv.campaign_id}").json()["items"]
    assert [i["id"] for i in items] == [inv.pk]
    one = api.get(f"/api/surveys/invitations/{inv.pk}").json()
    assert one["status"] == "queued" and "token" not in str(one)
    assert post(api, "/api/surveys/invitations", {}).status_code == 405


@pytest.mark.django_db
def test_an_answer_heard_on_a_call_is_recorded_analysed_and_followed_up(api, personas):
    created = post(
        api,
        "/api/surveys/responses",
        {
            "client_id": personas.client_a.pk,
            "contact_id": personas.contact_a.pk,
            "score": 5,
            "comment": "Invoices are always higher than the estimate.",
            "answered_at": "2026-03-10T10:00:00Z",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["category"] == "detractor" and body["source"] == "manual"
    assert body["theme"] == "scope_budget" and body["sentiment_label"] == "negative"
    assert body["follow_up_id"] == FollowUp.objects.get().pk
    listed = api.get("/api/surveys/responses?category=detractor&theme=scope_budget").json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    assert api.get("/api/surveys/responses?category=promoter").json()["count"] == 0


@pytest.mark.django_db
def test_response_errors_are_4xx_with_their_field(api, personas):
    base = {"client_id": personas.client_a.pk, "score": 7}
    assert post(api, "/api/surveys/responses", {**base, "score": 11}).status_code == 422
    wrong_contact = post(
        api,
        "/api/surveys/responses",
        {"client_id": personas.other_client_a.pk, "score": 7, "contact_id": personas.contact_a.pk},
    )
    assert wrong_contact.status_code == 400
    assert wrong_contact.json()["detail"][0]["loc"] == ["body", "contact_id"]
    foreign = post(api, "/api/surveys/responses", {**base, "client_id": personas.client_b.pk})
    assert foreign.status_code == 400
    future = post(api, "/api/surveys/responses", {**base, "answered_at": "2199-01-01T00:00:00Z"})
    assert future.json()["detail"][0]["loc"] == ["body", "answered_at"]
    nul = post(api, "/api/surveys/responses", {**base, "comment": "a\x00b"})
    assert nul.status_code == 422


@pytest.mark.django_db
def test_follow_ups_list_overdue_first_and_can_be_reassigned_and_closed(api, personas):
    late = FollowUpFactory(client=personas.client_a, due_on=dt.date(2026, 1, 5))
    soon = FollowUpFactory(client=personas.client_a, due_on=dt.date(2099, 1, 5))
    listed = api.get("/api/surveys/follow-ups").json()["items"]
    assert [(f["id"], f["overdue"]) for f in listed] == [(late.pk, True), (soon.pk, False)]
    overdue = api.get("/api/surveys/follow-ups?status=overdue").json()["items"]
    assert [f["id"] for f in overdue] == [late.pk]

    url = f"/api/surveys/follow-ups/{late.pk}"
    moved = patch(api, url, {"owner_id": personas.sam.pk, "due_on": "2099-02-01"})
    assert moved.json()["owner_id"] == personas.sam.pk and not moved.json()["overdue"]
    stranger = patch(api, url, {"owner_id": personas.charlie.pk})
    assert stranger.status_code == 400
    assert stranger.json()["detail"][0]["loc"] == ["body", "owner_id"]
    assert post(api, url + "/close", {"outcome": ""}).status_code == 422
    closed = post(api, url + "/close", {"outcome": "Called; agreed weekly updates."}).json()
    assert closed["done_on"] is not None and closed["outcome"].startswith("Called")
    assert post(api, url + "/close", {"outcome": "Again"}).status_code == 400
    assert api.get("/api/surveys/follow-ups?status=done").json()["count"] == 1


@pytest.mark.django_db
def test_a_follow_up_is_opened_by_hand(api, personas):
    response = SurveyResponseFactory(client=personas.client_a, score=8)
    created = post(
        api,
        "/api/surveys/follow-ups",
        {
            "client_id": personas.client_a.pk,
            "summary": "Ask about the steering committee",
            "response_id": response.pk,
        },
    )
    assert created.status_code == 201
    assert created.json()["owner_id"] == personas.amir.pk
    again = post(
        api,
        "/api/surveys/follow-ups",
        {"client_id": personas.client_a.pk, "summary": "Twice", "response_id": response.pk},
    )
    assert again.status_code == 400


@pytest.mark.django_db
def test_a_read_only_key_reads_but_cannot_write(client, personas):
    _, raw = create_api_key(personas.workspace_a, name="r", scope=ApiKeyScope.READ, by=None)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/surveys/follow-ups", headers=headers).status_code == 200
    refused = client.post(
        "/api/surveys/follow-ups",
        {"client_id": personas.client_a.pk, "summary": "x"},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 403
