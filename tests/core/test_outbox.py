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
from trustledger.core.models import OutboxMessage, OutboxStatus
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


@pytest.mark.django_db
def test_a_message_being_sent_by_a_live_worker_is_left_alone_and_a_dead_ones_is_taken_up():
    _message().send()
    now = timezone.now()
    row = outbox._claim(now, "worker-a", ["worker-a"])
    assert row is not None and row.claimed_by == "worker-a"
    assert outbox._claim(now, "worker-b", ["worker-a", "worker-b"]) is None  # a is sending it
    taken = outbox._claim(now, "worker-b", ["worker-b"])  # a died mid-send
    assert taken is not None and taken.pk == row.pk and taken.attempts == 2
    later = now + dt.timedelta(seconds=outbox.lease_seconds() + 1)
    assert outbox._claim(later, "worker-c", ["worker-b", "worker-c"]) is not None  # lease ended


@pytest.mark.django_db(transaction=True)
def test_no_mail_is_sent_inside_a_write_transaction():
    _message().send()
    row = outbox._claim(timezone.now(), "w", ["w"])
    assert row is not None
    with pytest.raises(NetworkInTransaction), transaction.atomic():
        outbox._send(row)
