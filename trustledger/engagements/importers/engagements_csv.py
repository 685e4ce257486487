"""Clients and their engagements from a CSV: one row per engagement, clients created as needed.

Columns (any case, ``_`` or space; a ``--mapping`` may name others): ``client`` and/or
``client external id``, ``engagement``, ``start date``, ``end date``, ``fee``, ``status``, and
optionally ``type`` (time and materials when absent), ``currency`` (EUR), ``budget hours``,
``external id``. A client is found by external id, else by name; a missing one is created (its
relationship starts with its earliest engagement in the file). An engagement already there (same
external id, or same name for the same client) is skipped, so re-importing adds nothing.

History comes with engagements already under way or closed, which the charter rule lets start
only with the client's sign-off or a leader's override: a file creating them therefore needs a
leader or owner (``ImportOptions.may_override``). Such engagements are dated as activated on
their start date, and closed or cancelled ones as closed on their end date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from trustledger.clients.models import Client
from trustledger.core.facts import announce
from trustledger.engagements.importers.directory import AMBIGUOUS, index_ids
from trustledger.engagements.models import Engagement, EngagementStatus, EngagementType
from trustledger.imports.csvreader import Column, CsvTable, mapped_columns, open_csv
from trustledger.imports.parsing import parse_choice, parse_date, parse_money
from trustledger.imports.registry import register
from trustledger.imports.result import ImportOptions, ImportResult
from trustledger.imports.rows import RowReader
from trustledger.workspaces.models import Workspace

S, T = EngagementStatus, EngagementType
COLUMNS = {
    "client": ("client", "client name"),
    "client_external_id": ("client external id", "client id"),
    "engagement": ("engagement", "engagement name", "name", "project"),
    "start_date": ("start date", "start"),
    "end_date": ("end date", "end"),
    "fee": ("fee", "budget amount", "budget"),
    "status": ("status",),
    "type": ("type", "engagement type"),
    "currency": ("currency",),
    "budget_hours": ("budget hours",),
    "external_id": ("external id", "engagement external id", "project code", "code"),
}
REQUIRED = ("engagement", "start_date", "end_date", "fee", "status")
STATUSES = {
    **{s.value.replace("_", " "): s.value for s in S},
    **{"proposal": S.PROPOSED, "pipeline": S.PROPOSED, "in progress": S.ACTIVE, "open": S.ACTIVE},
    **{"ongoing": S.ACTIVE, "paused": S.ON_HOLD, "completed": S.CLOSED, "complete": S.CLOSED},
    **{"done": S.CLOSED, "finished": S.CLOSED, "canceled": S.CANCELLED},
}
TYPES = {
    **{"fixed fee": T.FIXED_FEE, "fixed": T.FIXED_FEE, "fixed price": T.FIXED_FEE},
    **{"time and materials": T.TIME_AND_MATERIALS, "time & materials": T.TIME_AND_MATERIALS},
    **{"time materials": T.TIME_AND_MATERIALS, "t&m": T.TIME_AND_MATERIALS},
    **{"tm": T.TIME_AND_MATERIALS, "hourly": T.TIME_AND_MATERIALS, "retainer": T.RETAINER},
}
UNDER_WAY = frozenset({S.ACTIVE, S.ON_HOLD, S.CLOSED})
MAX_FEE = Decimal("999999999999.99")
MAX_HOURS = Decimal("99999999.99")
BATCH_SIZE = 1000


@dataclass(slots=True)
class EngagementRow:
    client: str
    client_external_id: str
    name: str
    start: dt.date
    end: dt.date
    fee: Decimal
    status: str
    type: str
    currency: str
    budget_hours: Decimal
    external_id: str


class ClientBook:
    """The workspace's clients by external id and by name; creates the missing ones."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        clients = Client.objects.for_workspace(workspace).values_list("pk", "name", "external_id")
        self.by_ext = index_ids([(e.lower(), pk) for pk, _, e in clients if e])
        self.by_name = index_ids([(n.lower(), pk) for pk, n, _ in clients])
        self.starts: dict[int, dt.date] = {}  # created here → earliest engagement start

    def find(self, row: EngagementRow) -> int | None:
        """The client's id; None when it is new; AMBIGUOUS when two clients match equally.

        Names compare with ``lower()``, as the database's unique constraint does.
        """
        for index, key in ((self.by_ext, row.client_external_id), (self.by_name, row.client)):
            if key and (found := index.get(key.lower())):
                return found
        return None

    def create(self, row: EngagementRow) -> int:
        client = Client.objects.create(
            workspace=self.workspace,
            name=row.client,
            external_id=row.client_external_id,
            relationship_start=row.start,
        )
        self.by_name[row.client.lower()] = client.pk
        if row.client_external_id:
            self.by_ext[row.client_external_id.lower()] = client.pk
        self.starts[client.pk] = row.start
        return client.pk

    def note_start(self, client_id: int, start: dt.date) -> None:
        if client_id in self.starts:
            self.starts[client_id] = min(self.starts[client_id], start)

    def settle_starts(self) -> None:
        """A created client's relationship began with its earliest engagement in the file."""
        for pk, start in self.starts.items():
            Client.objects.filter(pk=pk).exclude(relationship_start=start).update(
                relationship_start=start
            )


