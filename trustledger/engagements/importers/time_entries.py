"""Time entries from Harvest, Toggl Track or any CSV with a column mapping.

Rows are matched to engagements by code (Harvest's Project Code = our external id), else by name
within the client; people by e-mail, else by full name, among the workspace's members (the name
is kept either way). The row's task is kept, and classified by ``time_scope.TaskRules``: the
engagement's mapping of the task, a scope item of that title, or the firm-wide mapping; a task
none of them names is *unclassified* (not scope creep: trackers' tasks are usually firm-wide
categories such as "Project Management", or blank). A row is identified for re-imports by its
engagement, date, hours, person, task and note (``trustledger.imports.keys``), never by how it
was classified; rates are not part of it, so a re-export after rates were edited adds nothing.
Zero-hour rows (timers started and stopped at once) are skipped and counted. Notes longer than
the 500 characters a time entry holds are cut, not refused: one long note should not reject a
history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.utils import timezone

from trustledger.engagements.importers.directory import Directory
from trustledger.engagements.models import TimeEntry
from trustledger.imports.bulk import insert_rows, prepare_value
from trustledger.imports.csvreader import Column, CsvTable, mapped_columns, open_csv
from trustledger.imports.errors import ErrorLog
from trustledger.imports.keys import OccurrenceCounter, content_digest, import_key
from trustledger.imports.parsing import parse_bool, parse_date, parse_hours, parse_money
from trustledger.imports.registry import register
from trustledger.imports.result import ImportOptions, ImportResult
from trustledger.imports.rows import RowReader
from trustledger.workspaces.models import Workspace

MAX_HOURS = Decimal(24)
MAX_RATE = Decimal("99999999.99")
ZERO = Decimal(0)
# Dates, durations, rates and yes/no repeat on almost every row of an export: parse each
# spelling once (values are immutable, and a bad spelling raises again each time).
hours_of = lru_cache(maxsize=4096)(parse_hours)
money_of = lru_cache(maxsize=4096)(parse_money)
yes_no_of = lru_cache(maxsize=64)(parse_bool)
date_of = lru_cache(maxsize=8192)(parse_date)


@dataclass(slots=True)
class TimeRow:
    """One time row as read from any of the sources, before matching."""

    code: str
    client: str
    project: str
    date: dt.date | None
    hours: Decimal | None
    person: str
    email: str = ""
    task: str = ""
    note: str = ""
    cost_rate: Decimal = ZERO
    bill_rate: Decimal = ZERO


class TimeSource:
    """How one export format names its columns and spells its values."""

    kind = ""
    columns: dict[str, tuple[str, ...]] = {}
    required: tuple[str, ...] = ()
    strict_scope = False  # a task that classifies as nothing is an error (not unclassified)

    def __init__(self, table: CsvTable, options: ImportOptions) -> None:
        wanted = mapped_columns(self.columns, options.mapping, table.errors)
        self.c = table.require({f: wanted[f] for f in self.required})
        for field, names in wanted.items():
            if field not in self.c and (column := self._optional(table, names)):
                self.c[field] = column
        self.date_format = options.mapping.get("date_format")

    def _optional(self, table: CsvTable, names: tuple[str, ...]) -> Column | None:
        return table.column(*names)

    def date(self, r: RowReader) -> dt.date | None:
        return r.required(self.c["date"], lambda text: date_of(text, self.date_format))

    def read(self, r: RowReader) -> TimeRow:
        raise NotImplementedError


class HarvestSource(TimeSource):
    """Harvest's Detailed Time report, exported as CSV (decimal hours, ISO dates)."""

    kind = "harvest"
    columns = {
        "date": ("Date",),
        "client": ("Client",),
        "project": ("Project",),
        "hours": ("Hours",),
        "first": ("First Name",),
        "last": ("Last Name",),
        "code": ("Project Code",),
        "task": ("Task",),
        "notes": ("Notes",),
        "billable": ("Billable?",),
        "bill_rate": ("Billable Rate",),
        "cost_rate": ("Cost Rate",),
    }
    required = ("date", "client", "project", "hours", "first", "last")

    def read(self, r: RowReader) -> TimeRow:
        c = self.c
        billable = r.value(c.get("billable"), yes_no_of, True)
        return TimeRow(
            code=r.text(c.get("code")),
            client=r.text(c["client"]),
            project=r.text(c["project"], required=True),
            date=self.date(r),
            hours=r.required(c["hours"], hours_of),
            person=f"{r.text(c['first'])} {r.text(c['last'])}".strip(),
            task=r.text(c.get("task")),
            note=r.text(c.get("notes")),
            cost_rate=r.value(c.get("cost_rate"), money_of, ZERO),
            bill_rate=r.value(c.get("bill_rate"), money_of, ZERO) if billable else ZERO,
        )


