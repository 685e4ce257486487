"""Workspace A's webhook objects, one per URL parameter name, for tests/test_tenancy.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas
from trustledger.core import events
from trustledger.webhooks import services
from trustledger.webhooks.models import WebhookMessage


def objects(p: Personas) -> dict[str, Any]:
    services.set_allow_private_targets(p.workspace_a, allowed=True, by=p.alice)
    subscription, _ = services.create_subscription(
        p.workspace_a,
        by=p.alice,
        name="Acme Secret hook",
        url="http://127.0.0.1:9/acme-secret",
        events=["report.sent"],
    )
    events.publish(p.workspace_a.pk, "report.sent", {"summary": "Acme Secret report"})
    return {
        "subscription_id": subscription,
        "webhook_message_id": WebhookMessage.objects.get(subscription=subscription),
    }
