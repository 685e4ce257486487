"""The demo firm's exchange rates: a business-day history (made up, not the ECB's) for every
currency its engagements use other than the base, so its analytics convert everything.

The rates follow a smooth, fixed curve around a plausible level (no random draws: the rest of the
demo's story stays exactly as the seed makes it).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db.models import Min

from trustledger.demo.context import DemoContext
from trustledger.engagements.models import Engagement
from trustledger.money.models import RateSource
from trustledger.money.services import insert_rates
from trustledger.scoring.currency import RATE_PLACES

# What one unit was worth in euros, roughly, around 2025.
LEVEL_IN_EUR = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05, "JPY": 0.0061}


def rate_on(currency: str, base: str, day: dt.date) -> Decimal:
    """1 ``currency`` in ``base`` on ``day``: the level, a slow swing and a faster ripple."""
    t = day.toordinal()
    wobble = 0.04 * math.sin(2 * math.pi * t / 411) + 0.012 * math.sin(2 * math.pi * t / 67)
    phase = 0.02 * math.sin(2 * math.pi * t / 173 + len(currency + base))
    value = LEVEL_IN_EUR[currency] / LEVEL_IN_EUR[base] * (1 + wobble + phase)
    return Decimal(value).quantize(RATE_PLACES)


def build(ctx: DemoContext) -> None:
    base = ctx.workspace.base_currency
    starts = dict(
        Engagement.objects.for_workspace(ctx.workspace)
        .exclude(currency=base)
        .values("currency")
        .annotate(first=Min("start_date"))
        .order_by()
        .values_list("currency", "first")
    )
    rows = []
    for currency, first in sorted(starts.items()):
        day = first - dt.timedelta(days=31)
        while day <= ctx.today:
            if day.weekday() < 5:  # published on business days
                rows.append((currency, day, rate_on(currency, base, day)))
            day += dt.timedelta(days=1)
    insert_rates(ctx.workspace, base, rows, source=RateSource.TYPED, by=ctx.owner)
