"""Exchange rates for the tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import WorkspaceFactory
from trustledger.money.models import ExchangeRate


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    workspace = factory.SubFactory(WorkspaceFactory)
    currency = "USD"
    base = factory.SelfAttribute("workspace.base_currency")
    date = dt.date(2026, 3, 3)
    rate = Decimal("0.92")
