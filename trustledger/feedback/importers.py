"""Survey answers from other tools' CSV exports: Delighted, Typeform, or any CSV with a mapping.

Same rules as every import (see ``trustledger.imports``): a bad row is reported by file, line and
column and the whole file is rejected; importing the same file again adds nothing. Each answer is
matched to a contact by e-mail (else to a client by the ``client`` column), analysed by the
offline classifier like any answer, and opens a follow-up when it is a detractor or a complaint
answered within the last 30 days (older answers are history: they count, but nobody can still
get back to them "within two days").

Column names, compared case-insensitively with ``_`` read as a space:

- ``delighted``: Delighted's response export: ``Response ID``, ``Score``, ``Comment``, ``Email``,
  ``Name``, and the time as ``Response timestamp`` (also ``Date``, ``Created at``; ISO dates,
  ``2024-04-17 10:34:20 -0700`` or Unix seconds as the API gives ``created_at``).
- ``typeform``: Typeform's "Download responses" CSV: ``#`` (the response token), one column per
  question titled with the question, hidden fields by their name (``email``), ``Submit Date
  (UTC)``. The score is the question mentioning "recommend" or "how likely", the comment the one
  asking "why" / for a "reason"; ``--mapping score=…,comment=…`` names them when they differ.
  Partial responses (no score) are skipped, not refused.
- ``responses-csv``: any CSV with ``email`` and/or ``client``, ``score``, and optionally
  ``comment``, ``date``, ``name``, ``id``; ``--mapping field=Column`` for other names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.core.claims import CLOCK_GRACE
from trustledger.feedback.models import ResponseSource, SurveyResponse
from trustledger.feedback.responses import COMMENT_MAX, NewResponse, record_responses
from trustledger.imports.csvreader import Column, CsvTable, mapped_columns, normalise, open_csv
from trustledger.imports.keys import OccurrenceCounter, content_digest, import_key
from trustledger.imports.parsing import parse_date
from trustledger.imports.registry import register
from trustledger.imports.result import ImportOptions, ImportResult
from trustledger.imports.rows import RowReader
from trustledger.workspaces.models import Workspace

BATCH_SIZE = 1000
UNIX_SECONDS = re.compile(r"\d{9,11}")
OFFSET_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\s*(Z|UTC|[+-]\d{2}:?\d{2})?"
)

DELIGHTED = {
    "id": ("response id", "id"),
    "score": ("score",),
    "comment": ("comment", "comments"),
    "email": ("email", "person email", "e-mail"),
    "name": ("name", "person name"),
    "date": ("response timestamp", "date", "created at", "responded at", "created"),
    "client": ("client", "company"),
}
TYPEFORM = {
    "id": ("#", "response id", "token"),
    "score": (),  # found by the question's wording, or named in the mapping
    "comment": (),
    "email": ("email", "e-mail", "email address", "work email", "your email"),
    "name": ("name", "full name", "your name"),
    "date": ("submit date (utc)", "submitted at", "submit date", "date submitted"),
    "client": ("client", "company", "company name", "organisation", "organization"),
}
GENERIC = {
    "id": ("id", "response id"),
    "score": ("score", "nps", "nps score", "rating"),
    "comment": ("comment", "comments", "feedback", "reason", "why"),
    "email": ("email", "e-mail", "email address", "contact email"),
    "name": ("name", "contact", "respondent"),
    "date": ("date", "answered at", "answered on", "submitted at", "response date", "created at"),
    "client": ("client", "client name", "company", "account"),
}
SCORE_WORDS = ("recommend", "how likely")
COMMENT_WORDS = ("why", "reason", "comment", "tell us more", "what could we")


# --- values ------------------------------------------------------------------------------------


def parse_score(text: str) -> int:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"{text} is not a score from 0 to 10.") from None
    if not value.is_integer() or not 0 <= value <= 10:
        raise ValueError(f"{text} is not a whole score from 0 to 10.")
    return int(value)


def parse_moment(text: str, date_format: str | None = None) -> dt.datetime:
    """When the answer was given: ISO date-times (with or without an offset; naive ones are UTC),
    ``2024-04-17 10:34:20 -0700``, Unix seconds, or a plain date (noon UTC). The future is
    refused: an instant after now (``CLOCK_GRACE`` aside), or a plain date more than a day
    ahead (today somewhere may be tomorrow in UTC)."""
    now = timezone.now()
    if UNIX_SECONDS.fullmatch(text):
        moment = dt.datetime.fromtimestamp(int(text), tz=dt.UTC)
        latest = now + CLOCK_GRACE
    elif m := OFFSET_TIME.fullmatch(text.strip()):
        zone = (m[3] or "+00:00").replace("Z", "+00:00").replace("UTC", "+00:00")
        if ":" not in zone:
            zone = zone[:3] + ":" + zone[3:]
        try:
            moment = dt.datetime.fromisoformat(f"{m[1]}T{m[2]}{zone}")
        except ValueError:
            raise ValueError(f"{text} is not a valid date and time.") from None
        latest = now + CLOCK_GRACE
    else:
        day = parse_date(text, date_format)
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        latest = now + dt.timedelta(days=1)  # today is somewhere's tomorrow
    if moment > latest:
        raise ValueError(f"{text} is in the future.")
    if moment.year < 1990:
        raise ValueError(f"{text} is not a plausible date.")
    return moment


# --- finding who answered ----------------------------------------------------------------------


class Directory:
    """The workspace's contacts by e-mail and clients by name or external id."""

    def __init__(self, workspace: Workspace) -> None:
        self.contacts = {
            c.email.lower(): c
            for c in Contact.objects.for_workspace(workspace).select_related("client")
        }
        clients = list(Client.objects.for_workspace(workspace))
        self.clients = {c.name.lower(): c for c in clients}
        self.clients.update({c.external_id.lower(): c for c in clients if c.external_id})

    def find(self, email: str, client: str) -> tuple[Contact | None, Client | None]:
        contact = self.contacts.get(email.lower()) if email else None
        if contact is not None:
            return contact, contact.client
        return None, self.clients.get(client.lower()) if client else None


