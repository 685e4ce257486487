"""The owners' webhook pages: subscribe, see the secret once, pause, rotate, test, redeliver."""

from __future__ import annotations

import pytest

from tests.webhooks.receiver import Receiver
from trustledger.core.models import OutboxMessage
from trustledger.webhooks.models import Subscription, WebhookMessage
from trustledger.workspaces.models import AuditEntry

pytestmark = pytest.mark.django_db

FORM = {"name": "CRM", "events": ["alert.raised", "report.sent"], "format": "standard"}


@pytest.fixture
def owner(client, personas):
    client.force_login(personas.alice)
    client.post("/settings/webhooks/private-targets/", {"allow_private_targets": "on"})
    return client


def _secret(body: str) -> str:
    return body.split('id="webhook-secret">')[1].split("<")[0]


def test_an_owner_subscribes_and_sees_the_secret_once(owner):
    response = owner.post("/settings/webhooks/new/", {**FORM, "url": "http://127.0.0.1:9/h"})
    secret = _secret(response.content.decode())
    assert secret.startswith("whsec_")
    subscription = Subscription.objects.get()
    assert subscription.events == ["alert.raised", "report.sent"]
    assert secret not in subscription.secret  # sealed at rest
    for page in ("/settings/webhooks/", f"/settings/webhooks/{subscription.pk}/"):
        assert secret not in owner.get(page).content.decode()
    assert AuditEntry.objects.filter(action="webhook.subscribed").count() == 1


def test_a_private_url_is_refused_next_to_its_field_unless_allowed(client, personas):
    client.force_login(personas.alice)
    response = client.post("/settings/webhooks/new/", {**FORM, "url": "http://10.0.0.5/h"})
    assert response.status_code == 200
    assert "loopback or private" in response.content.decode()
    response = client.post("/settings/webhooks/new/", {**FORM, "url": "ftp://example.com/h"})
    assert not Subscription.objects.exists()


def test_rotating_shows_a_new_secret_and_pausing_stops_new_events(owner):
    owner.post("/settings/webhooks/new/", {**FORM, "url": "http://127.0.0.1:9/h"})
    subscription = Subscription.objects.get()
    first_prefix = subscription.secret_prefix
    response = owner.post(f"/settings/webhooks/{subscription.pk}/rotate/")
    assert _secret(response.content.decode()).startswith("whsec_")
    subscription.refresh_from_db()
    assert subscription.secret_prefix != first_prefix and subscription.previous_secret
    owner.post(f"/settings/webhooks/{subscription.pk}/pause/", {"paused": "1"})
    assert Subscription.objects.get().paused
    owner.post(f"/settings/webhooks/{subscription.pk}/pause/", {"paused": "0"})
    assert not Subscription.objects.get().paused


def test_the_log_shows_response_codes_and_redeliver_sends_again(owner, pipeline):
    with Receiver(answers=[500]) as receiver:
        owner.post("/settings/webhooks/new/", {**FORM, "url": receiver.url})
        subscription = Subscription.objects.get()
        with pipeline():
            owner.post(f"/settings/webhooks/{subscription.pk}/test/")
        page = owner.get(f"/settings/webhooks/{subscription.pk}/").content.decode()
        assert "webhook.test" in page and "HTTP 500" in page and "Not delivered" in page
        message = WebhookMessage.objects.get()
        with pipeline():
            owner.post(f"/settings/webhooks/{subscription.pk}/messages/{message.pk}/redeliver/")
    assert [r.status for r in receiver.requests] == [500, 200]
    page = owner.get(f"/settings/webhooks/{subscription.pk}/").content.decode()
    assert "HTTP 200" in page and "Delivered" in page
    assert OutboxMessage.objects.count() == 1


def test_the_delivery_log_is_paginated(owner):
    from trustledger.core import events

    owner.post("/settings/webhooks/new/", {**FORM, "url": "http://127.0.0.1:9/h"})
    subscription = Subscription.objects.get()
    for _ in range(30):
        events.publish(subscription.workspace_id, "report.sent", {})
    first = owner.get(f"/settings/webhooks/{subscription.pk}/").content.decode()
    assert "Page 1 of 2 · 30 in all" in first
    assert owner.get(f"/settings/webhooks/{subscription.pk}/?page=2").status_code == 200


@pytest.mark.parametrize("who", ["amir", "sam"])
def test_only_owners_reach_the_webhook_pages(client, personas, who):
    personas_owner = personas.alice
    client.force_login(personas_owner)
    client.post("/settings/webhooks/private-targets/", {"allow_private_targets": "on"})
    client.post("/settings/webhooks/new/", {**FORM, "url": "http://127.0.0.1:9/h"})
    subscription = Subscription.objects.get()
    client.force_login(getattr(personas, who))
    base = f"/settings/webhooks/{subscription.pk}"
    for url in ("/settings/webhooks/", "/settings/webhooks/new/", f"{base}/", f"{base}/edit/"):
        assert client.get(url).status_code == 403, url
    for url in (f"{base}/rotate/", f"{base}/pause/", f"{base}/test/", f"{base}/delete/"):
        assert client.post(url).status_code == 403, url
    assert client.post("/settings/webhooks/new/", {**FORM, "url": "http://x/"}).status_code == 403
    assert Subscription.objects.count() == 1 and not WebhookMessage.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/settings/webhooks/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_deleting_a_webhook_drops_what_it_still_had_to_send(owner):
    from trustledger.core import events

    owner.post("/settings/webhooks/new/", {**FORM, "url": "http://127.0.0.1:9/h"})
    subscription = Subscription.objects.get()
    events.publish(subscription.workspace_id, "report.sent", {})
    assert OutboxMessage.objects.count() == 1
    response = owner.post(f"/settings/webhooks/{subscription.pk}/delete/")
    assert response.status_code == 302
    assert not Subscription.objects.exists() and not OutboxMessage.objects.exists()
    assert AuditEntry.objects.filter(action="webhook.deleted").count() == 1
