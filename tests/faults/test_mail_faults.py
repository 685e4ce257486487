"""Mail survives faults: a worker killed mid-campaign, a mail server that refuses then returns.

Real components: `trustledger worker` processes, a real SMTP server (aiosmtpd on 127.0.0.1),
and the installation's own database. A message counts as delivered when the server accepted it:
aiosmtpd drops a message whose client vanished before the server answered (the handler is
cancelled), as a server that takes responsibility only with its "250" does.
"""

from __future__ import annotations

import asyncio
import email
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.faults.harness import Installation, free_port, wait_until

pytestmark = pytest.mark.faults


class SlowServer:
    """An SMTP server that takes ``delay`` seconds over each message, and can refuse for a while
    ("451 try again later") or stop listening altogether."""

    def __init__(self, port: int, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay
        self.stall_at: int | None = None  # this message (0-based) takes 5 s: time to kill
        self.refusing = False
        self.messages: list[Message] = []
        self.in_data = threading.Event()
        self.refusals = 0
        self.controller: Controller | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refusing:
            self.refusals += 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.in_data.set()
        stall = len(self.messages) == self.stall_at
        if stall:
            self.stall_at = None  # once
        try:
            await asyncio.sleep(5 if stall else self.delay)  # cancelled if the client goes away
        finally:
            self.in_data.clear()
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def recipients(self) -> Counter[str]:
        return Counter(m["To"].split("<")[-1].rstrip(">") for m in self.messages)

    def message_ids(self) -> Counter[str]:
        return Counter(m["Message-ID"] for m in self.messages)


@pytest.fixture
def smtp() -> Iterator[SlowServer]:
    server = SlowServer(free_port())
    yield server
    server.stop()


@pytest.fixture
def site(site: Installation, smtp: SlowServer) -> Installation:
    site.env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port))
    return site


def test_a_worker_killed_mid_campaign_loses_no_invitation_and_sends_none_twice(site, smtp):
    smtp.delay, smtp.stall_at = 0.05, 30
    smtp.start()
    site.call("tests.faults.scenarios:firm", 100)
    assert site.call("tests.faults.scenarios:launch_campaign") == 100

    worker = site.start_worker("worker-1")
    wait_until(
        lambda: len(smtp.messages) >= 30 and smtp.in_data.is_set(),
        timeout=90,
        what="the 31st invitation in flight",
    )
    site.kill(worker, signal.SIGKILL)  # mid-send: the server never says 250 for this one
    assert len(smtp.messages) == 30
    assert site.task_counts().get("RUNNING", 0) <= 1  # the kill may also leave a task behind

    site.start_worker("worker-2")
    wait_until(lambda: len(smtp.messages) >= 100, timeout=120, what="every invitation")
    wait_until(
        lambda: site.task_counts().keys() <= {"SUCCESSFUL"}, timeout=30, what="every task finished"
    )

    assert len(smtp.messages) == 100
    assert set(smtp.recipients().values()) == {1}  # every contact, exactly once
    assert len(smtp.recipients()) == 100
    assert set(smtp.message_ids().values()) == {1}
    assert site.outbox_counts() == {"sent": 100}
    sent = site.value("SELECT COUNT(*) FROM feedback_surveyinvitation WHERE sent_at IS NOT NULL")
    assert sent == 100


def test_mail_the_server_refuses_goes_out_once_it_comes_back_and_none_twice(site, smtp):
    site.call("tests.faults.scenarios:firm", 1)
    keys = site.call("tests.faults.scenarios:queue_mail", 20)
    site.start_worker()

    # 1. nobody listens on the port: connection refused
    wait_until(
        lambda: site.value("SELECT MIN(attempts) FROM core_outboxmessage") >= 1,
        timeout=30,
        what="a first attempt at every message",
    )
    # 2. the server is back but answers "try again later"
    smtp.refusing = True
    smtp.start()
    wait_until(lambda: smtp.refusals >= 5, timeout=30, what="refusals")
    # 3. it accepts again
    smtp.refusing = False
    wait_until(lambda: len(smtp.messages) >= 20, timeout=60, what="every message")
    wait_until(lambda: site.outbox_counts() == {"sent": 20}, timeout=15, what="all marked sent")

    assert len(smtp.messages) == 20
    assert set(smtp.message_ids().values()) == {1}
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == sorted(f"Message {n}" for n in range(len(keys)))
    errors = [e for (e,) in site.query("SELECT last_error FROM core_outboxmessage")]
    assert errors == [""] * 20  # cleared once sent
