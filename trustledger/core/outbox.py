"""The outbox: every e-mail and webhook call is a row written in the business transaction, sent
after commit.

The project's default mailer is ``OutboxBackend``: ``send_mail`` and ``EmailMessage.send`` (ours
and Django's own, such as the password reset) only write an ``OutboxMessage``. The worker calls
``deliver_due``, which claims one row at a time under a lease, sends it with the ``delivery``
mailer (the real SMTP server) outside any transaction, and marks it sent only once the server
accepted it. A failure is retried with backoff up to ``MAX_ATTEMPTS`` times, then shown as failed
on the status page, where an owner can retry it. A worker killed mid-send leaves the row leased;
it is taken up again when the lease expires, with the same Message-ID.

Mail is one ``channel``; another app adds a channel (webhooks) by registering a ``Channel`` (its
sender) from a ``channels`` module and writing rows with ``enqueue``. Claiming, leases, backoff,
attempts and the owner's retry are the same for every channel.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import smtplib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from trustledger.core.extensions import Registry
from trustledger.core.models import OutboxChannel, OutboxMessage, OutboxStatus, WorkerHeartbeat
from trustledger.core.transactions import assert_no_write_transaction

log = logging.getLogger(__name__)

DELIVERY_MAILER = "delivery"
MAX_ATTEMPTS = 8
BACKOFF = (10, 30, 60, 120, 300, 900, 1800)  # seconds before the 2nd, 3rd, ... attempt


def _backoff(attempts: int) -> float:
    steps: Sequence[float] = getattr(settings, "TRUSTLEDGER_RETRY_BACKOFF", None) or BACKOFF
    return float(steps[min(attempts, len(steps)) - 1])


def lease_seconds() -> float:
    """How long a claimed message is left alone even if its worker seems gone: the longest a
    send can take (connect, then data, each bounded by the SMTP timeout) and a margin."""
    return float(getattr(settings, "TRUSTLEDGER_EMAIL_TIMEOUT", 30)) * 3 + 10


@dataclass(frozen=True)
class OutboxTag:
    """How to file a message: its dedup key, its workspace, and what it is about."""

    key: str
    workspace_id: int | None = None
    topic: str = ""
    subject_id: int | None = None


def tag[M: EmailMessage](
    message: M,
    *,
    key: str,
    workspace_id: int | None = None,
    topic: str = "",
    subject_id: int | None = None,
) -> M:
    """Give ``message`` a dedup key (queuing it twice writes one row) before ``.send()``."""
    message.outbox_tag = OutboxTag(key, workspace_id, topic, subject_id)  # type: ignore[attr-defined]
    return message


type Hook = Callable[[OutboxMessage], None]


@dataclass(frozen=True)
class DeliveryHook:
    """Called in the transaction that marks a message of ``topic`` sent (or failed for good)."""

    topic: str
    outcome: str  # OutboxStatus.SENT or OutboxStatus.FAILED
    run: Hook


delivery_hooks: Registry[DeliveryHook] = Registry("mail delivery hooks", module="mail")


def on_delivered(topic: str) -> Callable[[Hook], Hook]:
    """Register ``run(message)`` for when the mail server accepted a message of ``topic``."""

    def decorator(run: Hook) -> Hook:
        delivery_hooks.register(DeliveryHook(topic, OutboxStatus.SENT, run))
        return run

    return decorator


def on_failed(topic: str) -> Callable[[Hook], Hook]:
    """Register ``run(message)`` for when a message of ``topic`` failed for good."""

    def decorator(run: Hook) -> Hook:
        delivery_hooks.register(DeliveryHook(topic, OutboxStatus.FAILED, run))
        return run

    return decorator


def _run_hooks(row: OutboxMessage, outcome: str) -> None:
    if row.topic:
        for hook in delivery_hooks.where(lambda h: h.topic == row.topic and h.outcome == outcome):
            hook.run(row)


class OutboxBackend(BaseEmailBackend):
    """The default mailer: queue instead of sending (see the module's docstring)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            queue(message)
        return len(email_messages)


def queue(message: EmailMessage) -> OutboxMessage:
    """Write ``message`` to the outbox (once per key) in the current transaction."""
    label: OutboxTag = getattr(message, "outbox_tag", None) or OutboxTag(uuid.uuid4().hex)
    return enqueue(
        OutboxMessage(
            workspace_id=label.workspace_id,
            key=label.key[:200],
            topic=label.topic,
            subject_id=label.subject_id,
            message_id=_message_id(label.key),
            summary=f"{message.subject} → {', '.join(message.to)}"[:200],
            payload=_serialise(message),
        )
    )


def enqueue(row: OutboxMessage) -> OutboxMessage:
    """Save ``row`` in the current transaction, once per key: a row queued already under the same
    key stands, so retries upstream never send a message twice."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # queued already under this key: the first one stands
        return OutboxMessage.objects.get(key=row.key)
    return row


# --- channels: who sends a row -----------------------------------------------------------------


class PermanentFailure(Exception):
    """Raised by a sender when retrying cannot help (the row is marked failed at once)."""


type Sender = Callable[[OutboxMessage], None]


@dataclass(frozen=True)
class Channel:
    """How rows of channel ``name`` are sent: ``send(row)`` returns once the other side accepted
    the message and raises otherwise (``PermanentFailure`` when retrying cannot help). It runs
    outside any transaction and must bound its own waits (timeouts)."""

    name: str
    send: Sender


channels: Registry[Channel] = Registry("outbox channels", module="channels")
"""``Channel``: a sender for one ``OutboxMessage.channel`` (owner: core.outbox)."""


def _send_mail(row: OutboxMessage) -> None:
    mailers[DELIVERY_MAILER].send_messages([_message(row)])


channels.register(Channel(OutboxChannel.MAIL, _send_mail))


def _sender(row: OutboxMessage) -> Sender:
    found = channels.where(lambda c: c.name == row.channel)
    if not found:
        raise PermanentFailure(f"no sender for the {row.channel!r} channel")
    return found[0].send


def _message_id(key: str) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


# --- (de)serialising a message ---------------------------------------------------------------


def _serialise(message: EmailMessage) -> dict[str, Any]:
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("the outbox stores attachments given as (filename, content, mimetype)")
        filename, content, mimetype = attachment
        raw = content.encode() if isinstance(content, str) else content
        attachments.append([filename, base64.b64encode(raw).decode(), mimetype])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def _message(row: OutboxMessage) -> EmailMultiAlternatives:
    data = row.payload
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers={**data["headers"], "Message-ID": row.message_id},
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


# --- delivery (the worker) ---------------------------------------------------------------------


def _due(now: dt.datetime) -> Q:
    """Waiting and due, or being sent by a worker that is gone (killed mid-send).

    Which workers are alive is read in the claiming query itself: a list taken at the start of
    a delivery round would mistake a worker that started since for a dead one, and send its
    message a second time.
    """
    alive = WorkerHeartbeat.objects.alive(now)
    waiting = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    sending = Q(status=OutboxStatus.SENDING)
    abandoned = sending & (Q(lease_until__lt=now) | ~Q(claimed_by__in=alive.values("worker_id")))
    return waiting | abandoned


def _claim(now: dt.datetime, worker_id: str) -> OutboxMessage | None:
    """Lease the next due message to this worker (skipping rows another worker holds)."""
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None
        row.status, row.claimed_by = OutboxStatus.SENDING, worker_id
        row.attempts += 1
        row.lease_until = now + dt.timedelta(seconds=lease_seconds())
        row.save(update_fields=["status", "claimed_by", "attempts", "lease_until"])
        return row


def deliver_due(*, worker_id: str = "", limit: int = 200) -> int:
    """Send up to ``limit`` due messages, one at a time; returns how many the server accepted.

    A message another live worker (fresh heartbeat) is sending is left alone until its lease
    ends; one claimed by a dead worker is sent again at once.
    """
    sent = 0
    for _ in range(limit):
        row = _claim(timezone.now(), worker_id)
        if row is None:
            break
        sent += _send(row)
    return sent


def _send(row: OutboxMessage) -> int:
    assert_no_write_transaction(f"sending a {row.channel} message")
    try:
        _sender(row)(row)
    except Exception as error:
        log.warning("%s %s not sent (attempt %s): %s", row.channel, row.pk, row.attempts, error)
        _failed(row, error)
        return 0
    _sent(row)
    return 1


@transaction.atomic
def _sent(row: OutboxMessage) -> None:
    row.status, row.sent_at, row.lease_until, row.last_error = (
        OutboxStatus.SENT,
        timezone.now(),
        None,
        "",
    )
    updated = OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
        status=row.status, sent_at=row.sent_at, lease_until=None, last_error=""
    )
    if updated:
        _run_hooks(row, OutboxStatus.SENT)


def _permanent(error: Exception) -> bool:
    """Every recipient refused with a 5xx code (or a sender said so): retrying cannot help."""
    if isinstance(error, PermanentFailure):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


@transaction.atomic
def _failed(row: OutboxMessage, error: Exception) -> None:
    give_up = row.attempts >= MAX_ATTEMPTS or _permanent(error)
    row.status = OutboxStatus.FAILED if give_up else OutboxStatus.PENDING
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    updated = OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
        status=row.status,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=_backoff(row.attempts)),
        lease_until=None,
        last_error=row.last_error,
    )
    if updated and give_up:
        _run_hooks(row, OutboxStatus.FAILED)


def send_again(message_id: int) -> bool:
    """Queue one message again whatever became of it (a webhook's "redeliver"): the same row, the
    same key and Message-ID, a fresh count of attempts. A row being sent is left alone."""
    updated = (
        OutboxMessage.objects.filter(pk=message_id)
        .exclude(status=OutboxStatus.SENDING)
        .update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            sent_at=None,
            last_error="",
        )
    )
    return bool(updated)


def retry_failed(message_ids: Sequence[int] | None = None) -> int:
    """Queue failed messages again (an owner's "retry"), with a fresh count of attempts."""
    rows = OutboxMessage.objects.filter(status=OutboxStatus.FAILED)
    if message_ids is not None:
        rows = rows.filter(pk__in=message_ids)
    return rows.update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
