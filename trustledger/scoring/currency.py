"""Money in one currency at a time: dated exchange rates and the conversion rule (pure).

A workspace has a **base currency**; an exchange rate says what one unit of a currency was worth
in the base on a day (``1 USD = 0.92 EUR`` on 3 Mar 2026). The rule, defined here once:

- an amount dated ``on`` converts at the **latest rate on or before** ``on``; none: ``NoRate``
  (callers say so on the page, they never add the amount unconverted);
- amounts summed per calendar month (the analytics roll-up) convert at the month's rate: the
  latest on or before its last day (``month_rate_date``);
- arithmetic is ``Decimal``: a converted amount is exact to the rate's digits.

``cross_rates`` turns a table quoted the ECB's way (units of each currency per one euro) into rates
to any base that the table quotes too.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

RATE_PLACES = Decimal("1e-12")  # rates keep 12 decimal places (1 IDR is 0.0000588 EUR)


def is_currency_code(text: str) -> bool:
    """Three ASCII letters (ISO 4217's shape; whether the code exists is not checked)."""
    return len(text) == 3 and text.isascii() and text.isalpha()


def format_day(day: dt.date) -> str:
    """``3 Mar 2026``: how notes about missing rates name a day."""
    return f"{day.day} {day:%b %Y}"


def format_rate(rate: Decimal) -> str:
    """Six significant digits without trailing zeros: ``0.924813``, ``161.38``, ``0.0000588235``."""
    if not rate:
        return "0"
    text = f"{rate:.{max(0, 5 - rate.adjusted())}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class NoRate(LookupError):
    """No rate of ``currency`` to ``base`` on or before ``on``."""

    def __init__(self, currency: str, base: str, on: dt.date) -> None:
        self.currency, self.base, self.on = currency, base, on
        super().__init__(f"No rate for {currency} on {format_day(on)} (to {base}).")


@dataclass(frozen=True)
class Rates:
    """The rates of some currencies to one base, each currency's dated rates in date order."""

    base: str
    by_currency: Mapping[str, tuple[tuple[dt.date, Decimal], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, base: str, rows: Iterable[tuple[str, dt.date, Decimal]]) -> Rates:
        """From ``(currency, day, rate)`` rows in any order."""
        grouped: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for currency, day, rate in rows:
            grouped.setdefault(currency, []).append((day, Decimal(rate)))
        return cls(base, {c: tuple(sorted(days)) for c, days in grouped.items()})

    def rate(self, currency: str, on: dt.date) -> Decimal | None:
        """One ``currency`` in the base: 1 for the base itself, else the latest rate on or before
        ``on``; None when there is none."""
        if currency == self.base:
            return Decimal(1)
        dated = self.by_currency.get(currency, ())
        i = bisect.bisect_right(dated, on, key=lambda item: item[0])
        return dated[i - 1][1] if i else None

    def convert(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        """``amount`` of ``currency`` dated ``on`` in the base; raises ``NoRate``."""
        rate = self.rate(currency, on)
        if rate is None:
            raise NoRate(currency, self.base, on)
        return amount * rate


@dataclass(frozen=True)
class MissingRate:
    """Amounts of ``currency`` dated in ``month`` that no rate converts: left out of money sums,
    and said so."""

    currency: str
    base: str
    month: dt.date  # its first day
    billed: Decimal  # in ``currency``
    cost: Decimal

    @property
    def rate_date(self) -> dt.date:
        return month_rate_date(self.month)

    @property
    def text(self) -> str:
        amount = f"{self.billed:,.0f} {self.currency}"
        return (
            f"No rate for {self.currency} on {format_day(self.rate_date)} (to {self.base}): "
            f"{amount} billed in {self.month:%b %Y} is left out of revenue, cost and margin."
        )


def month_rate_date(month: dt.date) -> dt.date:
    """The day whose rate converts a month's amounts: the month's last day."""
    following = (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def cross_rates(
    per_unit: Mapping[str, Decimal], quoted_in: str, base: str
) -> dict[str, Decimal] | None:
    """Rates to ``base`` from one day's table of units of each currency per one ``quoted_in``
    (the ECB: ``USD 1.0813`` means 1 EUR = 1.0813 USD). None when the table lacks ``base``.

    1 c = (1 / per_unit[c]) ``quoted_in`` = (per_unit[base] / per_unit[c]) ``base``; and
    1 ``quoted_in`` = per_unit[base] ``base``. The base itself is left out.
    """
    if base == quoted_in:
        in_base = Decimal(1)
    elif base in per_unit and per_unit[base] > 0:
        in_base = per_unit[base]
    else:
        return None
    rates = {c: in_base / units for c, units in per_unit.items() if c != base and units > 0}
    if quoted_in != base:
        rates[quoted_in] = in_base
    return {c: rate.quantize(RATE_PLACES) for c, rate in rates.items()}


def rebase(rates_to_old: Mapping[str, Decimal], old: str, new: str) -> dict[str, Decimal] | None:
    """One day's rates to ``old`` (1 c = r ``old``) as rates to ``new``; None without ``new``'s
    rate that day. The same arithmetic as ``cross_rates``: there, units per ``old`` are 1 / r."""
    if new not in rates_to_old or rates_to_old[new] <= 0:
        return None
    per_old = {c: 1 / r for c, r in rates_to_old.items() if r > 0}
    return cross_rates(per_old, old, new)