class TogglSource(TimeSource):
    """Toggl Track's Detailed report CSV (durations as 01:30:00, the amount in its currency)."""

    kind = "toggl"
    columns = {
        "user": ("User",),
        "project": ("Project",),
        "date": ("Start date",),
        "duration": ("Duration",),
        "email": ("Email",),
        "client": ("Client",),
        "description": ("Description",),
        "task": ("Task",),
        "billable": ("Billable",),
        "amount": ("Amount",),
    }
    required = ("user", "project", "date", "duration")

    def _optional(self, table: CsvTable, names: tuple[str, ...]) -> Column | None:
        # The amount's header carries the workspace currency: "Amount (USD)", "Amount (EUR)".
        return table.column(*names) or (
            table.columns_starting("Amount (") if names == ("Amount",) else None
        )

    def read(self, r: RowReader) -> TimeRow:
        c = self.c
        hours = r.required(c["duration"], hours_of)
        amount = r.value(c.get("amount"), money_of, ZERO)
        billable = r.value(c.get("billable"), yes_no_of, bool(amount))
        rate = (amount / hours).quantize(Decimal("0.01")) if billable and hours else ZERO
        return TimeRow(
            code="",
            client=r.text(c.get("client")),
            project=r.text(c["project"], required=True),
            date=self.date(r),
            hours=hours,
            person=r.text(c["user"]),
            email=r.text(c.get("email")),
            task=r.text(c.get("task")),
            note=r.text(c.get("description")),
            bill_rate=rate,
        )


class GenericTimeSource(TimeSource):
    """Any CSV: ``--mapping date=Day,hours=Time,…`` says which column holds which field; a
    column named like the field itself (``date``, ``hours``, ``cost_rate``…) needs no mapping."""

    kind = "time-csv"
    columns = {
        "date": ("date",),
        "hours": ("hours",),
        "engagement": ("engagement", "project"),
        "client": ("client",),
        "person": ("person",),
        "email": ("email", "e-mail"),
        "note": ("note", "notes", "description"),
        "cost_rate": ("cost rate",),
        "bill_rate": ("bill rate",),
        "scope_item": ("scope item",),
    }
    required = ("date", "hours", "engagement")
    strict_scope = True

    def read(self, r: RowReader) -> TimeRow:
        c = self.c
        engagement = r.text(c["engagement"], required=True)
        return TimeRow(
            code=engagement,
            client=r.text(c.get("client")),
            project=engagement,
            date=self.date(r),
            hours=r.required(c["hours"], hours_of),
            person=r.text(c.get("person")),
            email=r.text(c.get("email")),
            task=r.text(c.get("scope_item")),
            note=r.text(c.get("note")),
            cost_rate=r.value(c.get("cost_rate"), money_of, ZERO),
            bill_rate=r.value(c.get("bill_rate"), money_of, ZERO),
        )


class TimeEntryWriter:
    """Buffers matched rows and writes them a batch at a time, skipping rows imported before.

    Once the file has an error nothing more is written: the transaction will be rolled back.
    """

    COLUMNS = (
        "workspace_id",
        "engagement_id",
        "person_id",
        "person_name",
        "date",
        "hours",
        "cost_rate",
        "bill_rate",
        "scope_item_id",
        "classification",
        "note",
        "task",
        "recorded_at",
        "import_key",
    )

    def __init__(self, workspace: Workspace, errors: ErrorLog, batch_size: int) -> None:
        self.workspace, self.errors, self.batch_size = workspace, errors, batch_size
        self.recorded_at = prepare_value(TimeEntry, "recorded_at", timezone.now())
        self.counter = OccurrenceCounter()
        # A file's own keys never collide (occurrence numbers), so only keys saved before this
        # import can repeat; with none (a first load of history) there is nothing to look up.
        self.may_repeat = (
            TimeEntry.objects.for_workspace(workspace).filter(import_key__isnull=False).exists()
        )
        self.digests: list[bytes] = []
        self.former: list[bytes | None] = []
        self.values: list[tuple[Any, ...]] = []
        self.created = self.skipped = 0

    def add(self, content: Identity, values: tuple[Any, ...]) -> None:
        self.digests.append(content_digest(content.key))
        self.former.append(content_digest(content.former) if content.former else None)
        self.values.append(values)
        if len(self.values) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.values and not self.errors:
            numbers = self.counter.number(self.digests)
            keys = [import_key(d, n) for d, n in zip(self.digests, numbers, strict=True)]
            # A row imported when its task was classified the other way had the other key.
            former = [
                import_key(d, n) if d else None for d, n in zip(self.former, numbers, strict=True)
            ]
            existing = self._existing(keys + [k for k in former if k]) if self.may_repeat else set()
            ws = self.workspace.pk
            # In key order, the unique index is written page after page, not at random.
            rows = sorted(
                (
                    (ws, *values, self.recorded_at, key)
                    for values, key, old in zip(self.values, keys, former, strict=True)
                    if key not in existing and old not in existing
                ),
                key=itemgetter(-1),
            )
            insert_rows(TimeEntry, self.COLUMNS, rows)
            self.created += len(rows)
            self.skipped += len(keys) - len(rows)
        self.digests.clear()
        self.former.clear()
        self.values.clear()

    def _existing(self, keys: list[str]) -> set[str]:
        # No ORDER BY: the model's default ordering makes SQLite walk the whole workspace
        # (measured: 10 s a batch at a million entries) instead of probing the unique index.
        found = (
            TimeEntry.objects.for_workspace(self.workspace)
            .filter(import_key__in=keys)
            .order_by()
            .values_list("import_key", flat=True)
        )
        return {key for key in found if key}


