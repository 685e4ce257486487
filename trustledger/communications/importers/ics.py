"""``.ics`` calendar files: meetings with client contacts become interactions.

Recurring series are expanded (``recurring-ical-events``) from the first event in the file up to
now; a moved or retitled occurrence (``RECURRENCE-ID``) replaces the one it moves, and cancelled
occurrences (``STATUS:CANCELLED`` on the series or on one occurrence, ``EXDATE``) are left out,
as are meetings every client attendee declined. A meeting is a check-in, business review, budget
update… by the words of its title (see ``kinds``). An occurrence is recognised on re-import by
its UID and RECURRENCE-ID. A file that does not parse, or an event without a UID or a readable
DTSTART, rejects the whole file with its line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events
from django.utils import timezone

from trustledger.communications.importers.directory import Directory, Party
from trustledger.communications.importers.kinds import meeting_channel, meeting_kind
from trustledger.communications.importers.mail import (
    INTERACTION_COLUMNS,
    ImportReport,
    by_source_key,
    prepared,
)
from trustledger.communications.models import Direction, Interaction, Source
from trustledger.imports.bulk import insert_rows
from trustledger.imports.errors import ErrorLog
from trustledger.imports.result import ImportOptions
from trustledger.workspaces.models import Workspace

MAX_BYTES = 100 * 1024 * 1024
MAX_OCCURRENCES = 200_000
BATCH = 2000
_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")


class _TooMany(Exception):
    """The series expand to more meetings than a calendar of one firm can mean."""


@dataclass(frozen=True, slots=True)
class _EventLine:
    line: int
    uid: str


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the number of their first physical line."""
    start, parts = 0, list[str]()
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and parts:
            parts.append(line[1:])
            continue
        if parts:
            yield start, "".join(parts)
        start, parts = number, ([line] if line.strip() else [])
    if parts:
        yield start, "".join(parts)


def _scan(text: str, errors: ErrorLog) -> list[_EventLine]:
    """Check the file's structure line by line; the start line and UID of every VEVENT."""
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise errors.fail(
            1, None, "this is not an iCalendar file: it must begin with BEGIN:VCALENDAR."
        )
    stack: list[tuple[str, int]] = []
    events: list[_EventLine] = []
    uid = ""
    for number, line in _logical_lines(text):
        if not _CONTENT_LINE.match(line):
            raise errors.fail(number, None, f"“{line[:60]}” is not an iCalendar line.")
        name, _, value = line.partition(":")
        name = name.split(";")[0].upper()
        if name == "BEGIN":
            stack.append((value.strip().upper(), number))
            uid = ""
        elif name == "END":
            if not stack or stack[-1][0] != value.strip().upper():
                raise errors.fail(number, None, f"END:{value.strip()} does not close anything.")
            kind, start = stack.pop()
            if kind == "VEVENT":
                events.append(_EventLine(start, uid))
        elif name == "UID" and stack and stack[-1][0] == "VEVENT":
            uid = value.strip()
    if stack:
        raise errors.fail(stack[-1][1], None, f"BEGIN:{stack[-1][0]} is never closed.")
    return events


def _check_events(calendar: Any, lines: list[_EventLine], errors: ErrorLog) -> None:
    for event, where in zip(calendar.walk("VEVENT"), lines, strict=True):
        if not str(event.get("UID", "")).strip():
            errors.add(where.line, "UID", "the event has no UID.")
        if event.get("DTSTART") is None:
            errors.add(where.line, "DTSTART", "the event has no start (DTSTART).")
        for name, message in getattr(event, "errors", []):
            errors.add(where.line, name, f"cannot be read: {message}.")
    errors.raise_if_any()


