"""Changes to the workspace's money settings: its base currency and its exchange rates.

Each is one transaction and audited. Rates feed no stored figure (analytics convert when they
read), so nothing has to be recomputed after a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from trustledger.imports.bulk import insert_rows, prepare_value
from trustledger.money.models import ExchangeRate, RateSource
from trustledger.scoring.currency import RATE_PLACES, is_currency_code, rebase
from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError, record_audit

# Below 1e9, not 1e12: SQLite keeps about 15 significant digits, so a rate just under 1e12 with
# 12 places was stored as 1e12 and no longer fitted max_digits=24 when read back (a 500).
MAX_RATE = Decimal("1e9")
BATCH = 5000


def clean_currency(text: str, *, field: str = "currency") -> str:
    """``usd`` → ``USD``; refuses what is not three letters."""
    code = (text or "").strip().upper()
    if not is_currency_code(code):
        raise DomainError("Give a three-letter currency code, e.g. EUR, USD, GBP.", field=field)
    return code


def clean_rate(value: Decimal | str | float) -> Decimal:
    try:
        rate = Decimal(str(value)).quantize(RATE_PLACES)
    except InvalidOperation:
        raise DomainError("Give the rate as a number, e.g. 0.9215.", field="rate") from None
    if not Decimal(0) < rate < MAX_RATE:
        raise DomainError("A rate is more than zero.", field="rate")
    return rate


@transaction.atomic
def record_rate(
    workspace: Workspace,
    *,
    currency: str,
    on: dt.date,
    rate: Decimal | str | float,
    by: User | None,
    source: RateSource = RateSource.TYPED,
) -> ExchangeRate:
    """1 ``currency`` = ``rate`` base on ``on``; a second rate for the same day corrects it."""
    code, value = clean_currency(currency), clean_rate(rate)
    base = workspace.base_currency
    if code == base:
        raise DomainError(f"{base} is the base currency: it is worth 1 {base}.", field="currency")
    if on > timezone.localdate():
        raise DomainError("A rate is for a day that has come.", field="date")
    existing = ExchangeRate.objects.filter(workspace=workspace, base=base, currency=code, date=on)
    rate_row = existing.select_for_update().first()
    if rate_row is None:
        rate_row = ExchangeRate.objects.create(
            workspace=workspace,
            currency=code,
            base=base,
            date=on,
            rate=value,
            source=source,
            recorded_by=by,
        )
        record_audit(
            workspace, by, "exchange_rate.recorded", rate_row, {"rate": [None, str(value)]}
        )
        return rate_row
    old = rate_row.rate
    if old != value:
        rate_row.rate, rate_row.source, rate_row.recorded_by = value, source, by
        rate_row.recorded_at = timezone.now()
        rate_row.save(update_fields=["rate", "source", "recorded_by", "recorded_at"])
        record_audit(
            workspace, by, "exchange_rate.corrected", rate_row, {"rate": [str(old), str(value)]}
        )
    return rate_row


@transaction.atomic
def delete_rate(rate: ExchangeRate, *, by: User | None) -> None:
    record_audit(
        rate.workspace, by, "exchange_rate.deleted", rate, {"rate": [str(rate.rate), None]}
    )
    rate.delete()


@transaction.atomic
def set_base_currency(workspace: Workspace, currency: str, *, by: User | None) -> int:
    """Make ``currency`` the base every sum across engagements is converted into.

    The rates to the old base are kept; on each day that has a rate of the new base too, rates to
    the new base are derived from them by cross rates (a day's rate already there is kept).
    Returns how many were derived.
    """
    new, old = clean_currency(currency, field="base_currency"), workspace.base_currency
    if new == old:
        return 0
    derived = _derive_cross_rates(workspace, old, new, by)
    workspace.base_currency = new
    workspace.save(update_fields=["base_currency"])
    record_audit(
        workspace,
        by,
        "workspace.base_currency_changed",
        workspace,
        {"base_currency": [old, new], "cross_rates_derived": [None, derived]},
    )
    return derived


def _derive_cross_rates(workspace: Workspace, old: str, new: str, by: User | None) -> int:
    days: dict[dt.date, dict[str, Decimal]] = {}
    for code, day, rate in (
        ExchangeRate.objects.for_workspace(workspace)
        .filter(base=old)
        .values_list("currency", "date", "rate")
    ):
        days.setdefault(day, {})[code] = rate
    have = set(
        ExchangeRate.objects.for_workspace(workspace)
        .filter(base=new)
        .values_list("currency", "date")
    )
    rows = [
        (code, day, rate)
        for day, rates in days.items()
        for code, rate in (rebase(rates, old, new) or {}).items()
        if (code, day) not in have
    ]
    return insert_rates(workspace, new, rows, source=RateSource.CROSS, by=by)


def insert_rates(
    workspace: Workspace,
    base: str,
    rows: Iterable[tuple[str, dt.date, Decimal]],
    *,
    source: RateSource,
    by: User | None,
) -> int:
    """Add many rates to ``base`` at once (none of them may exist yet); returns how many.

    Through the bulk writer: the ECB's whole history is some 200,000 rates."""
    recorded = prepare_value(ExchangeRate, "recorded_at", timezone.now())
    fixed = (workspace.pk, base, str(source), recorded, by.pk if by else None)
    created, batch = 0, []
    for code, day, rate in rows:
        batch.append((code, day, rate, *fixed))
        if len(batch) >= BATCH:
            created += _insert(batch)
            batch = []
    return created + _insert(batch)


COLUMNS = ("currency", "date", "rate", "workspace_id", "base", "source", "recorded_at")


def _insert(batch: Sequence[Sequence[object]]) -> int:
    insert_rows(ExchangeRate, (*COLUMNS, "recorded_by_id"), batch)
    return len(batch)
