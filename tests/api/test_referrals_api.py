"""Referrals through the API: recorded, corrected and removed by whoever manages the referring
client, each change audited and announced; another workspace's clients and referrals are not
there."""

import pytest

from tests.api.keyring import field_named, send
from tests.factories import ClientFactory, ContactFactory
from trustledger.clients.models import Referral
from trustledger.workspaces.models import AuditEntry


@pytest.fixture
def referral(personas):
    return Referral.objects.create(
        workspace=personas.workspace_a,
        referrer=personas.client_a,
        referred=personas.other_client_a,
        referred_on="2026-03-01",
    )


@pytest.mark.django_db
def test_a_referral_is_recorded_listed_and_read(client, personas, write_key):
    body = {
        "referrer_id": personas.client_a.pk,
        "referred_id": personas.other_client_a.pk,
        "referred_on": "2026-03-01",
        "referrer_contact_id": personas.contact_a.pk,
        "note": "Met at the CFO forum",
    }
    response = send(client, "POST", "/api/referrals", body, key=write_key)
    assert response.status_code == 201, response.content
    referral_id = response.json()["id"]
    assert AuditEntry.objects.filter(action="referral.recorded").exists()
    listed = send(
        client, "GET", f"/api/referrals?client_id={personas.other_client_a.pk}", key=write_key
    )
    assert [r["id"] for r in listed.json()["items"]] == [referral_id]
    one = send(client, "GET", f"/api/referrals/{referral_id}", key=write_key).json()
    assert one["referrer_contact_id"] == personas.contact_a.pk and one["note"] == body["note"]


@pytest.mark.django_db
def test_bad_referrals_are_refused_with_the_field_named(client, personas, write_key):
    a, other = personas.client_a.pk, personas.other_client_a.pk
    for body, field, status in [
        ({"referrer_id": a, "referred_id": other}, "referred_on", 422),
        ({"referrer_id": a, "referred_id": other, "referred_on": "soon"}, "referred_on", 422),
        (
            {"referrer_id": a, "referred_id": personas.client_b.pk, "referred_on": "2026-01-01"},
            "referred_id",
            400,
        ),
        ({"referrer_id": a, "referred_id": a, "referred_on": "2026-01-01"}, "referred_id", 400),
    ]:
        response = send(client, "POST", "/api/referrals", body, key=write_key)
        assert response.status_code == status and field_named(response, field), body
    stranger = ContactFactory(client=ClientFactory(workspace=personas.workspace_a))
    body = {"referrer_id": a, "referred_id": other, "referred_on": "2026-01-01"}
    wrong = send(
        client, "POST", "/api/referrals", body | {"referrer_contact_id": stranger.pk}, key=write_key
    )
    assert wrong.status_code == 400 and field_named(wrong, "referrer_contact_id")
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_referrals_are_written_by_those_who_manage_the_referrer(
    client, personas, read_key, referral
):
    body = {
        "referrer_id": personas.other_client_a.pk,
        "referred_id": personas.client_a.pk,
        "referred_on": "2026-01-01",
    }
    assert send(client, "POST", "/api/referrals", body, key=read_key).status_code == 403
    client.force_login(personas.sam)
    assert send(client, "POST", "/api/referrals", body).status_code == 403
    assert send(client, "PATCH", f"/api/referrals/{referral.pk}", {"note": "x"}).status_code == 403
    client.force_login(personas.amir)  # manages client_a, the referrer here
    assert send(client, "PATCH", f"/api/referrals/{referral.pk}", {"note": "x"}).status_code == 200
    managed_by_nobody = send(client, "POST", "/api/referrals", body)
    assert managed_by_nobody.status_code == 201  # an account manager may act on unassigned clients


@pytest.mark.django_db
def test_a_referral_is_corrected_and_deleted_with_an_audit_trail(
    client, personas, write_key, referral
):
    url = f"/api/referrals/{referral.pk}"
    fixed = send(
        client,
        "PATCH",
        url,
        {"referred_on": "2026-02-14", "note": "Valentine's lunch"},
        key=write_key,
    )
    assert fixed.status_code == 200 and fixed.json()["referred_on"] == "2026-02-14"
    changes = AuditEntry.objects.get(action="referral.updated").changes
    assert changes["referred_on"] == ["2026-03-01", "2026-02-14"]
    bad = send(client, "PATCH", url, {"referred_on": None}, key=write_key)
    assert bad.status_code == 422 and field_named(bad, "referred_on")
    assert send(client, "DELETE", url, key=write_key).status_code == 204
    assert not Referral.objects.filter(pk=referral.pk).exists()
    assert AuditEntry.objects.filter(action="referral.deleted", object_id=str(referral.pk)).exists()


@pytest.mark.django_db
def test_another_workspaces_referrals_are_not_there(client, personas, referral):
    client.force_login(personas.charlie)
    url = f"/api/referrals/{referral.pk}"
    assert send(client, "GET", url).status_code == 404
    assert send(client, "PATCH", url, {"note": "x"}).status_code == 404
    assert send(client, "DELETE", url).status_code == 404
    assert send(client, "GET", "/api/referrals").json()["count"] == 0