# --- reading a file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    kind: str
    source: str
    columns: Mapping[str, tuple[str, ...]]
    skip_without_score: bool = False


def _by_wording(table: CsvTable, words: tuple[str, ...], taken: set[int]) -> Column | None:
    for index, header in enumerate(table.header):
        name = normalise(header)
        if index not in taken and any(word in name for word in words):
            return Column(index, header)
    return None


def _columns(table: CsvTable, fmt: Format, options: ImportOptions) -> dict[str, Column]:
    wanted = mapped_columns(fmt.columns, options.mapping, table.errors)
    found = {field: table.column(*names) for field, names in wanted.items() if names}
    if fmt.kind == "typeform":
        taken = {c.index for c in found.values() if c}
        found["score"] = found.get("score") or _by_wording(table, SCORE_WORDS, taken)
        taken |= {c.index for c in found.values() if c}
        found["comment"] = found.get("comment") or _by_wording(table, COMMENT_WORDS, taken)
    columns = {field: column for field, column in found.items() if column is not None}
    if "score" not in columns:
        hint = (
            'no question mentions "recommend" or "how likely": name the score column with '
            "--mapping score=COLUMN"
            if fmt.kind == "typeform"
            else f"missing column {wanted['score'][0]}"
        )
        raise table.errors.fail(1, None, f"{hint} (the header has: {', '.join(table.header)}).")
    if "email" not in columns and "client" not in columns:
        raise table.errors.fail(
            1, None, "missing column email (or client): each answer must say who gave it."
        )
    return columns