class EngagementBook:
    """Engagements already in the workspace (or earlier in the file): the duplicates to skip."""

    def __init__(self, workspace: Workspace) -> None:
        existing = Engagement.objects.for_workspace(workspace).values_list(
            "client_id", "name", "external_id"
        )
        self.codes = {e.casefold() for _, _, e in existing if e}
        self.names = {(c, n.casefold()) for c, n, _ in existing}

    def known(self, client_id: int | None, row: EngagementRow) -> bool:
        if row.external_id and row.external_id.casefold() in self.codes:
            return True
        return client_id is not None and (client_id, row.name.casefold()) in self.names

    def remember(self, client_id: int, row: EngagementRow) -> None:
        if row.external_id:
            self.codes.add(row.external_id.casefold())
        self.names.add((client_id, row.name.casefold()))


def _columns(table: CsvTable, options: ImportOptions) -> dict[str, Column]:
    wanted = mapped_columns(COLUMNS, options.mapping, table.errors)
    if not table.column(*wanted["client"]) and not table.column(*wanted["client_external_id"]):
        raise table.errors.fail(1, None, "missing column client (or client external id).")
    columns = table.require({f: wanted[f] for f in REQUIRED})
    for field, names in wanted.items():
        if field not in columns and (column := table.column(*names)):
            columns[field] = column
    return columns


def _currency(text: str) -> str:
    if len(text) != 3 or not text.isalpha():
        raise ValueError(f"{text} is not a three-letter currency code (EUR, USD…).")
    return text.upper()


def _read(r: RowReader, c: dict[str, Column], options: ImportOptions) -> EngagementRow | None:
    """The row's values; None when any is missing or wrong (each error is logged)."""
    client = r.text(c.get("client"), limit=200)
    client_ext = r.text(c.get("client_external_id"), limit=100)
    if not client and not client_ext:
        r.error(c.get("client") or c["client_external_id"], "a value is required.")
    name = r.text(c["engagement"], required=True, limit=200)
    start, end = _dates(r, c, options.mapping.get("date_format"))
    fee = _bounded(r, c["fee"], r.required(c["fee"], parse_money), MAX_FEE, "fee")
    status = _status(r, c["status"], options.may_override)
    hours = r.value(c.get("budget_hours"), parse_money, Decimal(0))
    _bounded(r, c.get("budget_hours"), hours, MAX_HOURS, "number of hours")
    if not r.ok or start is None or end is None or fee is None or status is None:
        return None
    return EngagementRow(
        client=client,
        client_external_id=client_ext,
        name=name,
        start=start,
        end=end,
        fee=fee,
        status=status,
        type=r.value(c.get("type"), lambda t: parse_choice(t, TYPES), T.TIME_AND_MATERIALS.value),
        currency=r.value(c.get("currency"), _currency, "EUR"),
        budget_hours=hours,
        external_id=r.text(c.get("external_id"), limit=100),
    )


