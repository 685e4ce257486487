"""Mailbox import benchmark (make bench): a generated .mbox of 100,000 messages, streamed in.

Prints messages per second and the process's peak resident memory; figures go to
docs/benchmarks.md under "Mailbox import (issue 4)". Target: under 60 seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import time
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import ClientFactory, ContactFactory, MembershipFactory, WorkspaceFactory
from trustledger.communications.models import Inquiry, Interaction
from trustledger.imports.result import ImportOptions
from trustledger.imports.services import run_import

MESSAGES = int(os.environ.get("BENCH_MBOX_MESSAGES", 100_000))
LIMIT_SECONDS = float(os.environ.get("BENCH_MBOX_SECONDS", 60))
CLIENTS = 50
START = dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC)
BODY = (
    "Thanks for the update on the rollout. We went through the figures with our finance team "
    "and most of it matches our own numbers.\n" * 6
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _message(
    sender: str,
    to: str,
    subject: str,
    when: dt.datetime,
    mid: str,
    body: str,
    reply_to: str = "",
    extra: str = "",
) -> str:
    refs = f"In-Reply-To: <{reply_to}>\nReferences: <{reply_to}>\n" if reply_to else ""
    return (
        f"From {sender} {when:%a %b %d %H:%M:%S %Y}\n"
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {format_datetime(when)}\n"
        f"Message-ID: <{mid}>\n{refs}{extra}MIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    )


def write_mailbox(path: Path, count: int, contacts: list[str]) -> None:
    """Threads of question, answer and thanks, with auto-replies, list mail and internal notes."""
    rng = random.Random(4)
    written, thread = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < count:
            thread += 1
            who = rng.choice(contacts)
            asked = START + dt.timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
            answered = asked + dt.timedelta(hours=rng.uniform(0.2, 40))
            q, a = f"q{thread}@client.example", f"a{thread}@firm.example"
            parts = [
                _message(
                    who,
                    "amir@firm.example",
                    f"Question {thread}",
                    asked,
                    q,
                    f"Could you send the report for batch {thread}?\n\n{BODY}",
                ),
                _message(
                    "amir@firm.example",
                    who,
                    f"Re: Question {thread}",
                    answered,
                    a,
                    f"Here it is.\n\nOn Monday, {who} wrote:\n> Could you send it?\n{BODY}",
                    q,
                ),
                _message(
                    who,
                    "amir@firm.example",
                    f"Re: Question {thread}",
                    answered + dt.timedelta(hours=2),
                    f"t{thread}@client.example",
                    f"Thanks, received.\n{BODY}",
                    a,
                ),
            ]
            if thread % 20 == 0:
                parts.append(
                    _message(
                        who,
                        "amir@firm.example",
                        "Automatic reply: out of office",
                        asked,
                        f"o{thread}@client.example",
                        "Away.",
                        extra="Auto-Submitted: auto-replied\n",
                    )
                )
            if thread % 50 == 0:
                parts.append(
                    _message(
                        "news@client0.example",
                        "amir@firm.example",
                        "Newsletter",
                        asked,
                        f"n{thread}@client.example",
                        BODY,
                        extra="List-Id: <news.client0.example>\n",
                    )
                )
            for part in parts[: count - written]:
                out.write(part)
                out.write("\n")
                written += 1


@pytest.fixture
def mailbox_firm(request, db, tmp_path):
    workspace = WorkspaceFactory(name="Bench Mail Firm")
    amir = MembershipFactory(workspace=workspace, user__email="amir@firm.example").user
    contacts = []
    for n in range(CLIENTS):
        client = ClientFactory(workspace=workspace, name=f"Mail client {n}")
        for k in range(2):
            email = f"person{k}@client{n}.example"
            ContactFactory(client=client, email=email)
            contacts.append(email)
    path = tmp_path / "bench.mbox"
    started = time.perf_counter()
    write_mailbox(path, MESSAGES, contacts)
    size = path.stat().st_size / 2**20
    print(
        f"\nBENCH generate mbox: {MESSAGES:,} messages, {size:.0f} MB in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return workspace, amir, path


@pytest.mark.bench
def test_importing_a_100k_message_mailbox(mailbox_firm):
    workspace, amir, path = mailbox_firm
    import trustledger.communications.importers  # noqa: F401  (registers the kinds)

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    result = run_import(workspace, "mbox", path, ImportOptions(name=path.name, by=amir))
    seconds = time.perf_counter() - started
    rss_after = peak_rss_mb()

    print(
        f"\nBENCH [{connection.vendor}] mbox import: {result.rows:,} messages in {seconds:.1f} s "
        f"= {result.rows / seconds:,.0f} messages/s; peak RSS {rss_after:.0f} MB "
        f"(before the import {rss_before:.0f} MB)\n  {result.summary()}",
        flush=True,
    )
    assert result.rows == MESSAGES
    assert result.details["auto_replies_ignored"] > 0
    assert Interaction.objects.filter(workspace=workspace).count() == result.created
    assert Inquiry.objects.filter(workspace=workspace).count() == result.details["inquiries_opened"]
    assert seconds < LIMIT_SECONDS

    again = time.perf_counter()
    second = run_import(workspace, "mbox", path, ImportOptions(name=path.name))
    print(
        f"BENCH [{connection.vendor}] mbox re-import: {time.perf_counter() - again:.1f} s, "
        f"{second.created} created, {second.skipped_duplicates:,} already imported",
        flush=True,
    )
    assert second.created == 0
