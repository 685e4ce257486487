"""``.eml`` files: one message each, as mail programs save or drag them out.

A single message that cannot be read rejects the file (there is nothing else in it to keep),
naming the header at fault.
"""

from __future__ import annotations

from pathlib import Path

from trustledger.communications.importers.mail import ImportReport, MailImport
from trustledger.communications.importers.mailparse import Unreadable, parse_mail
from trustledger.communications.models import Source
from trustledger.imports.errors import ErrorLog
from trustledger.imports.result import ImportOptions
from trustledger.workspaces.models import Workspace

MAX_BYTES = 50 * 1024 * 1024


def _header_line(raw: bytes, field: str | None) -> int | None:
    """The line of ``field``'s header (None when the message has no such header)."""
    if field is None:
        return 1
    prefix = field.lower().encode() + b":"
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            return None
        if line.lower().startswith(prefix):
            return number
    return None


def import_eml(workspace: Workspace, path: Path, options: ImportOptions) -> ImportReport:
    name = options.name or path.name
    errors = ErrorLog(name)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise errors.fail(None, None, "is larger than 50 MB: is it really one message?")
        raw = path.read_bytes()
    except OSError as error:
        raise errors.fail(None, None, f"cannot be read: {error.strerror}.") from None
    try:
        mail = parse_mail(raw)
    except Unreadable as problem:
        raise errors.fail(
            _header_line(raw, problem.field), problem.field, problem.message
        ) from None
    job = MailImport(workspace, options, kind=Source.EML)
    job.result.file = name
    job.add([mail])
    return job.finish()
