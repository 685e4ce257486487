"""The ECB's euro foreign exchange reference rates as exchange rates to the workspace's base.

The ECB publishes ``eurofxref-hist.csv`` (every day since 1999) and ``eurofxref.csv`` (the latest
day): a ``Date`` column, then one column per currency giving its units per one euro (``N/A``
or empty where there was no rate). Each day's table becomes rates to the workspace's base by
cross rates (``scoring.currency.cross_rates``), so a GBP-based firm imports the same file. A day
whose table lacks the base is skipped and counted; a rate already there for a day is kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils import timezone

from trustledger.imports.csvreader import Column, open_csv
from trustledger.imports.errors import ImportFailed, ImportRowError
from trustledger.imports.registry import register
from trustledger.imports.result import ImportOptions, ImportResult
from trustledger.imports.rows import RowReader
from trustledger.money.models import ExchangeRate, RateSource
from trustledger.money.services import insert_rates
from trustledger.scoring.currency import cross_rates, is_currency_code
from trustledger.workspaces.models import Workspace

KIND = "ecb-rates"
QUOTED_IN = "EUR"
NO_RATE = frozenset({"", "N/A", "NA", "-"})


def _day(text: str) -> dt.date:
    """``2026-03-03`` (the history file) or ``3 March 2026`` (the latest day's file)."""
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text} is not a date (expected YYYY-MM-DD, as the ECB writes it).")


def _units(text: str) -> Decimal:
    try:
        units = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text} is not a rate (a number such as 1.0813, or N/A).") from None
    if not units.is_finite() or units <= 0:
        raise ValueError(f"{text} is not a rate: units per euro are more than zero.")
    return units


def _currency_columns(header: list[str], name: str) -> list[Column]:
    columns = []
    for index, title in enumerate(header[1:], start=1):
        code = title.strip().upper()
        if not code:
            continue  # the ECB ends every line with a comma
        if not is_currency_code(code):
            raise ImportFailed([ImportRowError(name, 1, title, "not a currency code.")])
        columns.append(Column(index, code))
    return columns


def _per_euro(reader: RowReader, columns: list[Column]) -> dict[str, Decimal]:
    """The day's units per euro of each currency that has a rate (bad values are logged)."""
    out: dict[str, Decimal] = {}
    for column in columns:
        if reader.text(column).upper() in NO_RATE:
            continue
        units = reader.value(column, _units, None)
        if units is not None:
            out[column.name] = units
    return out


@register(
    KIND,
    label="Exchange rates: the ECB's reference rates (eurofxref-hist.csv)",
    help="The European Central Bank's daily euro reference rates, converted to your base currency.",
)
def import_ecb_rates(workspace: Workspace, path: Path, options: ImportOptions) -> ImportResult:
    if not options.may_override:
        refusal = "only a leader or owner may import exchange rates."
        raise ImportFailed([ImportRowError(options.name or path.name, None, None, refusal)])
    base, today = workspace.base_currency, timezone.localdate()
    have = set(
        ExchangeRate.objects.for_workspace(workspace)
        .filter(base=base)
        .values_list("currency", "date")
    )
    rows: list[tuple[str, dt.date, Decimal]] = []
    with open_csv(path, options.name) as table:
        result = ImportResult(KIND, table.name, noun="exchange rates")
        date_column = table.require({"date": ("date",)})["date"]
        columns = _currency_columns(table.header, table.name)
        unusable, seen = 0, set()
        reader = RowReader(table.errors)
        for line, cells in table.records():
            result.rows += 1
            reader.start(line, cells)
            day = reader.required(date_column, _day)
            per_euro = _per_euro(reader, columns)
            if day is None or not reader.ok:
                continue
            if day > today:
                reader.error(date_column, f"{day} has not come yet.")
                continue
            if day in seen:
                reader.error(date_column, f"{day} appears twice in the file.")
                continue
            seen.add(day)
            to_base = cross_rates(per_euro, QUOTED_IN, base)
            if to_base is None:
                unusable += 1
                continue
            for code, rate in to_base.items():
                if (code, day) in have:
                    result.skipped_duplicates += 1
                else:
                    rows.append((code, day, rate))
        table.errors.raise_if_any()
    result.created = insert_rates(workspace, base, rows, source=RateSource.ECB, by=options.by)
    result.details["currencies"] = len({code for code, _, _ in rows})
    if unusable:
        result.details[f"days_without_a_{base}_rate"] = unusable
    return result
