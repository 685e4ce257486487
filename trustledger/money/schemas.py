"""Shapes of the money API: the base currency, the currencies in use, and dated rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
RateValue = Annotated[Decimal, Field(gt=0, lt=Decimal("1e9"), max_digits=24, decimal_places=12)]


class CurrencyUseOut(Schema):
    code: str
    engagements: int
    rates: int
    latest_on: dt.date | None
    latest_rate: Decimal | None


class CurrencySettingsOut(Schema):
    base_currency: str
    rule: str
    currencies: list[CurrencyUseOut]


class BaseCurrencyIn(Schema):
    base_currency: Currency


class RateOut(Schema):
    id: int
    currency: str
    base: str
    date: dt.date
    rate: Decimal
    source: str


class RateIn(Schema):
    currency: Currency
    date: dt.date
    rate: RateValue


class RateFilter(Schema):
    currency: Currency | None = None