def _dates(
    r: RowReader, c: dict[str, Column], date_format: str | None
) -> tuple[dt.date | None, dt.date | None]:
    start = r.required(c["start_date"], lambda text: parse_date(text, date_format))
    end = r.required(c["end_date"], lambda text: parse_date(text, date_format))
    if start and end and end < start:
        r.error(c["end_date"], f"{end} is before the start date {start}.")
    return start, end


def _bounded(
    r: RowReader, column: Column | None, value: Decimal | None, most: Decimal, what: str
) -> Decimal | None:
    if value is not None and not 0 <= value <= most:
        r.error(column, f"{value} is not a plausible {what}.")
    return value


def _status(r: RowReader, column: Column, may_override: bool) -> str | None:
    """The status; one already under way needs the right to override the charter rule."""
    status = r.required(column, lambda text: parse_choice(text, STATUSES))
    if status in UNDER_WAY and not may_override:
        r.error(
            column,
            f"{status.replace('_', ' ')} without the client's sign-off: only a leader or owner "
            "may import engagements already under way.",
        )
    return status


def _engagement(workspace: Workspace, client_id: int, row: EngagementRow) -> Engagement:
    return Engagement(
        workspace=workspace,
        client_id=client_id,
        name=row.name,
        type=row.type,
        status=row.status,
        start_date=row.start,
        end_date=row.end,
        budget_hours=row.budget_hours,
        budget_amount=row.fee,
        currency=row.currency,
        external_id=row.external_id,
        activated_on=row.start if row.status in UNDER_WAY else None,
        closed_on=row.end if row.status in (S.CLOSED, S.CANCELLED) else None,
    )


class Loader:
    """Places each good row: skips what is already there, creates clients, batches engagements."""

    def __init__(self, workspace: Workspace, columns: dict[str, Column], result: ImportResult):
        self.workspace, self.columns, self.result = workspace, columns, result
        self.clients, self.engagements = ClientBook(workspace), EngagementBook(workspace)
        self.pending: list[Engagement] = []

    def take(self, row: EngagementRow, r: RowReader) -> None:
        client_id = self.clients.find(row)
        if client_id == AMBIGUOUS:
            r.error(self.columns.get("client"), "several clients have this name or external id.")
        elif self.engagements.known(client_id, row):
            self.result.skipped_duplicates += 1
        elif client_id is None and not row.client:
            r.error(self.columns["client_external_id"], "no client has this external id.")
        else:
            client_id = client_id or self.clients.create(row)
            self.clients.note_start(client_id, row.start)
            self.engagements.remember(client_id, row)
            self.pending.append(_engagement(self.workspace, client_id, row))

    def flush(self) -> None:
        created = Engagement.objects.bulk_create(self.pending)
        self.result.created += len(created)
        announce(
            self.workspace.pk,
            {e.client_id for e in created},
            "engagement",
            engagement_ids={e.pk for e in created},
        )
        self.pending.clear()

    def finish(self) -> None:
        self.flush()
        self.clients.settle_starts()
        self.result.details["clients_created"] = len(self.clients.starts)


@register(
    "engagements-csv",
    label="Clients and engagements: any CSV (mapping optional)",
    takes_mapping=True,
)
def import_engagements_csv(
    workspace: Workspace, path: Path, options: ImportOptions
) -> ImportResult:
    with open_csv(path, options.name) as table:
        result = ImportResult("engagements-csv", table.name, noun="engagements")
        loader = Loader(workspace, _columns(table, options), result)
        reader = RowReader(table.errors)
        for line, cells in table.records():
            result.rows += 1
            reader.start(line, cells)
            row = _read(reader, loader.columns, options)
            if row is not None:
                loader.take(row, reader)
            if len(loader.pending) >= BATCH_SIZE and not table.errors:
                loader.flush()
        table.errors.raise_if_any()
    loader.finish()
    return result
