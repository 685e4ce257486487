"""The outbox's webhook channel: sign a message and POST it, after commit, from the worker.

Each attempt is signed afresh (the spec's ``webhook-timestamp`` is the attempt's, so a receiver
rejecting old timestamps still accepts a retry) with the same ``webhook-id`` and body, logged as
a ``DeliveryAttempt`` with its response code or error, and counts as delivered only on a 2xx.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from standardwebhooks import Webhook

from trustledger.core.models import OutboxChannel, OutboxMessage
from trustledger.core.outbox import Channel, PermanentFailure, channels
from trustledger.webhooks import transport
from trustledger.webhooks.models import DeliveryAttempt, WebhookMessage
from trustledger.webhooks.services import allows_private_targets, signing_secrets
from trustledger.webhooks.targets import TargetRefused, check_target

log = logging.getLogger(__name__)


class NotAccepted(Exception):
    """The receiver answered, but not with a 2xx: try again later."""


def signature_headers(
    message: WebhookMessage, secrets: list[str], at: dt.datetime
) -> dict[str, str]:
    at = at.astimezone(dt.UTC)
    signatures = [
        Webhook(secret).sign(msg_id=message.webhook_id, timestamp=at, data=message.body)
        for secret in secrets
    ]
    return {
        "webhook-id": message.webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def _log(message: WebhookMessage, row: OutboxMessage, **result: object) -> None:
    DeliveryAttempt.objects.create(
        workspace_id=message.workspace_id, message=message, attempt=row.attempts, **result
    )


def send(row: OutboxMessage) -> None:
    messages = WebhookMessage.objects.select_related("subscription")
    message = messages.filter(pk=row.subject_id or 0).first()
    if message is None:
        raise PermanentFailure("the subscription was deleted")
    subscription = message.subscription
    try:
        check_target(subscription.url, allow_private=allows_private_targets(message.workspace_id))
    except TargetRefused as refused:
        _log(message, row, error=str(refused)[:500])
        raise PermanentFailure(str(refused)) from refused
    headers = signature_headers(message, signing_secrets(subscription), timezone.now())
    try:
        response = transport.post(subscription.url, message.body, headers)
    except OSError as error:
        _log(message, row, error=f"{type(error).__name__}: {error}"[:500])
        raise
    _log(
        message, row, status_code=response.status, duration_ms=response.duration_ms, ok=response.ok
    )
    if not response.ok:
        raise NotAccepted(f"HTTP {response.status} from {subscription.url}")
    WebhookMessage.objects.filter(pk=message.pk).update(delivered_at=timezone.now())


channels.register(Channel(OutboxChannel.WEBHOOK, send))
