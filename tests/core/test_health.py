"""Health you can see: /healthz, the owners' status page and `trustledger status` agree."""

from __future__ import annotations

import json

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from tests.smtp import deliver_mail, free_port
from trustledger import cli
from trustledger.core import outbox
from trustledger.core.health import health
from trustledger.core.models import OutboxMessage, WorkerHeartbeat


@pytest.mark.django_db
def test_healthz_answers_for_a_load_balancer_and_names_what_needs_attention(client):
    page = client.get("/healthz")
    assert page.status_code == 200 and page["Content-Type"] == "application/json"
    body = page.json()
    assert body["database"] is True and body["status"] == "degraded"
    assert body["problems"] == [
        "No worker is running: recomputes, surveys, digests and mail are waiting."
    ]
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now())
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["workers"] == 1 and body["queue_depth"] == 0


@pytest.mark.django_db
def test_failed_mail_shows_on_the_owners_status_page_and_can_be_retried(client, personas, settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "delivery": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        },
    }
    message = EmailMessage("Your digest", "…", to=["amir@alpha.example"])
    outbox.tag(message, key="d1", workspace_id=personas.workspace_a.pk).send()
    OutboxMessage.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)
    deliver_mail()
    assert health().failed_mail == 1

    client.force_login(personas.alice)
    page = client.get("/settings/status/").content.decode()
    assert "Your digest → amir@alpha.example" in page and "ConnectionRefusedError" in page
    assert "1 e-mails could not be delivered." in page
    client.post("/settings/status/retry/")
    assert OutboxMessage.objects.get().status == "pending"


@pytest.mark.django_db
def test_only_owners_see_the_status_page_and_other_firms_mail_stays_hidden(client, personas):
    outbox.tag(
        EmailMessage("Beta's secret", "…", to=["x@b.example"]),
        key="b1",
        workspace_id=personas.workspace_b.pk,
    ).send()
    OutboxMessage.objects.update(status="failed")
    client.force_login(personas.amir)
    assert client.get("/settings/status/").status_code == 403
    client.force_login(personas.alice)
    page = client.get("/settings/status/").content.decode()
    assert "Beta&#x27;s secret" not in page and "Beta's secret" not in page


@pytest.mark.django_db(transaction=True)
def test_the_status_command_prints_the_same_reading_and_fails_when_something_is_wrong(capsys):
    assert cli.main(["status", "--json"]) == 1  # no worker
    assert json.loads(capsys.readouterr().out)["problems"][0].startswith("No worker")
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now())
    assert cli.main(["status"]) == 0
    assert "Status: OK" in capsys.readouterr().out
