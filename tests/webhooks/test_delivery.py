"""Webhooks through the real outbox and worker to a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.smtp import free_port
from tests.webhooks.receiver import Receiver
from trustledger.core import events
from trustledger.core.models import OutboxChannel, OutboxMessage, OutboxStatus
from trustledger.core.worker import run_until_idle
from trustledger.webhooks import services
from trustledger.webhooks.models import DeliveryAttempt, Format, WebhookMessage

EVENTS = ["alert.raised", "report.sent", "band.changed"]


@pytest.fixture
def allowed(personas):
    services.set_allow_private_targets(personas.workspace_a, allowed=True, by=personas.alice)
    return personas


def _subscribe(personas, url, *, events=EVENTS, format=Format.STANDARD):
    return services.create_subscription(
        personas.workspace_a, by=personas.alice, name="Ops", url=url, events=events, format=format
    )


def _publish(personas, n=3):
    for i in range(n):
        events.publish(
            personas.workspace_a.pk, EVENTS[i % 3], {"summary": f"event {i}", "client_id": i}
        )


def _time_passes():
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())


def test_signed_events_reach_a_real_receiver_and_verify_with_the_standard_library(
    allowed, pipeline
):
    with Receiver() as receiver:
        _, secret = _subscribe(allowed, receiver.url)
        with pipeline():
            _publish(allowed)
    assert len(receiver.accepted) == 3
    bodies = [Webhook(secret).verify(r.body, r.headers) for r in receiver.accepted]
    assert [b["type"] for b in bodies] == EVENTS
    assert bodies[0]["data"] == {"summary": "event 0", "client_id": 0}
    assert {r.headers["webhook-id"] for r in receiver.accepted} == set(
        WebhookMessage.objects.values_list("webhook_id", flat=True)
    )
    with pytest.raises(WebhookVerificationError):  # another secret does not verify
        Webhook(services.sealing.new_secret()).verify(
            receiver.accepted[0].body, receiver.accepted[0].headers
        )
    assert OutboxMessage.objects.filter(channel=OutboxChannel.WEBHOOK).count() == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_receiver_down_then_failing_then_up_gets_every_event_exactly_once(allowed, pipeline):
    port = free_port()
    _, secret = _subscribe(allowed, f"http://127.0.0.1:{port}/hooks")
    with pipeline():  # nobody listens: connection refused
        _publish(allowed)
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 3
    assert all(row.next_attempt_at > timezone.now() for row in OutboxMessage.objects.all())
    refused = DeliveryAttempt.objects.all()
    assert len(refused) == 3 and all("ConnectionRefusedError" in a.error for a in refused)

    with Receiver(port=port, answers=[500, 503]) as receiver:
        _time_passes()
        run_until_idle()  # two answered 5xx, one accepted
        assert len(receiver.accepted) == 1
        _time_passes()
        run_until_idle()
        _time_passes()
        run_until_idle()  # nothing left: no duplicates
    ids = [r.headers["webhook-id"] for r in receiver.accepted]
    assert len(ids) == 3 and len(set(ids)) == 3
    for request in receiver.accepted:
        Webhook(secret).verify(request.body, request.headers)
    log = [(a.attempt, a.status_code, a.ok) for a in DeliveryAttempt.objects.order_by("id")]
    assert sorted(log) == [
        (1, None, False),
        (1, None, False),
        (1, None, False),
        (2, 200, True),
        (2, 500, False),
        (2, 503, False),
        (3, 200, True),
        (3, 200, True),
    ]
    assert not WebhookMessage.objects.filter(delivered_at=None).exists()


def test_redelivery_sends_the_same_message_id_and_body_again_without_a_new_row(allowed, pipeline):
    with Receiver() as receiver:
        _, secret = _subscribe(allowed, receiver.url)
        with pipeline():
            _publish(allowed, 1)
        message = WebhookMessage.objects.get()
        with pipeline():
            services.redeliver(message, by=allowed.alice)
            services.redeliver(message, by=allowed.alice)  # pressed twice: queued once
    first, again = receiver.accepted
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == message.webhook_id
    assert first.body == again.body
    Webhook(secret).verify(again.body, again.headers)
    assert OutboxMessage.objects.count() == 1
    assert list(message.attempts.values_list("attempt", "status_code")) == [(1, 200), (1, 200)]


def test_a_rotated_secret_signs_and_the_old_one_still_verifies_for_a_day(allowed, pipeline):
    with Receiver() as receiver:
        subscription, old = _subscribe(allowed, receiver.url)
        new = services.rotate_secret(subscription, by=allowed.alice)
        with pipeline():
            _publish(allowed, 1)
    (request,) = receiver.accepted
    assert new != old and new.startswith("whsec_")
    Webhook(new).verify(request.body, request.headers)
    Webhook(old).verify(request.body, request.headers)
    assert len(request.headers["webhook-signature"].split(" ")) == 2


def test_a_rolled_back_change_publishes_nothing(allowed):
    _subscribe(allowed, "http://127.0.0.1:9/hooks")
    with transaction.atomic():
        _publish(allowed, 1)
        transaction.set_rollback(True)
    assert not OutboxMessage.objects.exists() and not WebhookMessage.objects.exists()


def test_only_subscribed_events_of_the_own_workspace_are_queued_and_paused_gets_none(allowed):
    subscription, _ = _subscribe(allowed, "http://127.0.0.1:9/hooks", events=["report.sent"])
    events.publish(allowed.workspace_a.pk, "alert.raised", {})
    events.publish(allowed.workspace_b.pk, "report.sent", {})
    assert not WebhookMessage.objects.exists()
    events.publish(allowed.workspace_a.pk, "report.sent", {})
    assert WebhookMessage.objects.count() == 1
    services.set_paused(subscription, paused=True, by=allowed.alice)
    events.publish(allowed.workspace_a.pk, "report.sent", {})
    assert WebhookMessage.objects.count() == 1
    with pytest.raises(events.UnknownEvent):
        events.publish(allowed.workspace_a.pk, "report.sentt", {})


def test_the_slack_format_posts_a_text_message_with_blocks(allowed, pipeline):
    with Receiver() as receiver:
        _subscribe(allowed, receiver.url, format=Format.SLACK)
        with pipeline():
            events.publish(
                allowed.workspace_a.pk,
                "alert.raised",
                {"summary": "Acme: responsiveness fell", "client": "Acme", "client_id": 7},
            )
    body = json.loads(receiver.accepted[0].body)
    assert body["text"] == "*A trust alert was raised*: Acme: responsiveness fell"
    assert body["blocks"][0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": body["text"]},
    }
    assert {"type": "mrkdwn", "text": "*Client*\nAcme"} in body["blocks"][1]["fields"]
    assert receiver.accepted[0].headers["content-type"] == "application/json"


def test_a_test_event_goes_to_one_subscription_even_when_paused(allowed, pipeline):
    with Receiver() as receiver:
        subscription, secret = _subscribe(allowed, receiver.url)
        _subscribe(allowed, receiver.url)
        services.set_paused(subscription, paused=True, by=allowed.alice)
        with pipeline():
            services.send_test_event(subscription, by=allowed.alice)
    (request,) = receiver.accepted
    assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"


def test_failed_webhooks_do_not_count_as_undelivered_mail_in_health(allowed, pipeline):
    from trustledger.core.health import health

    _subscribe(allowed, f"http://127.0.0.1:{free_port()}/hooks")
    with pipeline():
        _publish(allowed, 1)
    OutboxMessage.objects.update(status=OutboxStatus.FAILED)
    assert health().failed_mail == 0


def test_the_verification_example_in_the_api_docs_verifies_a_real_delivery(allowed, pipeline):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    section = docs.split("### Verifying a message (Python)")[1]
    example = section.split("```python\n")[1].split("```")[0]
    namespace: dict = {}
    exec(example, namespace)
    with Receiver() as receiver:
        _, secret = _subscribe(allowed, receiver.url)
        with pipeline():
            _publish(allowed, 1)
    (request,) = receiver.accepted
    event = namespace["verified_event"](request.body, request.headers, secret)
    assert event["type"] == "alert.raised"
    with pytest.raises(WebhookVerificationError):
        namespace["verified_event"](request.body + b" ", request.headers, secret)


def test_delivered_messages_leave_the_log_after_30_days_and_undelivered_ones_stay(allowed):
    from tests.background import run_job

    _subscribe(allowed, "http://127.0.0.1:9/hooks")
    _publish(allowed, 2)
    old = timezone.now() - dt.timedelta(days=31)
    WebhookMessage.objects.update(created_at=old)
    WebhookMessage.objects.filter(pk=WebhookMessage.objects.first().pk).update(delivered_at=old)
    run_job("webhooks.prune_log")
    assert WebhookMessage.objects.count() == 1
    assert WebhookMessage.objects.get().delivered_at is None
