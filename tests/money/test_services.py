"""The base currency and dated exchange rates: recorded, corrected, refused, rebased."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.engagements.factories import EngagementFactory
from tests.money.factories import ExchangeRateFactory
from trustledger.money import selectors, services
from trustledger.money.models import ExchangeRate, RateSource
from trustledger.workspaces.models import AuditEntry
from trustledger.workspaces.services import DomainError

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_typed_rate_is_stored_against_the_base_and_audited(personas):
    rate = services.record_rate(
        personas.workspace_a, currency="usd", on=D(2026, 3, 3), rate="0.9215", by=personas.alice
    )

    assert (rate.currency, rate.base, rate.rate, rate.source) == (
        "USD",
        "EUR",
        Decimal("0.9215"),
        RateSource.TYPED,
    )
    assert str(rate) == "1 USD = 0.9215 EUR on 3 Mar 2026"
    entry = AuditEntry.objects.get(action="exchange_rate.recorded")
    assert entry.changes == {"rate": [None, "0.921500000000"]}


def test_a_second_rate_for_the_same_day_corrects_the_first(personas):
    ws = personas.workspace_a
    services.record_rate(ws, currency="USD", on=D(2026, 3, 3), rate="0.92", by=personas.alice)
    services.record_rate(ws, currency="USD", on=D(2026, 3, 3), rate="0.93", by=personas.alice)

    assert list(ExchangeRate.objects.values_list("rate", flat=True)) == [Decimal("0.93")]
    corrected = AuditEntry.objects.get(action="exchange_rate.corrected")
    assert corrected.changes == {"rate": ["0.920000000000", "0.930000000000"]}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"currency": "EUR"}, "currency", "EUR is the base currency"),
        ({"currency": "US"}, "currency", "three-letter currency code"),
        ({"rate": "0"}, "rate", "more than zero"),
        ({"rate": "-1"}, "rate", "more than zero"),
        ({"rate": "lots"}, "rate", "as a number"),
        ({"on": D(2026, 3, 11)}, "date", "a day that has come"),
    ],
)
def test_a_rate_that_cannot_be_right_is_refused(personas, change, field, message):
    data = {"currency": "USD", "on": D(2026, 3, 3), "rate": "0.92"} | change
    with pytest.raises(DomainError, match=message) as refused:
        services.record_rate(personas.workspace_a, by=personas.alice, **data)
    assert refused.value.field == field
    assert not ExchangeRate.objects.exists()


def test_removing_a_rate_is_audited(personas):
    rate = ExchangeRateFactory(workspace=personas.workspace_a)
    services.delete_rate(rate, by=personas.alice)
    assert not ExchangeRate.objects.exists()
    assert AuditEntry.objects.filter(action="exchange_rate.deleted").count() == 1


def test_changing_the_base_derives_rates_to_it_by_cross_rates_and_keeps_the_old_ones(personas):
    ws = personas.workspace_a
    for currency, rate in (("USD", "0.92"), ("GBP", "1.15")):
        ExchangeRateFactory(workspace=ws, currency=currency, rate=Decimal(rate))
    ExchangeRateFactory(workspace=ws, currency="USD", date=D(2026, 3, 2), rate=Decimal("0.91"))

    derived = services.set_base_currency(ws, "gbp", by=personas.alice)

    ws.refresh_from_db()
    assert ws.base_currency == "GBP"
    assert derived == 2  # 2 Mar has no GBP rate: nothing to cross with
    to_gbp = dict(
        ExchangeRate.objects.filter(base="GBP").values_list("currency", "rate").order_by()
    )
    assert to_gbp == {"USD": Decimal("0.8"), "EUR": Decimal("0.869565217391")}
    assert ExchangeRate.objects.filter(base="EUR").count() == 3
    assert set(ExchangeRate.objects.filter(base="GBP").values_list("source", flat=True)) == {
        RateSource.CROSS
    }
    entry = AuditEntry.objects.get(action="workspace.base_currency_changed")
    assert entry.changes == {"base_currency": ["EUR", "GBP"], "cross_rates_derived": [None, 2]}


def test_changing_the_base_back_keeps_the_rates_typed_against_it(personas):
    ws = personas.workspace_a
    ExchangeRateFactory(workspace=ws, currency="GBP", rate=Decimal("1.15"))
    services.set_base_currency(ws, "GBP", by=personas.alice)
    services.set_base_currency(ws, "EUR", by=personas.alice)
    assert ExchangeRate.objects.get(base="EUR", currency="GBP").rate == Decimal("1.15")


def test_a_base_that_is_not_a_currency_code_is_refused(personas):
    with pytest.raises(DomainError) as refused:
        services.set_base_currency(personas.workspace_a, "euro", by=personas.alice)
    assert refused.value.field == "base_currency"


def test_the_rates_read_for_a_span_are_those_in_it_and_the_latest_before_it(personas):
    ws = personas.workspace_a
    for day, rate in ((D(2025, 12, 1), "0.90"), (D(2026, 1, 5), "0.95"), (D(2026, 3, 3), "0.92")):
        ExchangeRateFactory(workspace=ws, date=day, rate=Decimal(rate))
    ExchangeRateFactory(workspace=ws, currency="USD", base="GBP", rate=Decimal("0.8"))
    ExchangeRateFactory(workspace=personas.workspace_b, date=D(2026, 2, 1), rate=Decimal("9"))

    rates = selectors.rates_for(ws, {"USD", "EUR"}, D(2026, 1, 31), D(2026, 3, 31))

    assert rates.by_currency == {
        "USD": ((D(2026, 1, 5), Decimal("0.95")), (D(2026, 3, 3), Decimal("0.92")))
    }


def test_currencies_in_use_list_engagements_and_their_latest_rate(personas):
    ws = personas.workspace_a
    EngagementFactory(client=personas.client_a, currency="USD")
    EngagementFactory(client=personas.client_a, currency="USD")
    EngagementFactory(client=personas.client_a, currency="EUR")
    EngagementFactory(client=personas.client_a, currency="CHF")
    ExchangeRateFactory(workspace=ws, date=D(2026, 3, 2), rate=Decimal("0.91"))
    ExchangeRateFactory(workspace=ws, date=D(2026, 3, 3), rate=Decimal("0.92"))
    ExchangeRateFactory(workspace=ws, currency="JPY", rate=Decimal("0.006"))

    uses = selectors.currencies_in_use(ws)

    assert [(u.code, u.engagements, u.rates, u.latest_on, u.latest_rate) for u in uses] == [
        ("USD", 2, 2, D(2026, 3, 3), Decimal("0.92")),
        ("CHF", 1, 0, None, None),
        ("JPY", 0, 1, D(2026, 3, 3), Decimal("0.006")),
    ]
