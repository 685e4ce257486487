"""Reading the values of exported files: dates, numbers, durations, yes/no, choices.

Each parser takes the stripped, non-empty text of a cell and returns the value or raises
``ValueError`` with a message written for the person who will fix the file. They refuse to guess:
a date like 03/04/2026 is ambiguous (3 April or 4 March), so it needs an explicit format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2100, 12, 31)
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]")
YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
DMY_DOT = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
AMBIGUOUS = re.compile(r"\d{1,2}[/-]\d{1,2}[/-]\d{4}")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
THOUSANDS_COMMA = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
CLOCK = re.compile(r"(\d+):([0-5]\d)(?::([0-5]\d))?")
CURRENCY_SIGNS = "$€£¥ \u00a0\u202f'"
TRUE = frozenset({"yes", "y", "true", "1", "billable", "x"})
FALSE = frozenset({"no", "n", "false", "0", "non-billable", "not billable"})


class _Ambiguous(ValueError):
    """A date the file alone cannot settle."""


def parse_date(text: str, fmt: str | None = None) -> dt.date:
    """ISO ``2026-01-05`` (also with a time after it), ``2026/01/05``, ``05.01.2026``; or ``fmt``.

    Harvest and Toggl export ISO dates. Slash dates with the day or month first need ``fmt``
    (a ``strftime`` format such as ``%d/%m/%Y``), because the file cannot tell which it is.
    """
    try:
        value = _read_date(text, fmt)
    except _Ambiguous:
        raise
    except ValueError:
        expected = f"in the format {fmt}" if fmt else "(expected YYYY-MM-DD)"
        raise ValueError(f"{text} is not a valid date {expected}.") from None
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"{text} is not a plausible date.")
    return value


def _read_date(text: str, fmt: str | None) -> dt.date:
    if fmt:
        return dt.datetime.strptime(text, fmt).date()
    if len(text) == 10 and text[4] == "-":
        return dt.date.fromisoformat(text)
    if ISO_DATETIME.match(text):
        return dt.date.fromisoformat(text[:10])
    if m := YMD_SLASH.fullmatch(text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := DMY_DOT.fullmatch(text):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if AMBIGUOUS.fullmatch(text):
        raise _Ambiguous(
            f"{text} could be day-first or month-first: give the format in the mapping, "
            "date_format=%d/%m/%Y or date_format=%m/%d/%Y."
        )
    raise ValueError(text)


def parse_decimal(text: str) -> Decimal:
    """A number as spreadsheets write it: ``1234.5``, ``1,234.50``, ``1.234,50``, ``1234,5``.

    When both ``,`` and ``.`` appear, the last one is the decimal mark. A lone comma is a
    decimal comma unless it groups exactly three digits (``1,234`` is one thousand two hundred
    and thirty-four, as the vendors' English exports mean it). Spaces, apostrophes and currency
    signs are ignored; an ISO code after the number (``150.00 USD``) too.
    """
    if PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)
    cleaned = _strip_currency(text)
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif THOUSANDS_COMMA.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    if not PLAIN_NUMBER.fullmatch(cleaned):
        raise ValueError(f"{text} is not a number.")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise ValueError(f"{text} is not a number.") from None


def _strip_currency(text: str) -> str:
    cleaned = text.strip(CURRENCY_SIGNS)
    if len(cleaned) > 4 and cleaned[-3:].isalpha() and cleaned[-4] == " ":
        cleaned = cleaned[:-4]
    for sign in CURRENCY_SIGNS:
        cleaned = cleaned.replace(sign, "")
    return cleaned


def parse_money(text: str) -> Decimal:
    """A rate or an amount, to the cent."""
    return parse_decimal(text).quantize(CENT, ROUND_HALF_UP)


def parse_hours(text: str) -> Decimal:
    """A duration in hours, to the hundredth: ``1.5``, ``1,5``, ``1:30``, ``01:30:00`` (Toggl)."""
    if m := CLOCK.fullmatch(text):
        seconds = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)
        hours = Decimal(seconds) / 3600
    else:
        try:
            hours = parse_decimal(text)
        except ValueError:
            raise ValueError(f"{text} is not a duration (use 1.5, 1:30 or 01:30:00).") from None
    return hours.quantize(CENT, ROUND_HALF_UP)


def parse_bool(text: str) -> bool:
    """Yes/no as exports write it: Yes, No, true, 1, x…"""
    key = text.casefold()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise ValueError(f"{text} is neither yes nor no.")


def parse_choice(text: str, choices: Mapping[str, str]) -> str:
    """The stored value for ``text`` among ``choices`` (normalised spelling → value)."""
    key = " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()
    if key in choices:
        return choices[key]
    accepted = sorted(set(choices.values()))
    raise ValueError(f"{text} is not one of {', '.join(accepted)}.")
