"""``.mbox`` files (Thunderbird, Apple Mail, Google Takeout, mutt): one file, many messages.

The file is streamed line by line: a message starts at a ``From `` line at the top of the file
or after a blank line (or one that looks like a ``From_`` envelope line: ``From addr date``);
``>From`` escapes (mboxo and mboxrd) are undone. A message that cannot be read is skipped and
reported with its number and line, not a reason to lose the rest of the mailbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from trustledger.communications.importers.mail import ImportReport, MailImport
from trustledger.communications.importers.mailparse import Mail, Unreadable, parse_mail
from trustledger.communications.models import Source
from trustledger.imports.errors import ErrorLog
from trustledger.imports.result import ImportOptions
from trustledger.workspaces.models import Workspace

BATCH = 2000
_ENVELOPE = re.compile(rb"^From \S+ .*\d{4}\s*$")
_ESCAPED = re.compile(rb"^>+From ")
_BLANK = (b"\n", b"\r\n")


def split_mbox(stream: BinaryIO, errors: ErrorLog) -> Iterator[tuple[int, bytes]]:
    """``(line of its From_ line, raw bytes)`` for each message of the mailbox."""
    start: int | None = None
    lines: list[bytes] = []
    previous_blank = True
    for number, line in enumerate(stream, start=1):
        if line.startswith(b"From ") and (previous_blank or _ENVELOPE.match(line)):
            if start is not None:
                yield start, b"".join(lines)
            start, lines, previous_blank = number, [], False
            continue
        if start is None:
            if line.strip():
                raise errors.fail(
                    number, None, "this is not an mbox file: it must start with a “From ” line."
                )
            continue
        lines.append(line[1:] if line[:1] == b">" and _ESCAPED.match(line) else line)
        previous_blank = line in _BLANK
    if start is None:
        raise errors.fail(None, None, "the mailbox has no messages.")
    yield start, b"".join(lines)


def import_mbox(
    workspace: Workspace, path: Path, options: ImportOptions, *, batch: int = BATCH
) -> ImportReport:
    name = options.name or path.name
    errors = ErrorLog(name)
    job = MailImport(workspace, options, kind=Source.MBOX)
    job.result.file = name
    try:
        stream = path.open("rb")
    except OSError as error:
        raise errors.fail(None, None, f"cannot be read: {error.strerror}.") from None
    with stream:
        mails: list[Mail] = []
        for index, (line, raw) in enumerate(split_mbox(stream, errors), start=1):
            try:
                mails.append(parse_mail(raw))
            except Unreadable as problem:
                where = f"message {index} (line {line}" + (
                    f", field {problem.field})" if problem.field else ")"
                )
                job.skip_unreadable(where, problem.message)
                continue
            if len(mails) >= batch:
                job.add(mails)
                mails = []
        job.add(mails)
    return job.finish()
