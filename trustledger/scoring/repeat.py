"""Repeat-purchase summary of a customer's transactions: frequency, recency and age (T).

The inputs of the "buy till you die" models (BG/NBD, Pareto/NBD), here the repeat engagements of
a client. Same definitions as ``lifetimes.utils.summary_data_from_transaction_data``, against
which tests/scoring/test_repeat.py checks it on the CDNOW sample:

    transactions on the same day (freq "D") or Monday-to-Sunday week (freq "W") count once;
    frequency = number of distinct periods with a transaction - 1   (repeat purchases)
    recency   = last period - first period                          (0 when no repeat)
    T         = observation end's period - first period             (the customer's age)

Customers whose first transaction is after the observation end are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

type Freq = Literal["D", "W"]


@dataclass(frozen=True, slots=True)
class RepeatSummary:
    frequency: int
    recency: int  # in periods (days or weeks)
    T: int  # the models' own name for the customer's age


def _period(day: dt.date, freq: Freq) -> int:
    ordinal = day.toordinal()  # 1 = Monday 1 January of year 1
    return ordinal if freq == "D" else (ordinal - 1) // 7


def repeat_summary[K: Hashable](
    transactions: Iterable[tuple[K, dt.date]], observation_end: dt.date, freq: Freq = "D"
) -> dict[K, RepeatSummary]:
    """Per customer: frequency, recency and T as of `observation_end` (see the module docstring)."""
    if freq not in ("D", "W"):
        raise ValueError("freq is 'D' (days) or 'W' (weeks)")
    end = _period(observation_end, freq)
    periods: dict[K, set[int]] = {}
    for customer, day in transactions:
        period = _period(day, freq)
        if period <= end:
            periods.setdefault(customer, set()).add(period)
    return {
        customer: RepeatSummary(len(seen) - 1, max(seen) - min(seen), end - min(seen))
        for customer, seen in periods.items()
    }