def _moment(value: Any, zone: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return dt.datetime.combine(value, dt.time.min, tzinfo=zone)  # an all-day event


def _key(uid: str, recurrence: Any, zone: Any) -> str:
    instance = _moment(recurrence.dt, zone).astimezone(dt.UTC).isoformat() if recurrence else ""
    key = f"ics:{uid}|{instance}"
    return key if len(key) <= 240 else "ics:sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _addresses(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _email(address: Any) -> str:
    text = str(address).strip()
    return text[7:].lower() if text.lower().startswith("mailto:") else text.lower()


class _Calendar:
    def __init__(self, workspace: Workspace, options: ImportOptions, name: str) -> None:
        self.workspace = workspace
        self.directory = Directory(workspace)
        self.zone = self.directory.calendar.zone
        self.by = options.by.pk if options.by is not None else None
        self.result = ImportReport(kind=Source.ICS, file=name, noun="meetings")
        self.attendees: dict[str, tuple[list[Any], Any]] = {}

    def count(self, detail: str) -> None:
        self.result.details[detail] = self.result.details.get(detail, 0) + 1

    def remember_series(self, calendar: Any) -> None:
        """Each series' attendees, for moved occurrences that do not repeat them."""
        for event in calendar.walk("VEVENT"):
            if event.get("RECURRENCE-ID") is None:
                uid = str(event.get("UID"))
                self.attendees[uid] = (_addresses(event.get("ATTENDEE")), event.get("ORGANIZER"))

    def occurrences(self, calendar: Any) -> Iterator[Any]:
        starts = [_moment(e.get("DTSTART").dt, self.zone) for e in calendar.walk("VEVENT")]
        if not starts:
            return
        first = min(starts) - dt.timedelta(days=1)
        query = recurring_ical_events.of(calendar)
        yield from query.between(first.astimezone(dt.UTC), timezone.now())

    def rows(self, occurrences: Iterable[Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
        for count, event in enumerate(occurrences, start=1):
            if count > MAX_OCCURRENCES:
                raise _TooMany
            self.result.rows += 1
            row = self._row(event)
            if row is not None:
                yield row

    def _row(self, event: Any) -> tuple[str, tuple[Any, ...]] | None:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            self.count("cancelled_skipped")
            return None
        uid = str(event.get("UID"))
        attendees, organizer = _addresses(event.get("ATTENDEE")), event.get("ORGANIZER")
        if not attendees and organizer is None:
            attendees, organizer = self.attendees.get(uid, ([], None))
        party, contact_declined, emails = self._client(attendees, organizer)
        if party is None:
            self.count("without_client_skipped" if not contact_declined else "declined_skipped")
            return None
        title = str(event.get("SUMMARY", "")).strip() or "(untitled meeting)"
        start = _moment(event.get("DTSTART").dt, self.zone)
        end = event.get("DTEND")
        minutes = None
        if end is not None and isinstance(event.get("DTSTART").dt, dt.datetime):
            minutes = max(0, int((_moment(end.dt, self.zone) - start).total_seconds() // 60))
        person = self.directory.person(_email(organizer)) if organizer is not None else None
        person = person or next(
            (self.directory.person(e) for e in emails if self.directory.person(e)), None
        )
        when = prepared(Interaction, "occurred_at", start)
        key = _key(uid, event.get("RECURRENCE-ID"), self.zone)
        return key, (
            self.workspace.pk,
            party.client_id,
            Source.ICS,
            key,
            "",
            when,
            self.by,
            meeting_channel(title),
            Direction.TWO_WAY,
            meeting_kind(title),
            when,
            minutes,
            title[:300],
            str(event.get("DESCRIPTION", ""))[:1000].replace("\x00", ""),
            json.dumps(emails[:50]),
            party.contact_id,
            person,
        )

    def _client(self, attendees: list[Any], organizer: Any) -> tuple[Party | None, bool, list[str]]:
        """The client party among the attendees (one who did not decline), whether every
        client attendee declined, and all the addresses."""
        everyone = [*attendees, *([organizer] if organizer is not None else [])]
        emails = list(dict.fromkeys(_email(a) for a in everyone))
        declined_only = False
        for address in everyone:
            email = _email(address)
            if self.directory.is_firm(email) and email not in self.directory.contacts:
                continue
            party = self.directory.client_party(email)
            if party is None:
                continue
            status = str(getattr(address, "params", {}).get("PARTSTAT", "")).upper()
            if status == "DECLINED":
                declined_only = True
                continue
            return party, False, emails
        return None, declined_only, emails

    def save(self, rows: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
        batch: list[tuple[str, tuple[Any, ...]]] = []
        seen: set[str] = set()
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._write(batch, seen)
                batch = []
        self._write(batch, seen)

    def _write(self, batch: list[tuple[str, tuple[Any, ...]]], seen: set[str]) -> None:
        keys = [key for key, _ in batch]
        seen.update(
            by_source_key(Interaction, self.workspace, keys).values_list("source_key", flat=True)
        )
        fresh = []
        for key, row in batch:
            if key in seen:
                self.result.skipped_duplicates += 1
                continue
            seen.add(key)
            fresh.append(row)
        insert_rows(Interaction, INTERACTION_COLUMNS, fresh)
        self.result.created += len(fresh)


def import_ics(workspace: Workspace, path: Path, options: ImportOptions) -> ImportReport:
    name = options.name or path.name
    errors = ErrorLog(name)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise errors.fail(None, None, "is larger than 100 MB.")
        raw = path.read_bytes()
    except OSError as error:
        raise errors.fail(None, None, f"cannot be read: {error.strerror}.") from None
    if b"\x00" in raw:
        raise errors.fail(None, None, "contains NUL bytes: this is not a text calendar file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise errors.fail(line, None, "is not UTF-8 text.") from None
    lines = _scan(text, errors)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise errors.fail(None, None, f"cannot be read as a calendar: {error}") from None
    _check_events(calendar, lines, errors)
    job = _Calendar(workspace, options, name)
    job.remember_series(calendar)
    try:
        job.save(job.rows(job.occurrences(calendar)))
    except _TooMany:
        raise errors.fail(
            None, None, f"the recurring events expand to more than {MAX_OCCURRENCES:,} meetings."
        ) from None
    except (ValueError, KeyError, TypeError) as error:  # a rule the library cannot expand
        raise errors.fail(None, "RRULE", f"a recurrence cannot be expanded: {error}") from None
    return job.result