def _import_time(
    workspace: Workspace, path: Path, options: ImportOptions, source_class: type[TimeSource]
) -> ImportResult:
    with open_csv(path, options.name) as table:
        source = source_class(table, options)
        directory = Directory(workspace)
        writer = TimeEntryWriter(workspace, table.errors, options.batch_size)
        result = ImportResult(source.kind, table.name, noun="time entries")
        reader = RowReader(table.errors)
        for line, cells in table.records():
            result.rows += 1
            reader.start(line, cells)
            row = source.read(reader)
            if row.hours == ZERO and reader.ok:
                result.skipped_empty += 1
                continue
            matched = _match(row, reader, directory, source)
            if matched is not None and reader.ok:
                writer.add(*matched)
        writer.flush()
        table.errors.raise_if_any()
    result.created, result.skipped_duplicates = writer.created, writer.skipped
    return result


@dataclass(frozen=True, slots=True)
class Identity:
    """What identifies a row for re-imports (``key``), and ``former``: the content it had when
    imported by earlier versions if that differs. They wrote a task that named no scope item at
    the start of the note, and the note so written was part of the content; now the content
    always has the task there, so a row whose task named a scope item had the bare note."""

    key: str
    former: str | None = None


def _identity(row: TimeRow, engagement: int, source: TimeSource, note: str) -> Identity:
    assert row.date is not None  # checked by the caller
    person = (row.email or row.person).casefold()
    head = (source.kind, str(engagement), row.date.isoformat(), str(row.hours), person, row.task)
    if not row.task:
        return Identity("\x1f".join((*head, note)))
    with_task = f"{row.task}: {note}" if note else row.task
    return Identity("\x1f".join((*head, with_task)), "\x1f".join((*head, note)))


def _match(
    row: TimeRow, r: RowReader, directory: Directory, source: TimeSource
) -> tuple[Identity, tuple[Any, ...]] | None:
    """The row's identity (for its import key) and its column values, or None if it is bad."""
    _check_amounts(row, r, source)
    if not (row.code or row.project):
        return None  # reported by the source as a required value
    engagement = directory.engagement(row.code, row.client, row.project)
    if isinstance(engagement, str):
        r.error(source.c.get("engagement") or source.c["project"], engagement)
        return None
    scope = directory.classify(engagement, row.task)
    if row.task and scope.unclassified and source.strict_scope:
        r.error(source.c["scope_item"], f"the engagement has no scope item {row.task}.")
    if row.date is None or row.hours is None:
        return None
    note = " ".join(row.note.split())
    values = (
        engagement,
        directory.person(row.email, row.person),
        row.person[:200],
        row.date,
        row.hours,
        row.cost_rate,
        row.bill_rate,
        scope.scope_item_id,
        scope.classification,
        note[:500],
        " ".join(row.task.split())[:200],
    )
    return _identity(row, engagement, source, note), values


def _check_amounts(row: TimeRow, r: RowReader, source: TimeSource) -> None:
    hours_column = source.c.get("hours") or source.c["duration"]
    if row.hours is not None and not ZERO <= row.hours <= MAX_HOURS:
        r.error(hours_column, f"{row.hours} hours: must be between 0 and 24 for one entry.")
    for name, rate in (("cost_rate", row.cost_rate), ("bill_rate", row.bill_rate)):
        if not ZERO <= rate <= MAX_RATE:
            column = source.c.get(name) or source.c.get("amount") or name
            r.error(column, f"{rate} is not a plausible rate.")


@register(
    "harvest",
    label="Harvest: detailed time report (CSV)",
    help="Reports → Detailed time → Export → CSV. Projects match engagements by Project Code "
    "(our external id), else by client and project name.",
)
def import_harvest(workspace: Workspace, path: Path, options: ImportOptions) -> ImportResult:
    return _import_time(workspace, path, options, HarvestSource)


@register(
    "toggl",
    label="Toggl Track: detailed report (CSV)",
    help="Reports → Detailed → Export → CSV. Projects match engagements by client and name; "
    "people by e-mail.",
)
def import_toggl(workspace: Workspace, path: Path, options: ImportOptions) -> ImportResult:
    return _import_time(workspace, path, options, TogglSource)


@register(
    "time-csv",
    label="Time entries: any CSV, with a column mapping",
    takes_mapping=True,
    help="Fields: date, hours, engagement (required); client, person, email, note, cost_rate, "
    "bill_rate, scope_item. Columns named like the fields need no mapping.",
)
def import_time_csv(workspace: Workspace, path: Path, options: ImportOptions) -> ImportResult:
    return _import_time(workspace, path, options, GenericTimeSource)
