"""Webhook subscriptions: subscribe, edit, pause, rotate the secret, redeliver, send a test.

Events reach subscribers through ``fan_out`` (subscribed to ``core.events`` in ``apps``): in the
publishing transaction it writes one ``WebhookMessage`` and one outbox row per matching
subscription; the worker sends them after commit (``channels``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from trustledger.core import outbox
from trustledger.core.events import EVENT_TYPES, TEST_EVENT, Event
from trustledger.core.models import OutboxChannel, OutboxMessage, OutboxStatus
from trustledger.webhooks import formats, sealing
from trustledger.webhooks.models import Format, Subscription, WebhookMessage, WebhookSettings
from trustledger.webhooks.targets import TargetRefused, check_target
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError, diff_fields, record_audit

PREVIOUS_SECRET_GRACE = dt.timedelta(hours=24)


# --- events out --------------------------------------------------------------------------------


def fan_out(event: Event) -> None:
    """Queue ``event`` for every active subscription of its workspace that asked for it."""
    subscriptions = Subscription.objects.filter(workspace_id=event.workspace_id, paused=False)
    for subscription in subscriptions:
        if event.type in subscription.events:
            queue_message(subscription, event)


def queue_message(subscription: Subscription, event: Event) -> WebhookMessage:
    """The message (body rendered once, under its own webhook id) and its outbox row."""
    webhook_id = f"msg_{uuid.uuid4().hex}"
    with transaction.atomic():
        message = WebhookMessage.objects.create(
            workspace_id=subscription.workspace_id,
            subscription=subscription,
            webhook_id=webhook_id,
            event_id=event.id,
            event_type=event.type,
            body=formats.render(subscription.format, event),
        )
        _outbox_row(message, subscription.url)
    return message


def _outbox_row(message: WebhookMessage, url: str) -> OutboxMessage:
    return outbox.enqueue(
        OutboxMessage(
            workspace_id=message.workspace_id,
            channel=OutboxChannel.WEBHOOK,
            key=f"webhook:{message.webhook_id}",
            topic="webhook",
            subject_id=message.pk,
            message_id=message.webhook_id,
            summary=f"{message.event_type} → {url}"[:200],
            payload={},
        )
    )


@transaction.atomic
def redeliver(message: WebhookMessage, *, by: User | None) -> None:
    """Send ``message`` again, with the same webhook id and body (a receiver that already has it
    can tell); the outbox row is reused while it exists, so this never queues it twice."""
    row = OutboxMessage.objects.filter(key=f"webhook:{message.webhook_id}").first()
    if row is None:  # pruned after two weeks: the key is free again, and the same
        _outbox_row(message, message.subscription.url)
    elif not outbox.send_again(row.pk):
        raise DomainError("This message is being sent right now.")
    record_audit(message.workspace, by, "webhook.redelivered", message)


@transaction.atomic
def send_test_event(subscription: Subscription, *, by: User | None) -> WebhookMessage:
    """A ``webhook.test`` event to this subscription only (even when paused: it is a check)."""
    event = Event(
        subscription.workspace_id,
        TEST_EVENT,
        {"summary": f"Test from {subscription.workspace.name}", "subscription": subscription.name},
    )
    record_audit(subscription.workspace, by, "webhook.test_sent", subscription)
    return queue_message(subscription, event)


# --- subscriptions -----------------------------------------------------------------------------


def allows_private_targets(workspace: Workspace | int) -> bool:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return WebhookSettings.objects.filter(
        workspace_id=workspace_id, allow_private_targets=True
    ).exists()


@transaction.atomic
def set_allow_private_targets(workspace: Workspace, *, allowed: bool, by: User | None) -> None:
    WebhookSettings.objects.update_or_create(
        workspace=workspace, defaults={"allow_private_targets": allowed}
    )
    record_audit(
        workspace, by, "webhook.private_targets", changes={"allow_private_targets": [None, allowed]}
    )


def _clean(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise DomainError("Give the subscription a name.", field="name")
    if "url" in cleaned:
        try:
            check_target(cleaned["url"], allow_private=allows_private_targets(workspace))
        except TargetRefused as refused:
            raise DomainError(str(refused), field="url") from refused
    if "events" in cleaned:
        events: Sequence[str] = cleaned["events"]
        unknown = sorted(set(events) - set(EVENT_TYPES))
        if unknown or not events:
            raise DomainError("Choose at least one of the listed events.", field="events")
        cleaned["events"] = [e for e in EVENT_TYPES if e in events]
    if "format" in cleaned and cleaned["format"] not in Format.values:
        raise DomainError("Choose a message format.", field="format")
    return cleaned


@transaction.atomic
def create_subscription(
    workspace: Workspace, *, by: User | None, **data: Any
) -> tuple[Subscription, str]:
    """A new subscription and its signing secret (returned once: show it, then forget it)."""
    secret = sealing.new_secret()
    subscription = Subscription.objects.create(
        workspace=workspace,
        created_by=by,
        secret=sealing.seal(secret),
        secret_prefix=secret[:12],
        **_clean(workspace, {"format": Format.STANDARD, **data}),
    )
    record_audit(
        workspace, by, "webhook.subscribed", subscription, {"url": [None, subscription.url]}
    )
    return subscription, secret


@transaction.atomic
def update_subscription(
    subscription: Subscription, *, by: User | None, **data: Any
) -> Subscription:
    changes = diff_fields(subscription, _clean(subscription.workspace, data))
    if changes:
        subscription.save()
        record_audit(subscription.workspace, by, "webhook.updated", subscription, changes)
    return subscription


@transaction.atomic
def set_paused(subscription: Subscription, *, paused: bool, by: User | None) -> Subscription:
    """A paused subscription receives no new events (messages already queued still go)."""
    if subscription.paused != paused:
        subscription.paused = paused
        subscription.save(update_fields=["paused"])
        action = "webhook.paused" if paused else "webhook.resumed"
        record_audit(subscription.workspace, by, action, subscription)
    return subscription


@transaction.atomic
def rotate_secret(subscription: Subscription, *, by: User | None) -> str:
    """A new secret (returned once); the old one keeps signing too for a day, so a receiver can
    move to the new one without refusing messages."""
    secret = sealing.new_secret()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = timezone.now() + PREVIOUS_SECRET_GRACE
    subscription.secret = sealing.seal(secret)
    subscription.secret_prefix = secret[:12]
    subscription.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "secret_prefix"]
    )
    record_audit(subscription.workspace, by, "webhook.secret_rotated", subscription)
    return secret


@transaction.atomic
def delete_subscription(subscription: Subscription, *, by: User | None) -> None:
    """Delete it, its log, and what it still had to send."""
    record_audit(subscription.workspace, by, "webhook.deleted", subscription)
    waiting = WebhookMessage.objects.filter(subscription=subscription, delivered_at=None)
    OutboxMessage.objects.filter(
        channel=OutboxChannel.WEBHOOK,
        status=OutboxStatus.PENDING,
        subject_id__in=list(waiting.values_list("pk", flat=True)),
    ).delete()
    subscription.delete()


def signing_secrets(subscription: Subscription, now: dt.datetime | None = None) -> list[str]:
    """The secrets that sign a message now: the current one, and the previous one during its
    grace period."""
    found = [sealing.unseal(subscription.secret)]
    until = subscription.previous_secret_until
    if subscription.previous_secret and until and until > (now or timezone.now()):
        found.append(sealing.unseal(subscription.previous_secret))
    return found
