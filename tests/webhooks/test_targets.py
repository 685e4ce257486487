"""Only http(s), and no loopback or private targets unless an owner allows them."""

from __future__ import annotations

import pytest

from tests.webhooks.receiver import Receiver
from trustledger.core import events
from trustledger.core.models import OutboxMessage, OutboxStatus
from trustledger.webhooks import services
from trustledger.webhooks.models import DeliveryAttempt
from trustledger.webhooks.targets import TargetRefused, check_target
from trustledger.workspaces.services import DomainError


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://172.16.5.4/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[fd00::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
    ],
)
def test_private_and_loopback_targets_are_refused_unless_allowed(url):
    with pytest.raises(TargetRefused, match="loopback or private"):
        check_target(url, allow_private=False)
    check_target(url, allow_private=True)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x", "http://", "http://u:p@h/"]
)
def test_only_http_urls_with_a_host_and_no_credentials_are_accepted(url):
    with pytest.raises(TargetRefused):
        check_target(url, allow_private=True)


def test_a_public_address_is_accepted():
    check_target("https://93.184.215.14/hook", allow_private=False)


def test_subscribing_a_loopback_url_is_refused_until_the_owner_allows_private_targets(personas):
    data = {"name": "Local", "url": "http://127.0.0.1:9/h", "events": ["report.sent"]}
    with pytest.raises(DomainError) as refused:
        services.create_subscription(personas.workspace_a, by=personas.alice, **data)
    assert refused.value.field == "url"
    services.set_allow_private_targets(personas.workspace_a, allowed=True, by=personas.alice)
    services.create_subscription(personas.workspace_a, by=personas.alice, **data)
    # the setting is the workspace's own: B still may not
    with pytest.raises(DomainError):
        services.create_subscription(personas.workspace_b, by=personas.charlie, **data)


def test_a_delivery_to_a_target_no_longer_allowed_fails_at_once_and_is_logged(personas, pipeline):
    services.set_allow_private_targets(personas.workspace_a, allowed=True, by=personas.alice)
    with Receiver() as receiver:
        services.create_subscription(
            personas.workspace_a,
            by=personas.alice,
            name="Local",
            url=receiver.url,
            events=["report.sent"],
        )
        services.set_allow_private_targets(personas.workspace_a, allowed=False, by=personas.alice)
        with pipeline():
            events.publish(personas.workspace_a.pk, "report.sent", {})
    assert receiver.requests == []
    assert OutboxMessage.objects.get().status == OutboxStatus.FAILED
    assert "loopback or private" in DeliveryAttempt.objects.get().error
