"""Portal invitations through the API: sent to a client's contact who may sign in, listed,
revoked (the link then no longer signs anyone in); the client page's roles; other firms' 404s."""

import pytest

from tests.api.keyring import field_named, send
from tests.factories import ContactFactory
from tests.portal.helpers import open_portal, token_in
from trustledger.portal.models import MagicLink
from trustledger.workspaces.models import AuditEntry


def url(client_obj):
    return f"/api/portal/clients/{client_obj.pk}/invitations"


@pytest.mark.django_db
def test_an_invitation_is_mailed_listed_and_its_link_signs_in(
    client, personas, write_key, mailoutbox
):
    open_portal(personas.client_a)
    response = send(
        client, "POST", url(personas.client_a), {"contact_id": personas.contact_a.pk}, key=write_key
    )
    assert response.status_code == 201, response.content
    assert (
        response.json()["status"] == "pending"
        and response.json()["contact_id"] == personas.contact_a.pk
    )
    (message,) = mailoutbox
    assert personas.contact_a.email in message.to[0]
    assert "invites you" in message.subject
    listed = send(client, "GET", url(personas.client_a), key=write_key).json()
    assert [i["id"] for i in listed["items"]] == [response.json()["id"]]
    token = token_in(message.body)
    assert client.post(f"/portal/link/{token}/")["Location"] == "/portal/home/"


@pytest.mark.django_db
def test_a_revoked_invitation_no_longer_signs_in(client, personas, write_key, mailoutbox):
    open_portal(personas.client_a)
    sent = send(
        client, "POST", url(personas.client_a), {"contact_id": personas.contact_a.pk}, key=write_key
    )
    revoked = send(
        client, "POST", f"/api/portal/invitations/{sent.json()['id']}/revoke", key=write_key
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "expired"
    assert AuditEntry.objects.filter(action="portal.invitation_revoked").exists()
    token = token_in(mailoutbox[0].body)
    refused = client.post(f"/portal/link/{token}/")
    assert refused.headers.get("Location") != "/portal/home/"
    assert client.get("/portal/home/").status_code != 200  # not signed in


@pytest.mark.django_db
def test_invitations_need_an_open_portal_and_this_clients_contact(
    client, personas, write_key, mailoutbox
):
    body = {"contact_id": personas.contact_a.pk}
    closed = send(client, "POST", url(personas.client_a), body, key=write_key)
    assert closed.status_code == 400 and field_named(closed, "contact_id")
    open_portal(personas.client_a)
    someone_else = ContactFactory(client=personas.other_client_a)
    wrong = send(
        client, "POST", url(personas.client_a), {"contact_id": someone_else.pk}, key=write_key
    )
    assert wrong.status_code == 400 and field_named(wrong, "contact_id")
    bad = send(client, "POST", url(personas.client_a), {"contact_id": "Ada"}, key=write_key)
    assert bad.status_code == 422 and field_named(bad, "contact_id")
    assert mailoutbox == [] and not MagicLink.objects.exists()


@pytest.mark.django_db
def test_invitations_are_sent_and_revoked_by_the_clients_managers(client, personas, read_key):
    open_portal(personas.client_a)
    body = {"contact_id": personas.contact_a.pk}
    assert send(client, "POST", url(personas.client_a), body, key=read_key).status_code == 403
    client.force_login(personas.sam)
    assert send(client, "POST", url(personas.client_a), body).status_code == 403
    client.force_login(personas.amir)
    sent = send(client, "POST", url(personas.client_a), body)
    assert sent.status_code == 201
    client.force_login(personas.sam)
    revoke = f"/api/portal/invitations/{sent.json()['id']}/revoke"
    assert send(client, "POST", revoke).status_code == 403
    assert send(client, "POST", revoke, key=read_key).status_code == 403


@pytest.mark.django_db
def test_another_firms_clients_and_invitations_are_404(client, personas, write_key):
    open_portal(personas.client_a)
    sent = send(
        client, "POST", url(personas.client_a), {"contact_id": personas.contact_a.pk}, key=write_key
    )
    client.force_login(personas.charlie)
    assert send(client, "GET", url(personas.client_a)).status_code == 404
    body = {"contact_id": personas.contact_a.pk}
    assert send(client, "POST", url(personas.client_a), body).status_code == 404
    revoke = f"/api/portal/invitations/{sent.json()['id']}/revoke"
    assert send(client, "POST", revoke).status_code == 404
    assert MagicLink.objects.get().used_at is None
