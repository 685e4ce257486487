"""The firm's side: the client page's portal panel, invitations, per-engagement sharing, and the
same settings through the API. Account managers and up; their own clients only."""

from __future__ import annotations

import pytest

from tests.engagements.factories import EngagementFactory
from tests.factories import ContactFactory
from tests.portal.helpers import open_portal, token_in
from trustledger.portal.models import ClientPortal, ContactAccess
from trustledger.workspaces.models import ApiKeyScope, AuditEntry
from trustledger.workspaces.services import create_api_key


@pytest.mark.django_db
def test_the_client_page_shows_the_portal_panel_and_opens_the_portal(client, personas):
    client.force_login(personas.amir)
    page = client.get(f"/clients/{personas.client_a.pk}/").content.decode()
    assert "Client portal" in page and "Open the portal" in page

    response = client.post(
        f"/portal/firm/clients/{personas.client_a.pk}/settings/", {"enabled": "on"}
    )
    assert response["Location"] == f"/clients/{personas.client_a.pk}/#portal"
    assert ClientPortal.objects.get(client=personas.client_a).enabled
    page = client.get(f"/clients/{personas.client_a.pk}/").content.decode()
    assert "Close the portal" in page and "never signed in" in page
    assert AuditEntry.objects.filter(action="portal.client_settings", actor=personas.amir).exists()


@pytest.mark.django_db
def test_an_invitation_is_mailed_and_signs_the_contact_in(client, personas, smtp_server):
    open_portal(personas.client_a)
    client.force_login(personas.amir)
    response = client.post(
        f"/portal/firm/clients/{personas.client_a.pk}/invite/", {"contact": personas.contact_a.pk}
    )
    assert response.status_code == 302
    ((recipients, message),) = smtp_server.messages
    assert recipients == [personas.contact_a.email] and "invites you" in message["Subject"]
    from tests.smtp import text_part

    token = token_in(text_part(message))
    client.logout()
    assert client.post(f"/portal/link/{token}/")["Location"] == "/portal/home/"
    client.force_login(personas.amir)
    page = client.get(f"/clients/{personas.client_a.pk}/").content.decode()
    assert "signed in" in page and "never signed in" not in page


@pytest.mark.django_db
def test_no_invitation_while_the_portal_is_closed_or_for_another_clients_contact(
    client, personas, mailoutbox
):
    client.force_login(personas.amir)
    url = f"/portal/firm/clients/{personas.client_a.pk}/invite/"
    client.post(url, {"contact": personas.contact_a.pk})
    open_portal(personas.client_a)
    client.post(url, {"contact": ContactFactory(client=personas.other_client_a).pk})
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_contact_can_be_barred_and_allowed_again(client, personas):
    client.force_login(personas.amir)
    url = f"/portal/firm/clients/{personas.client_a.pk}/access/"
    client.post(url, {"contact": personas.contact_a.pk})
    assert not ContactAccess.objects.get(contact=personas.contact_a).may_sign_in
    client.post(url, {"contact": personas.contact_a.pk, "may_sign_in": "on"})
    assert ContactAccess.objects.get(contact=personas.contact_a).may_sign_in


@pytest.mark.django_db
def test_sharing_is_toggled_on_the_engagement_page(client, personas):
    engagement = EngagementFactory(client=personas.client_a)
    client.force_login(personas.amir)
    page = client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Share in the client portal" in page and "Not shared" in page
    client.post(
        f"/portal/firm/engagements/{engagement.pk}/sharing/",
        {"portal_shared": "on", "portal_shows_budget": "on"},
    )
    engagement.refresh_from_db()
    assert engagement.portal_shared and engagement.portal_shows_budget
    client.post(f"/portal/firm/engagements/{engagement.pk}/sharing/", {"portal_shared": "on"})
    engagement.refresh_from_db()
    assert engagement.portal_shared and not engagement.portal_shows_budget
    assert AuditEntry.objects.filter(action="engagement.portal_sharing").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "target"), [("sam", "client_a"), ("amir", "other_client_a"), ("charlie", "client_a")]
)
def test_only_the_clients_manager_or_a_leader_changes_portal_settings(
    client, personas, who, target
):
    the_client = getattr(personas, target)
    if target == "other_client_a":  # managed by someone else (unmanaged ones are open to all AMs)
        the_client.account_manager = personas.alice
        the_client.save()
    engagement = EngagementFactory(client=the_client)
    client.force_login(getattr(personas, who))
    for url, data in (
        (f"/portal/firm/clients/{the_client.pk}/settings/", {"enabled": "on"}),
        (f"/portal/firm/clients/{the_client.pk}/invite/", {"contact": personas.contact_a.pk}),
        (f"/portal/firm/engagements/{engagement.pk}/sharing/", {"portal_shared": "on"}),
    ):
        assert client.post(url, data).status_code in (403, 404)
    engagement.refresh_from_db()
    assert not engagement.portal_shared
    assert not ClientPortal.objects.exists()


# --- the API --------------------------------------------------------------------------------------


def bearer(personas, scope=ApiKeyScope.READ_WRITE) -> dict[str, str]:
    _, raw = create_api_key(personas.workspace_a, name="k", scope=scope, by=personas.alice)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_the_api_reads_and_updates_a_clients_portal(client, personas):
    headers = bearer(personas)
    url = f"/api/portal/clients/{personas.client_a.pk}"
    body = client.get(url, **headers).json()
    assert body["enabled"] is False and body["contacts"][0]["may_sign_in"] is True

    response = client.patch(
        url,
        {
            "enabled": True,
            "contacts": [{"contact_id": personas.contact_a.pk, "may_sign_in": False}],
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["enabled"] is True
    assert response.json()["contacts"][0]["may_sign_in"] is False


@pytest.mark.django_db
def test_the_api_refuses_bad_input_with_field_locations(client, personas):
    headers = bearer(personas)
    url = f"/api/portal/clients/{personas.client_a.pk}"
    response = client.patch(url, {"enabled": "yes"}, content_type="application/json", **headers)
    assert response.status_code == 422 and "enabled" in str(response.json()["detail"][0]["loc"])
    other = ContactFactory(client=personas.other_client_a)
    response = client.patch(
        url,
        {"contacts": [{"contact_id": other.pk, "may_sign_in": True}]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and response.json()["detail"][0]["loc"] == [
        "body",
        "contacts",
    ]


@pytest.mark.django_db
def test_the_api_reads_and_updates_engagement_sharing(client, personas):
    engagement = EngagementFactory(client=personas.client_a)
    headers = bearer(personas)
    url = f"/api/portal/engagements/{engagement.pk}"
    assert client.get(url, **headers).json() == {
        "engagement_id": engagement.pk,
        "portal_shared": False,
        "portal_shows_budget": True,
    }
    response = client.patch(
        url, {"portal_shared": True}, content_type="application/json", **headers
    )
    assert response.json()["portal_shared"] is True
    engagement.refresh_from_db()
    assert engagement.portal_shared and engagement.portal_shows_budget


@pytest.mark.django_db
def test_a_read_only_key_and_another_workspace_change_nothing(client, personas):
    engagement = EngagementFactory(client=personas.client_a)
    url = f"/api/portal/engagements/{engagement.pk}"
    read_only = bearer(personas, ApiKeyScope.READ)
    response = client.patch(
        url, {"portal_shared": True}, content_type="application/json", **read_only
    )
    assert response.status_code == 403
    client.force_login(personas.charlie)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/portal/clients/{personas.client_a.pk}").status_code == 404
    engagement.refresh_from_db()
    assert not engagement.portal_shared
