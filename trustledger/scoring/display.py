"""How a number is shown: one rounding rule, and one format for each kind of figure.

Every page, e-mail, PDF, status report, the API and the command line show their figures through
these functions (templates through the ``numbers`` filters), so one value never reads two ways.

- **Half up.** Ties round away from zero, on the number's shortest decimal form: 28.5 shows as
  29, 0.125 as 13%, -2.5 as -3. This is the rule people learn at school and the one Django's
  ``floatformat`` uses; Python's ``round()`` and ``f"{x:.0f}"`` (ties to even, on the binary
  value) are never used to show a figure.
- **Kept, then shown.** The trust index and its scores are kept to two decimals (``kept``); that
  is the exact value the API and ``trustledger score --json`` report. Pages show it as a whole
  number (``display_index``), rounded from the kept value, so the exact and the kept value always
  show the same.
- **A change is the difference of what is shown.** "29 from 31" is a change of -2, never the
  -2.3 of the exact values (``shown_change``), and the parts that explain it are rounded so that
  they add up to it exactly (``apportion``).
- Verdicts (bands, overruns, behind schedule) are taken on the figure as shown, so a reader can
  check them against their threshold: see ``index.band`` and ``evm``.
"""

import math
from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import SupportsFloat

type Number = SupportsFloat | Decimal | int

KEPT_DIGITS = 2
MINUS = "\N{MINUS SIGN}"
DASH = "\N{EM DASH}"


def _exact(value: Number) -> Decimal:
    """The number as it is written (a float's shortest repr: 0.645, not 0.64499999...)."""
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    if not number.is_finite():
        raise ValueError(f"only a finite number can be shown, got {value!r}")
    return number


def _decimal(value: Number, digits: int) -> Decimal:
    return _exact(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def round_half_up(value: Number, digits: int = 0) -> float:
    """``value`` rounded to ``digits`` decimals, ties away from zero (see the module docstring)."""
    return float(_decimal(value, digits))


def kept(value: float) -> float:
    """The precision the index, pillar and indicator scores are stored and reported with."""
    return round_half_up(value, KEPT_DIGITS)


def display_index(value: float | None) -> int | None:
    """The trust index (or a pillar or indicator score) as every surface shows it: a whole
    number, rounded half up from its kept value; None (no data) stays None."""
    if value is None:
        return None
    return int(_decimal(_decimal(value, KEPT_DIGITS), 0))


def shown_change(current: float | None, previous: float | None) -> int | None:
    """The change from ``previous`` to ``current`` as shown: the difference of the shown values."""
    now, before = display_index(current), display_index(previous)
    return None if now is None or before is None else now - before


def apportion[K: Hashable](parts: Mapping[K, float], *, total: int) -> dict[K, int]:
    """Whole numbers, one per part, that add up exactly to ``total`` (largest remainders).

    Each part is rounded down, and the points still missing go one each to the parts with the
    largest remainders (ties: the larger part first, then the order given). When ``total`` is
    within a point of the parts' sum (as a shown change is of the exact one), every part moves by
    less than a point and a part of exactly 0 stays 0; a total further off is spread as evenly as
    possible. A non-zero total with no parts to carry it is a ValueError.
    """
    if not parts:
        if total:
            raise ValueError(f"no parts to carry a total of {total}")
        return {}
    floors = {k: math.floor(v) for k, v in parts.items()}
    keys = list(parts)
    order = sorted(keys, key=lambda k: (floors[k] - parts[k], -abs(parts[k]), keys.index(k)))
    base, extra = divmod(total - sum(floors.values()), len(order))
    rank = {k: n for n, k in enumerate(order)}
    return {k: floors[k] + base + (1 if rank[k] < extra else 0) for k in keys}


def shown_percent(ratio: Number) -> int:
    """A share (0.642) as the whole percent shown (64)."""
    return int(_decimal(_exact(ratio) * 100, 0))


def _plain(number: Decimal, grouped: bool = False) -> str:
    """No "-0"; a hyphen-minus, so that exports stay numbers to a spreadsheet."""
    number = number if number else abs(number)
    return f"{number:,}" if grouped else f"{number}"


def format_number(value: Number | None, digits: int = 0, *, grouped: bool = False) -> str:
    """A plain figure (a margin of error, hours, money amounts in a table): ``14``; ``2.5`` with
    ``digits=1``; ``12,500`` grouped. An em dash when unknown."""
    return DASH if value is None else _plain(_decimal(value, digits), grouped)


def format_percent(ratio: Number | None, digits: int = 0) -> str:
    """``0.642`` as ``64%`` (``64.2%`` with ``digits=1``); an em dash when unknown."""
    return DASH if ratio is None else f"{format_number(_exact(ratio) * 100, digits)}%"


def format_signed(value: Number | None, digits: int = 0) -> str:
    """``+3``, ``−8`` (a real minus sign), ``0`` (never ``-0`` or ``+0``); an em dash without a
    value. Changes, contributions and NPS are shown this way."""
    if value is None:
        return DASH
    number = _decimal(value, digits)
    if number > 0:
        return f"+{number}"
    return f"{MINUS}{-number}" if number < 0 else _plain(number)


def format_ratio(value: Number | None) -> str:
    """CPI and SPI: two decimals; an em dash when unknown."""
    return format_number(value, 2)
