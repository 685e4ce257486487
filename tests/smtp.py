"""Mail in tests: the outbox, and a real SMTP server on 127.0.0.1 (the ``smtp_server`` fixture).

Every test's mail goes through the real outbox (``mail_through_outbox``, autouse); the worker's
delivery step (``deliver_mail``) hands it to Django's in-memory ``mail.outbox``, or to the SMTP
server when a test asks for one.
"""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator, Sequence
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import EmailMessage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """What a test sees of the server: reading ``messages`` first delivers the outbox from this
    process (what the worker would do); tests with a worker of their own read ``received``."""

    def __init__(self, collector: Collector, port: int) -> None:
        self.collector = collector
        self.port = port

    @property
    def received(self) -> list[tuple[list[str], Message]]:
        return self.collector.received

    @property
    def messages(self) -> list[tuple[list[str], Message]]:
        deliver_mail()
        return self.collector.received


def deliver_mail() -> int:
    """What the worker does after commit: send every due outbox message."""
    from trustledger.core.outbox import deliver_due

    return deliver_due()


def delivered() -> list[EmailMessage]:
    """The messages delivered so far, once the worker has sent what is due (``mail.outbox``)."""
    deliver_mail()
    return list(mail.outbox)


class DeliveredMail(Sequence[EmailMessage]):
    """``mailoutbox`` as the worker would leave it: every access first delivers what is due."""

    def _messages(self) -> list[EmailMessage]:
        return delivered()

    def __getitem__(self, index: Any) -> Any:
        return self._messages()[index]

    def __len__(self) -> int:
        return len(self._messages())

    def __eq__(self, other: object) -> bool:
        return self._messages() == other

    def __repr__(self) -> str:
        return repr(self._messages())


@pytest.fixture
def mailoutbox(mail_through_outbox: None) -> DeliveredMail:
    """Overrides pytest-django's: the mail the worker delivered, delivering what is due first."""
    return DeliveredMail()


@pytest.fixture(autouse=True)
def mail_through_outbox(settings: Any) -> None:
    """As in production: mail is queued in the outbox, then delivered (here, to mail.outbox)."""
    settings.MAILERS = {
        "default": {"BACKEND": "trustledger.core.outbox.OutboxBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 for this test; Django's mail goes to it over TCP."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {"BACKEND": "trustledger.core.outbox.OutboxBackend"},
        "delivery": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        },
    }
    yield SmtpServer(collector, controller.port)
    controller.stop()


def text_part(message: Message) -> str:
    """The plain-text body of a received message."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")
