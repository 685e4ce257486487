"""E-mail to interactions and inquiries, a batch of messages at a time (shared by mbox and eml).

Rules:
- every message between the firm and a client is an interaction (inbound from a client address,
  outbound from a firm address to one); messages among the firm's own people (an internal
  forward), with nobody of a client, auto-replies and mailing-list mail are counted and skipped;
- messages are threaded by Message-ID, In-Reply-To and References: a reply joins the thread of
  the message it answers, even one imported from an earlier file;
- an inbound message that asks something opens an inquiry, unless its thread already has an
  unanswered one; the first later message from the firm in the thread to the client answers it
  (even when the file lists the reply before the question, or the question came in an earlier
  import); its SLA is the client's e-mail SLA counted in the firm's business hours;
- re-importing creates nothing: a message is recognised by its Message-ID.

Memory grows with the number of threads (a few dates each), not with the size of the messages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from trustledger.communications.importers.directory import Directory
from trustledger.communications.importers.kinds import mail_kind
from trustledger.communications.importers.mailparse import Mail, clean_subject
from trustledger.communications.models import Channel, Direction, Inquiry, Interaction, Priority
from trustledger.imports.bulk import insert_rows
from trustledger.imports.result import ImportOptions, ImportResult
from trustledger.workspaces.models import Workspace

LOOKUP_CHUNK = 2000
MAX_PROBLEMS = 20

INTERACTION_COLUMNS = (
    "workspace_id",
    "client_id",
    "source",
    "source_key",
    "thread_key",
    "recorded_at",
    "recorded_by_id",
    "channel",
    "direction",
    "kind",
    "occurred_at",
    "duration_minutes",
    "subject",
    "summary",
    "participants",
    "contact_id",
    "person_id",
)
INQUIRY_COLUMNS = (
    "workspace_id",
    "client_id",
    "source",
    "source_key",
    "thread_key",
    "recorded_at",
    "recorded_by_id",
    "contact_id",
    "channel",
    "priority",
    "subject",
    "received_at",
    "sla_hours",
    "sla_due",
    "first_response_at",
    "first_response_by_id",
    "response_recorded_at",
    "resolved_at",
    "interaction_id",
)


@dataclass
class ImportReport(ImportResult):
    """Counts in the file's own unit (messages, meetings), and the first problems met (a
    skipped message, where it is and why)."""

    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def summary(self) -> str:
        text = super().summary().replace(" rows read", f" {self.noun} read", 1)
        if self.problems:
            text += " Skipped: " + " ".join(self.problems)
        return text


@dataclass(frozen=True, slots=True)
class Route:
    client_id: int
    contact_id: int | None
    direction: str
    person_id: int | None


@dataclass(slots=True)
class _Inquiry:
    client_id: int
    contact_id: int | None
    key: str
    thread: str
    subject: str
    received: dt.datetime
    hours: Decimal
    due: dt.datetime
    db_id: int | None = None
    response: dt.datetime | None = None
    responder: int | None = None


_FIELDS: dict[tuple[type[Any], str], Any] = {}


def prepared(model: type[Any], name: str, value: Any) -> Any:
    """``value`` as Django would send it to the database for ``model.name``."""
    field = _FIELDS.get((model, name))
    if field is None:
        field = _FIELDS[(model, name)] = model._meta.get_field(name)
    return field.get_db_prep_save(value, connection)


def by_source_key[M: Any](model: type[M], workspace: Workspace, keys: list[str]) -> QuerySet[M]:
    """Rows with these import keys; excluding "" lets the partial unique index serve it."""
    qs: QuerySet[M] = model.objects.filter(workspace=workspace, source_key__in=keys)
    return qs.exclude(source_key="").order_by()


class MailImport:
    def __init__(self, workspace: Workspace, options: ImportOptions, *, kind: str) -> None:
        self.workspace = workspace
        self.directory = Directory(workspace)
        self.by = options.by.pk if options.by is not None else None
        self.kind = kind
        self.result = ImportReport(kind=kind, file=options.name, noun="messages")
        self.threads: dict[str, tuple[str, int]] = {}  # message key → (thread, client)
        self.seen: set[str] = set()  # messages of this file, and those imported before
        self.open: defaultdict[str, list[_Inquiry]] = defaultdict(list)
        self.replies: defaultdict[str, list[tuple[dt.datetime, int | None]]] = defaultdict(list)
        self.loaded_threads: set[str] = set()
        self.interactions: list[tuple[Any, ...]] = []
        self.answered: list[_Inquiry] = []
        self.updates: list[_Inquiry] = []
        # The first mail import of a workspace needs no lookups of earlier ones (the rows it
        # writes itself are tracked in memory): most mailboxes are imported once.
        self.first_import = not (
            Interaction.objects.filter(workspace=workspace, channel=Channel.EMAIL)
            .exclude(source_key="")
            .exists()
        )

    def count(self, detail: str) -> None:
        self.result.details[detail] = self.result.details.get(detail, 0) + 1

    def skip_unreadable(self, where: str, why: str) -> None:
        self.result.rows += 1
        self.count("unreadable_skipped")
        self.result.problem(f"{where}: {why}")

    # reading

    def add(self, mails: Sequence[Mail]) -> None:
        """Import a batch: one query for what is already known, then in-memory routing."""
        self._load_known(mails)
        routed: list[tuple[Mail, Route, str]] = []
        for mail in mails:
            self.result.rows += 1
            if mail.key in self.seen:
                self.result.skipped_duplicates += 1
                continue
            self.seen.add(mail.key)
            if mail.ignored:
                self.count(
                    "auto_replies_ignored"
                    if mail.ignored == "auto_reply"
                    else "mailing_list_ignored"
                )
                continue
            route = self._route(mail)
            if route is None:
                self.count("internal_or_unrelated_skipped")
                continue
            thread = self._thread(mail)
            self.threads[mail.key] = (thread, route.client_id)
            routed.append((mail, route, thread))
        self._load_open({t for _, r, t in routed if r.direction == Direction.OUTBOUND})
        for mail, route, thread in routed:
            self._apply(mail, route, thread)
        self._flush()

    def _load_known(self, mails: Sequence[Mail]) -> None:
        if self.first_import:
            return
        wanted = {m.key for m in mails}
        for mail in mails:
            wanted.update(mail.references)
            if mail.root:
                wanted.add(mail.root)
        wanted -= self.seen
        wanted -= self.threads.keys()
        keys = sorted(wanted)
        for start in range(0, len(keys), LOOKUP_CHUNK):
            rows = by_source_key(
                Interaction, self.workspace, keys[start : start + LOOKUP_CHUNK]
            ).values_list("source_key", "thread_key", "client_id")
            for key, thread, client_id in rows:
                self.threads[key] = (thread or key, client_id)
                self.seen.add(key)

    def _route(self, mail: Mail) -> Route | None:
        d = self.directory
        contact = d.contacts.get(mail.sender)
        if contact is None and d.is_firm(mail.sender):
            return self._outbound(mail)
        party = contact or d.client_party(mail.sender)
        if party is None:
            return None
        firm = next((d.person(a) for a in mail.recipients if d.person(a)), None)
        return Route(party.client_id, party.contact_id, Direction.INBOUND, firm)

    def _outbound(self, mail: Mail) -> Route | None:
        d = self.directory
        person = d.person(mail.sender)
        outside = [a for a in mail.recipients if not d.is_firm(a)]
        for address in outside:
            if party := d.client_party(address):
                return Route(party.client_id, party.contact_id, Direction.OUTBOUND, person)
        if outside:  # e.g. a client's new colleague on a private address, in a known thread
            for ref in mail.references:
                if ref in self.threads:
                    return Route(self.threads[ref][1], None, Direction.OUTBOUND, person)
        return None

    def _thread(self, mail: Mail) -> str:
        for ref in mail.references:
            if ref in self.threads:
                return self.threads[ref][0]
        return mail.root or (mail.references[0] if mail.references else mail.key)

    def _load_open(self, threads: Iterable[str]) -> None:
        """Unanswered inquiries of earlier imports in the threads the firm writes in."""
        if self.first_import:
            return
        wanted = sorted(set(threads) - self.loaded_threads)
        self.loaded_threads.update(wanted)
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            rows = (
                Inquiry.objects.filter(
                    workspace=self.workspace,
                    thread_key__in=wanted[start : start + LOOKUP_CHUNK],
                    first_response_at__isnull=True,
                    resolved_at__isnull=True,
                )
                .order_by()
                .values_list(
                    "pk",
                    "client_id",
                    "contact_id",
                    "source_key",
                    "thread_key",
                    "subject",
                    "received_at",
                    "sla_hours",
                    "sla_due",
                )
            )
            for pk, client, contact, key, thread, subject, received, hours, due in rows:
                self.open[thread].append(
                    _Inquiry(client, contact, key, thread, subject, received, hours, due, pk)
                )

    # writing

    def _apply(self, mail: Mail, route: Route, thread: str) -> None:
        outbound = route.direction == Direction.OUTBOUND
        self.interactions.append(self._row(mail, route, thread, outbound))
        self.result.created += 1
        if outbound:
            self._answer(thread, mail.date, route.person_id)
        elif mail.asks and not self.open[thread]:
            self._open(mail, route, thread)

    def _row(self, mail: Mail, route: Route, thread: str, outbound: bool) -> tuple[Any, ...]:
        when = prepared(Interaction, "occurred_at", mail.date)
        participants = [mail.sender, *mail.recipients][:50]
        return (
            self.workspace.pk,
            route.client_id,
            self.kind,
            mail.key,
            thread[:255],
            when,
            self.by,
            Channel.EMAIL,
            route.direction,
            mail_kind(mail.subject, outbound=outbound),
            when,
            None,
            mail.subject[:300] or "(no subject)",
            mail.text,
            json.dumps(participants),
            route.contact_id,
            route.person_id,
        )

    def _open(self, mail: Mail, route: Route, thread: str) -> None:
        hours, due = self.directory.sla_due(
            route.client_id, Channel.EMAIL, Priority.NORMAL, mail.date
        )
        inquiry = _Inquiry(
            route.client_id,
            route.contact_id,
            mail.key,
            thread[:255],
            clean_subject(mail.subject)[:300],
            mail.date,
            hours,
            due,
        )
        self.count("inquiries_opened")
        reply = min((r for r in self.replies.get(thread, []) if r[0] >= mail.date), default=None)
        if reply is not None:  # the file listed the answer before the question
            inquiry.response, inquiry.responder = reply
            self.count("inquiries_answered")
            self.answered.append(inquiry)
        else:
            self.open[thread].append(inquiry)

    def _answer(self, thread: str, when: dt.datetime, person: int | None) -> None:
        self.replies[thread].append((when, person))
        waiting = self.open.get(thread)
        if not waiting:
            return
        still = []
        for inquiry in waiting:
            if inquiry.received > when:
                still.append(inquiry)
                continue
            inquiry.response, inquiry.responder = when, person
            self.count("inquiries_answered")
            (self.updates if inquiry.db_id else self.answered).append(inquiry)
        self.open[thread] = still

    def _flush(self) -> None:
        insert_rows(Interaction, INTERACTION_COLUMNS, self.interactions)
        self.interactions = []
        self._insert_inquiries(self.answered)
        self.answered = []
        for inquiry in self.updates:
            Inquiry.objects.filter(pk=inquiry.db_id or 0).update(
                first_response_at=inquiry.response,
                first_response_by_id=inquiry.responder,
                response_recorded_at=inquiry.response,
            )
        self.updates = []

    def _insert_inquiries(self, inquiries: Iterable[_Inquiry]) -> None:
        rows = []
        for q in inquiries:
            received = prepared(Inquiry, "received_at", q.received)
            response = prepared(Inquiry, "first_response_at", q.response) if q.response else None
            rows.append(
                (
                    self.workspace.pk,
                    q.client_id,
                    self.kind,
                    q.key,
                    q.thread,
                    received,
                    self.by,
                    q.contact_id,
                    Channel.EMAIL,
                    Priority.NORMAL,
                    q.subject,
                    received,
                    q.hours,
                    prepared(Inquiry, "sla_due", q.due),
                    response,
                    q.responder if q.response else None,
                    response,
                    None,
                    None,
                )
            )
        insert_rows(Inquiry, INQUIRY_COLUMNS, rows)

    def finish(self) -> ImportReport:
        """Save the inquiries still unanswered and link each inquiry to its message."""
        self._flush()
        self._insert_inquiries(q for waiting in self.open.values() for q in waiting if not q.db_id)
        self.open.clear()
        # The exclusions let the database use the partial unique index on source_key.
        message = (
            Interaction.objects.filter(workspace=self.workspace, source_key=OuterRef("source_key"))
            .exclude(source_key="")
            .order_by()
            .values("pk")[:1]
        )
        Inquiry.objects.filter(
            workspace=self.workspace, source=self.kind, interaction__isnull=True
        ).exclude(source_key="").update(interaction=Subquery(message))
        return self.result