class Loader:
    """Turns good rows into answers: skips those already imported, batches the rest."""

    def __init__(self, workspace: Workspace, fmt: Format, options: ImportOptions) -> None:
        self.workspace, self.fmt, self.options = workspace, fmt, options
        self.directory = Directory(workspace)
        self.occurrences = OccurrenceCounter()
        self.keys_in_file: set[str] = set()
        self.pending: list[NewResponse] = []
        self.result = ImportResult(fmt.kind, "", noun="responses")
        self.follow_ups = 0

    def key(self, ident: str, content: str) -> str:
        """A source's own response id when it has one, else the row's content and occurrence."""
        if ident:
            return import_key(content_digest(f"{self.fmt.kind}|id|{ident}"), 0)
        digest = content_digest(f"{self.fmt.kind}|row|{content}")
        return import_key(digest, self.occurrences.number([digest])[0])

    def read(self, r: RowReader, c: dict[str, Column]) -> None:
        date_format = self.options.mapping.get("date_format")
        if self.fmt.skip_without_score and not r.text(c["score"]):
            self.result.skipped_empty += 1
            return
        score = r.required(c["score"], parse_score)
        comment = r.text(c.get("comment"), limit=COMMENT_MAX)
        email = r.text(c.get("email"), limit=254)
        client_name = r.text(c.get("client"), limit=200)
        name = r.text(c.get("name"), limit=200)
        moment = r.value(
            c.get("date"),
            lambda t: parse_moment(t, date_format),
            timezone.now().replace(microsecond=0),
        )
        contact, client = self.directory.find(email, client_name)
        if client is None:
            self._unknown(r, c, email, client_name)
        ident = r.text(c.get("id"), limit=200)
        if not r.ok or score is None or client is None:
            return
        key = self.key(ident, f"{email.lower()}|{client.pk}|{moment.isoformat()}|{score}|{comment}")
        if key in self.keys_in_file:
            self.result.skipped_duplicates += 1
            return
        self.keys_in_file.add(key)
        self.pending.append(
            NewResponse(
                client=client,
                score=score,
                # a plain date of today stands at noon UTC: it was answered by now at the latest
                answered_at=min(moment, timezone.now()),
                comment=comment,
                contact=contact,
                respondent=(contact.name if contact else name or email)[:254],
                source=self.fmt.source,
                import_key=key,
            )
        )

    @staticmethod
    def _unknown(r: RowReader, c: dict[str, Column], email: str, client_name: str) -> None:
        if email:
            also = f", and no client is called {client_name}" if client_name else ""
            r.error(c.get("email"), f"no contact of this workspace has the e-mail {email}{also}.")
        elif client_name:
            r.error(c.get("client"), f"no client is called {client_name}.")
        else:
            r.error(c.get("email") or c.get("client"), "a value is required: who answered?")

    def flush(self) -> None:
        if not self.pending:
            return
        keys = [p.import_key for p in self.pending]
        seen = set(
            SurveyResponse.objects.for_workspace(self.workspace)
            .filter(import_key__in=keys)
            .values_list("import_key", flat=True)
        )
        new = [p for p in self.pending if p.import_key not in seen]
        self.result.skipped_duplicates += len(self.pending) - len(new)
        created, follow_ups = record_responses(self.workspace, new, by=self.options.by, audit=False)
        self.result.created += len(created)
        self.follow_ups += len(follow_ups)
        self.pending.clear()


def _import(workspace: Workspace, path: Path, options: ImportOptions, fmt: Format) -> ImportResult:
    with open_csv(path, options.name) as table:
        loader = Loader(workspace, fmt, options)
        loader.result.file = table.name
        columns = _columns(table, fmt, options)
        reader = RowReader(table.errors)
        for line, cells in table.records():
            loader.result.rows += 1
            reader.start(line, cells)
            loader.read(reader, columns)
            if len(loader.pending) >= BATCH_SIZE and not table.errors:
                loader.flush()
        table.errors.raise_if_any()
    loader.flush()
    loader.result.details["follow_ups_opened"] = loader.follow_ups
    return loader.result


def _importer(fmt: Format) -> Callable[[Workspace, Path, ImportOptions], ImportResult]:
    def run(workspace: Workspace, path: Path, options: ImportOptions) -> ImportResult:
        return _import(workspace, path, options, fmt)

    return run


import_delighted = register(
    "delighted",
    label="Survey answers: Delighted export",
    takes_mapping=True,
    help="Delighted's CSV of responses (Response ID, Score, Comment, Email, Response timestamp).",
)(_importer(Format("delighted", ResponseSource.DELIGHTED, DELIGHTED)))

import_typeform = register(
    "typeform",
    label="Survey answers: Typeform export",
    takes_mapping=True,
    help="Typeform's responses CSV (#, the questions, an email hidden field, Submit Date (UTC)).",
)(_importer(Format("typeform", ResponseSource.TYPEFORM, TYPEFORM, skip_without_score=True)))

import_responses_csv = register(
    "responses-csv",
    label="Survey answers: any CSV (mapping optional)",
    takes_mapping=True,
    help="Columns email and/or client, score, comment, date, name, id.",
)(_importer(Format("responses-csv", ResponseSource.CSV, GENERIC)))

__all__ = ["import_delighted", "import_responses_csv", "import_typeform"]
