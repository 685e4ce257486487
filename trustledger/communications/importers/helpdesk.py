"""Help-desk ticket exports (Zendesk, Freshdesk) as CSV, each ticket an inquiry.

Columns are the vendors' own: Zendesk's ticket export (``Id``, ``Requester email``, ``Created
at``, ``First reply time in minutes``, ``Solved at``…) and Freshdesk's (``Ticket ID``, ``Email``,
``Created time``, ``Initial response time``, ``First response time (in hrs)``, ``Resolved
time``…). A ticket belongs to the client of its requester (a contact's e-mail, else the client's
e-mail domain, else the organisation / company name); tickets of anyone else are counted and
skipped. Times without an offset are in the firm's time zone. The SLA is the firm's own for the
ticket's priority, counted in its business hours; a ticket solved without a reply counts as
answered when solved. A ticket is recognised on re-import by its id; any bad value rejects the
file, naming its line and column.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from trustledger.communications.importers.directory import Directory, Party, domain_of
from trustledger.communications.importers.mail import (
    INQUIRY_COLUMNS,
    by_source_key,
    prepared,
)
from trustledger.communications.models import Channel, Inquiry, Priority
from trustledger.imports.bulk import insert_rows
from trustledger.imports.csvreader import Column, CsvTable, open_csv
from trustledger.imports.parsing import parse_choice, parse_decimal, parse_hours
from trustledger.imports.result import ImportOptions, ImportResult
from trustledger.imports.rows import RowReader
from trustledger.workspaces.models import Workspace

BATCH = 2000
_OFFSET = re.compile(r"\s*(?:UTC|GMT|Z)?\s*([+-])(\d{2}):?(\d{2})$|\s*(UTC|GMT|Z)$", re.I)
PRIORITIES = {
    "low": Priority.LOW,
    "1": Priority.LOW,
    "normal": Priority.NORMAL,
    "medium": Priority.NORMAL,
    "2": Priority.NORMAL,
    "high": Priority.HIGH,
    "3": Priority.HIGH,
    "urgent": Priority.URGENT,
    "4": Priority.URGENT,
    "-": Priority.NORMAL,
}


def parse_moment(text: str, zone: Any) -> dt.datetime:
    """``2025-03-04 09:15``, ``2025-03-04 09:15:00 +0000``, ``2025-03-04T09:15:00Z``…"""
    offset = _OFFSET.search(text)
    base = text[: offset.start()] if offset else text
    try:
        moment = dt.datetime.fromisoformat(base.strip())
    except ValueError:
        raise ValueError(
            f"{text} is not a date and time (expected YYYY-MM-DD HH:MM[:SS], optionally with "
            "an offset such as +0100)."
        ) from None
    if offset and offset[1]:
        sign = 1 if offset[1] == "+" else -1
        delta = dt.timedelta(hours=int(offset[2]), minutes=int(offset[3]))
        moment = moment.replace(tzinfo=dt.timezone(sign * delta))
    elif offset:
        moment = moment.replace(tzinfo=dt.UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not 1990 <= moment.year <= 2100:
        raise ValueError(f"{text} is not a plausible date.")
    return moment.astimezone(dt.UTC)


def _ticket_id(text: str) -> str:
    if not re.fullmatch(r"#?[A-Za-z0-9_-]{1,64}", text):
        raise ValueError(f"{text} is not a ticket id.")
    return text.lstrip("#")


def _minutes(text: str) -> dt.timedelta:
    value = parse_decimal(text)
    if not value.is_finite() or not 0 <= value <= 10**7:
        raise ValueError(f"{text} is not a number of minutes.")
    return dt.timedelta(minutes=float(value))


def _hours(text: str) -> dt.timedelta:
    return dt.timedelta(hours=float(parse_hours(text)))


class Vendor:
    kind: str = ""
    label: str = ""
    columns: dict[str, tuple[str, ...]] = {}
    required: tuple[str, ...] = ()
    who: tuple[str, ...] = ()  # at least one of these says whose ticket it is

    def read(self, r: RowReader, c: dict[str, Column], zone: Any) -> dict[str, Any]:
        raise NotImplementedError


class Zendesk(Vendor):
    kind, label = "zendesk", "Zendesk"
    columns = {
        "id": ("Id", "Ticket ID"),
        "subject": ("Subject",),
        "created": ("Created at",),
        "email": ("Requester email",),
        "domain": ("Requester domain",),
        "organization": ("Organization",),
        "priority": ("Priority",),
        "solved": ("Solved at",),
        "first_reply": ("First reply time in minutes",),
    }
    required = ("id", "subject", "created")
    who = ("email", "domain", "organization")

    def read(self, r: RowReader, c: dict[str, Column], zone: Any) -> dict[str, Any]:
        created = r.required(c["created"], lambda t: parse_moment(t, zone))
        reply = r.value(c.get("first_reply"), _minutes, None)
        return {
            "created": created,
            "response": created + reply if created and reply is not None else None,
            "response_column": c.get("first_reply"),
            "resolved": r.value(c.get("solved"), lambda t: parse_moment(t, zone), None),
            "resolved_column": c.get("solved"),
            "email": r.text(c.get("email")).lower(),
            "domain": r.text(c.get("domain")).lower(),
            "organization": r.text(c.get("organization")),
        }


class Freshdesk(Vendor):
    kind, label = "freshdesk", "Freshdesk"
    columns = {
        "id": ("Ticket ID",),
        "subject": ("Subject",),
        "created": ("Created time",),
        "email": ("Email", "Requester Email", "Contact Email"),
        "organization": ("Company Name", "Company"),
        "priority": ("Priority",),
        "initial_response": ("Initial response time",),
        "first_response_hours": ("First response time (in hrs)",),
        "resolved": ("Resolved time",),
        "closed": ("Closed time",),
    }
    required = ("id", "subject", "created")
    who = ("email", "organization")

    def read(self, r: RowReader, c: dict[str, Column], zone: Any) -> dict[str, Any]:
        def moment(t: str) -> dt.datetime:
            return parse_moment(t, zone)

        created = r.required(c["created"], moment)
        response = r.value(c.get("initial_response"), moment, None)
        column = c.get("initial_response")
        if response is None and (hours := r.value(c.get("first_response_hours"), _hours, None)):
            response = created + hours if created else None
            column = c.get("first_response_hours")
        resolved = r.value(c.get("resolved"), moment, None)
        resolved_column = c.get("resolved")
        if resolved is None:
            resolved, resolved_column = r.value(c.get("closed"), moment, None), c.get("closed")
        return {
            "created": created,
            "response": response,
            "response_column": column,
            "resolved": resolved,
            "resolved_column": resolved_column,
            "email": r.text(c.get("email")).lower(),
            "domain": "",
            "organization": r.text(c.get("organization")),
        }


class _Tickets:
    def __init__(self, workspace: Workspace, vendor: Vendor, options: ImportOptions) -> None:
        self.workspace, self.vendor = workspace, vendor
        self.directory = Directory(workspace)
        self.by = options.by.pk if options.by is not None else None
        self.result = ImportResult(kind=vendor.kind, file="", noun="inquiries")
        self.batch: list[tuple[str, tuple[Any, ...]]] = []
        self.lines: dict[str, int] = {}

    def party(self, ticket: dict[str, Any]) -> Party | None:
        d = self.directory
        if ticket["email"] and (party := d.client_party(ticket["email"])):
            return party
        domain = ticket["domain"] or (domain_of(ticket["email"]) if ticket["email"] else "")
        if domain and (client_id := d.client_domains.get(domain)):
            return Party(client_id, None)
        if ticket["organization"] and (client_id := d.client_named(ticket["organization"])):
            return Party(client_id, None)
        return None

    def row(self, r: RowReader, c: dict[str, Column]) -> None:
        self.result.rows += 1
        zone = self.directory.calendar.zone
        ticket_id = r.required(c["id"], _ticket_id)
        subject = " ".join(r.text(c["subject"]).replace("\x00", "").split())[:300]
        priority = r.value(c.get("priority"), lambda t: parse_choice(t, PRIORITIES), "normal")
        ticket = self.vendor.read(r, c, zone)
        if ticket_id and ticket_id in self.lines:
            r.error(c["id"], f"ticket {ticket_id} is also on line {self.lines[ticket_id]}.")
        created = ticket["created"]
        for field, column, what in (
            ("response", ticket["response_column"], "first response"),
            ("resolved", ticket["resolved_column"], "resolution"),
        ):
            if created and ticket[field] is not None and ticket[field] < created:
                r.error(column, f"the {what} is before the ticket was created.")
        if not r.ok or ticket_id is None or created is None:
            return
        self.lines[ticket_id] = r.line
        party = self.party(ticket)
        if party is None:
            self.result.details["not_from_a_client_skipped"] = (
                self.result.details.get("not_from_a_client_skipped", 0) + 1
            )
            return
        response = ticket["response"] or ticket["resolved"]
        key = f"{self.vendor.kind}:{ticket_id}"
        self.batch.append(
            (key, self._values(key, party, subject, priority, created, response, ticket))
        )
        if len(self.batch) >= BATCH:
            self.flush()

    def _values(
        self,
        key: str,
        party: Party,
        subject: str,
        priority: str,
        created: dt.datetime,
        response: dt.datetime | None,
        ticket: dict[str, Any],
    ) -> tuple[Any, ...]:
        hours, due = self.directory.sla_due(party.client_id, Channel.TICKET, priority, created)
        received = prepared(Inquiry, "received_at", created)
        answered = prepared(Inquiry, "first_response_at", response) if response else None
        resolved = ticket["resolved"]
        return (
            self.workspace.pk,
            party.client_id,
            self.vendor.kind,
            key,
            "",
            received,
            self.by,
            party.contact_id,
            Channel.TICKET,
            priority,
            subject or "(no subject)",
            received,
            Decimal(hours),
            prepared(Inquiry, "sla_due", due),
            answered,
            None,
            answered,
            prepared(Inquiry, "resolved_at", resolved) if resolved else None,
            None,
        )

    def flush(self) -> None:
        keys = [key for key, _ in self.batch]
        known = set(
            by_source_key(Inquiry, self.workspace, keys).values_list("source_key", flat=True)
        )
        fresh = [values for key, values in self.batch if key not in known]
        self.result.skipped_duplicates += len(self.batch) - len(fresh)
        insert_rows(Inquiry, INQUIRY_COLUMNS, fresh)
        self.result.created += len(fresh)
        self.batch = []


def _import(
    vendor: Vendor, workspace: Workspace, path: Path, options: ImportOptions
) -> ImportResult:
    job = _Tickets(workspace, vendor, options)
    with open_csv(path, options.name or None) as table:
        job.result.file = table.name
        c = _columns(table, vendor)
        reader = RowReader(table.errors)
        for line, cells in table.records():
            reader.start(line, cells)
            job.row(reader, c)
            if job.batch and table.errors:
                job.batch = []  # the file will be refused: do not write more of it
        table.errors.raise_if_any()
        job.flush()
    return job.result


def _columns(table: CsvTable, vendor: Vendor) -> dict[str, Column]:
    c = table.require({f: vendor.columns[f] for f in vendor.required})
    for field, names in vendor.columns.items():
        if field not in c and (column := table.column(*names)):
            c[field] = column
    if not any(field in c for field in vendor.who):
        wanted = " or ".join(vendor.columns[f][0] for f in vendor.who)
        raise table.errors.fail(
            1, None, f"the export needs a column saying whose ticket it is: {wanted}."
        )
    return c


def import_zendesk(workspace: Workspace, path: Path, options: ImportOptions) -> ImportResult:
    return _import(Zendesk(), workspace, path, options)


def import_freshdesk(workspace: Workspace, path: Path, options: ImportOptions) -> ImportResult:
    return _import(Freshdesk(), workspace, path, options)
