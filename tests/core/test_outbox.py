"""The mail outbox: queued in the business transaction, sent after commit, once per key."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from tests.smtp import deliver_mail, delivered, free_port
from trustledger.core import outbox
from trustledger.core.models import OutboxMessage, OutboxStatus, WorkerHeartbeat
from trustledger.core.transactions import NetworkInTransaction


def _message(key: str = "k1", to: str = "ada@client.example") -> EmailMessage:
    return outbox.tag(EmailMessage("Hello", "Body", to=[to]), key=key)


@pytest.mark.django_db
def test_sending_only_writes_a_row_and_the_worker_delivers_it_with_a_stable_message_id():
    _message().send()
    assert mail.outbox == []
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING and row.summary == "Hello → ada@client.example"
    (sent,) = delivered()
    assert sent.extra_headers["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.sent_at is not None
    assert deliver_mail() == 0  # never twice


@pytest.mark.django_db
def test_one_key_is_one_message_however_often_it_is_queued():
    _message("invite:7").send()
    _message("invite:7").send()
    _message("invite:8").send()
    assert OutboxMessage.objects.count() == 2
    assert len(delivered()) == 2


@pytest.mark.django_db
def test_a_rolled_back_transaction_sends_nothing():
    with transaction.atomic():
        _message().send()
        transaction.set_rollback(True)
    assert delivered() == []


@pytest.mark.django_db
def test_attachments_and_html_survive_the_outbox():
    message = outbox.tag(
        mail.EmailMultiAlternatives("Report", "Text", to=["a@b.example"]), key="report:1"
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach("report.pdf", b"%PDF-1.7 binary\x00\xff", "application/pdf")
    message.send()
    (sent,) = delivered()
    assert sent.alternatives[0].content == "<p>HTML</p>"
    assert sent.attachments[0].content == b"%PDF-1.7 binary\x00\xff"


def _smtp_down(settings) -> None:
    settings.MAILERS = {
        **settings.MAILERS,
        "delivery": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        },
    }


@pytest.mark.django_db
def test_a_failure_is_retried_with_backoff_then_marked_failed_for_an_owner_to_retry(settings):
    _smtp_down(settings)
    _message().send()
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert deliver_mail() == 0
        row = OutboxMessage.objects.get()
        assert row.attempts == attempt and row.last_error.startswith("ConnectionRefusedError")
        if attempt < outbox.MAX_ATTEMPTS:
            assert row.status == OutboxStatus.PENDING
            assert row.next_attempt_at > timezone.now()  # backing off
            assert deliver_mail() == 0 and OutboxMessage.objects.get().attempts == attempt
            OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert OutboxMessage.objects.get().status == OutboxStatus.FAILED
    assert outbox.retry_failed() == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING


def test_only_a_refusal_of_every_recipient_with_a_5xx_code_is_permanent():
    refused = smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")})
    busy = smtplib.SMTPRecipientsRefused({"a@x": (451, b"try later")})
    assert outbox._permanent(refused) and not outbox._permanent(busy)
    assert not outbox._permanent(smtplib.SMTPServerDisconnected("gone"))


def _heartbeat(worker_id: str, seen_at: dt.datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": seen_at, "hostname": "h", "pid": 1}
    )


@pytest.mark.django_db
def test_a_message_being_sent_by_a_live_worker_is_left_alone_and_a_dead_ones_is_taken_up():
    _message().send()
    now = timezone.now()
    _heartbeat("worker-a", now)
    _heartbeat("worker-b", now)
    row = outbox._claim(now, "worker-a")
    assert row is not None and row.claimed_by == "worker-a"
    assert outbox._claim(now, "worker-b") is None  # a is sending it
    WorkerHeartbeat.objects.filter(worker_id="worker-a").delete()  # a died mid-send
    taken = outbox._claim(now, "worker-b")
    assert taken is not None and taken.pk == row.pk and taken.attempts == 2
    later = now + dt.timedelta(seconds=outbox.lease_seconds() + 1)
    _heartbeat("worker-c", later)
    assert outbox._claim(later, "worker-c") is not None  # lease ended


@pytest.mark.django_db
def test_a_worker_that_starts_during_another_ones_delivery_round_keeps_its_messages(monkeypatch):
    """Which workers are alive is decided when a message is claimed, not once per round: a worker
    that came up after the round began is not mistaken for a dead one (mail went out twice)."""
    _message("k1").send()
    _message("k2").send()
    now = timezone.now()
    _heartbeat("worker-b", now)
    sent_by_b = []

    def b_sends(messages):
        if not sent_by_b:  # while b sends its first message, a starts and claims the second
            _heartbeat("worker-a", timezone.now())
            assert outbox._claim(timezone.now(), "worker-a") is not None
        sent_by_b.extend(messages)
        return len(messages)

    class Mailer:
        send_messages = staticmethod(b_sends)

    monkeypatch.setattr(outbox, "mailers", {outbox.DELIVERY_MAILER: Mailer()})
    assert outbox.deliver_due(worker_id="worker-b") == 1
    assert len(sent_by_b) == 1
    held_by_a = OutboxMessage.objects.filter(claimed_by="worker-a", status=OutboxStatus.SENDING)
    assert held_by_a.count() == 1


@pytest.mark.django_db(transaction=True)
def test_no_mail_is_sent_inside_a_write_transaction():
    _message().send()
    row = outbox._claim(timezone.now(), "w")
    assert row is not None
    with pytest.raises(NetworkInTransaction), transaction.atomic():
        outbox._send(row)
