"""Reading one e-mail with the standard library: who, when, which thread, what it says.

Only what the measures need is kept: addresses, the date, the thread references, the subject,
and the message's own text (quoted replies, forwarded copies and signatures cut off).

Speed matters for mailboxes of 100,000 messages, so the header block is parsed alone (the
``compat32`` policy, several times faster than the modern one) and a single-part body is
decoded directly; only multipart messages go through the full MIME parser.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import quopri
import re
from contextlib import suppress
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import parsedate_to_datetime

SUMMARY_LIMIT = 1000
MAX_KEY = 240
SCAN_LIMIT = 20_000  # characters of a body worth reading for the writer's own words

_PARSER = BytesParser(policy=compat32)
_ANGLE = re.compile(r"<([^<>\s]+)>")
# Addresses as mail programs write them (quoted local parts, the rare exception, are missed).
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|tr|sv|vs|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|wg|tr)\s*:", re.I)
_AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[ -]?(reply|response)|autoreply|"
    r"away from (the )?office|on (annual )?leave|abwesenheitsnotiz|r[ée]ponse automatique|"
    r"undeliverable|undelivered mail|delivery status notification|mail delivery failed|"
    r"returned mail)\b",
    re.I,
)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
_DAEMONS = ("mailer-daemon@", "postmaster@")
_BULK = frozenset({"bulk", "list", "junk"})
_WROTE = ("wrote:", "schrieb:", "a écrit :", "a écrit:", "escribió:", "scritto:")
_ATTRIBUTION = ("on ", "am ", "le ", "el ", "il ", "op ")
_COPY_FIRST = frozenset("-_BbFf")
_COPY_MARKERS = (
    "original message",
    "forwarded message",
    "begin forwarded message",
    "ursprüngliche nachricht",
    "message d'origine",
)
_URL = re.compile(r"(https?|mailto):\S+", re.I)
_TAG = re.compile(r"<[^>]*>")
_ASKS = re.compile(
    r"\b(could|can|would|will) (you|we)\b|\bplease (send|confirm|advise|let|check|review|"
    r"share|update|call|provide|clarify|explain|help|look|fix|reply|respond)\b|\blet (me|us) "
    r"know\b|\b(we|i) need\b|\bany (update|news)\b|\bis it possible\b|\bhow (do|can|should|"
    r"much|long)\b|\bwhen (will|can|do|does|is|are)\b|\burgent(ly)?\b"
)


class Unreadable(ValueError):
    """The message cannot be used: ``field`` says which header (or None for the whole)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Mail:
    key: str  # the import key: email:<Message-ID>, or a digest when there is none
    references: tuple[str, ...]  # In-Reply-To and References, as keys, nearest first
    root: str  # the first message of the thread, as far as the headers say
    sender: str
    recipients: tuple[str, ...]
    date: dt.datetime
    subject: str
    text: str
    ignored: str  # why the message is not a touch: "auto_reply", "list", or ""
    forwarded: bool
    asks: bool  # it asks something: a question or a request


def message_key(message_id: str) -> str:
    key = f"email:{message_id}"
    if len(key) > MAX_KEY:
        key = "email:sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    return key


def _clean(value: object) -> str:
    text = str(value)
    if "=?" in text:
        with suppress(ValueError, LookupError, UnicodeError):
            text = str(make_header(decode_header(text)))
    return " ".join(text.replace("\x00", "").split())


def _sender(value: str) -> str:
    """The address of a From header: the one in angle brackets, else the first one."""
    text = _clean(value)
    bracketed = _ANGLE.findall(text)
    found = _ADDRESS.findall(bracketed[-1] if bracketed else text)
    return found[0].lower() if found else ""


def _date(raw: str | None) -> dt.datetime:
    if raw is None:
        raise Unreadable("Date", "has no Date header.")
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise Unreadable("Date", f"the Date header {raw[:60]!r} is not a date.") from None
    if moment.tzinfo is None:  # "-0000": the zone is unknown; UTC is the convention
        moment = moment.replace(tzinfo=dt.UTC)
    if not 1990 <= moment.year <= 2100:
        raise Unreadable("Date", f"the Date header {raw[:60]!r} is not a plausible date.")
    return moment.astimezone(dt.UTC)


def _decode(payload: bytes, content_type: str) -> str:
    found = _CHARSET.search(content_type)
    charset = found[1] if found else "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _single_part(body: bytes, encoding: str, content_type: str) -> str:
    encoding = encoding.strip().lower()
    if encoding == "quoted-printable":
        body = quopri.decodestring(body)
    elif encoding == "base64":
        with suppress(binascii.Error, ValueError):
            body = base64.b64decode(body)
    text = _decode(body, content_type)
    return _TAG.sub(" ", text) if content_type.lower().startswith("text/html") else text


def _multipart_text(raw: bytes) -> str:
    """The first text/plain part (else the first text/html one, without its tags)."""
    message = _PARSER.parsebytes(raw)
    html: Message | None = None
    for part in message.walk():
        if part.is_multipart() or part.get_filename():
            continue
        kind = part.get_content_type()
        if kind == "text/plain" or (kind == "text/html" and html is None):
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            if kind == "text/plain":
                return _decode(payload, str(part.get("Content-Type", "")))
            html = part
    if html is None:
        return ""
    payload = html.get_payload(decode=True)
    text = _decode(payload, str(html.get("Content-Type", ""))) if isinstance(payload, bytes) else ""
    return _TAG.sub(" ", text)


def _is_copy_start(lines: list[str], i: int) -> bool:
    """Whether a quoted or forwarded copy of another message starts at line ``i``."""
    line = lines[i].strip()
    lower = line.lower()
    if lower.endswith(_WROTE) and (lower[:3] in _ATTRIBUTION or "@" in lower):
        return True
    if lower[:3] in _ATTRIBUTION and i + 1 < len(lines):
        return lines[i + 1].strip().lower().endswith(_WROTE)
    if lower.startswith(("---", "___")) and (
        len(lower.strip("-_ ")) == 0 or any(m in lower for m in _COPY_MARKERS)
    ):
        return len(lower) >= 10
    if lower.startswith("begin forwarded message"):
        return True
    if lower.startswith("from: "):
        following = [x.strip().lower() for x in lines[i + 1 : i + 5]]
        return any(x.startswith(("sent: ", "date: ", "gesendet: ")) for x in following)
    return False


def own_text(body: str) -> str:
    """The writer's own words: quoted lines, quoted or forwarded copies and signature removed."""
    lines = body[:SCAN_LIMIT].replace("\r\n", "\n").replace("\x00", "").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped[:1] == ">":
            continue
        if stripped == "--" or (_maybe_copy(stripped) and _is_copy_start(lines, i)):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _maybe_copy(stripped: str) -> bool:
    """A cheap first look: most lines cannot start a copy."""
    return (
        stripped.endswith(":")
        or stripped[:1] in _COPY_FIRST
        or stripped[:3].lower() in _ATTRIBUTION
    )


def asks_something(subject: str, text: str) -> bool:
    """A question mark or a request ("could you", "please send", "let me know"…)."""
    subject = _PREFIX.sub("", subject)
    if "?" in subject:
        return True
    if "?" in text and ("?" in _URL.sub(" ", text) if ":" in text else True):
        return True
    return bool(_ASKS.search(subject.lower()) or _ASKS.search(text.lower()))


def clean_subject(subject: str) -> str:
    return _PREFIX.sub("", subject).strip() or "(no subject)"


def _ignored(headers: dict[str, str], sender: str, subject: str) -> str:
    auto = headers.get("auto-submitted", "no").strip().lower()
    precedence = headers.get("precedence", "").strip().lower()
    if (
        auto != "no"
        or "x-autoreply" in headers
        or "x-autorespond" in headers
        or precedence == "auto_reply"
        or sender.startswith(_DAEMONS)
        or headers.get("content-type", "").lower().startswith("multipart/report")
        or _AUTO_SUBJECT.match(subject)
    ):
        return "auto_reply"
    if "list-id" in headers or "list-unsubscribe" in headers or precedence in _BULK:
        return "list"
    return ""


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """The header block and the body (a message with no blank line is all headers)."""
    found = [(i, n) for i, n in ((raw.find(b"\n\n"), 2), (raw.find(b"\r\n\r\n"), 4)) if i >= 0]
    if not found:
        return raw, b""
    at, width = min(found)
    return raw[: at + width // 2], raw[at + width :]


def _headers(head: bytes) -> dict[str, list[str]]:
    """Header name (lower case) → its values, folded lines unfolded. 8-bit bytes are read as
    UTF-8, which is what mail programs that send raw 8-bit headers use."""
    headers: dict[str, list[str]] = {}
    values: list[str] | None = None
    for line in head.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        if line[0] in " \t":
            if values:
                values[-1] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or " " in name.strip():
            values = None  # not a header line: skipped, as mail programs do
            continue
        values = headers.setdefault(name.strip().lower(), [])
        values.append(value.strip())
    return headers


def parse_mail(raw: bytes) -> Mail:
    """Read one message; ``Unreadable`` when it lacks what every message must have."""
    head, body = _split(raw)
    every = _headers(head)
    if not every:
        raise Unreadable(None, "is not an e-mail message (it has no headers).")
    headers = {name: values[0] for name, values in every.items()}
    sender = _sender(headers.get("from", ""))
    if not sender:
        raise Unreadable("From", "has no sender address.")
    date = _date(headers.get("date"))
    subject = _clean(headers.get("subject", ""))
    content_type = headers.get("content-type", "text/plain")
    if content_type.lower().startswith("multipart/"):
        text = own_text(_multipart_text(raw))
    else:
        encoding = headers.get("content-transfer-encoding", "")
        text = own_text(_single_part(body, encoding, content_type))
    own_id = _ANGLE.findall(headers.get("message-id", ""))
    in_reply_to = _ANGLE.findall(headers.get("in-reply-to", ""))
    references = _ANGLE.findall(" ".join(every.get("references", [])))
    if own_id:
        key = message_key(own_id[0])
    else:  # no Message-ID: a digest of what the message is, stable across re-imports
        digest = hashlib.sha256(f"{date}|{sender}|{subject}|{text[:500]}".encode()).hexdigest()
        key = f"email:digest:{digest}"
    nearest = list(dict.fromkeys(in_reply_to + references[::-1]))
    recipients = _ADDRESS.findall(" ".join(every.get("to", []) + every.get("cc", [])))
    return Mail(
        key=key,
        references=tuple(message_key(i) for i in nearest),
        root=message_key(references[0]) if references else "",
        sender=sender,
        recipients=tuple(dict.fromkeys(a.lower() for a in recipients)),
        date=date,
        subject=subject,
        text=text[:SUMMARY_LIMIT],
        ignored=_ignored(headers, sender, subject),
        forwarded=bool(_FORWARD_SUBJECT.match(subject)),
        asks=asks_something(subject, text),
    )
