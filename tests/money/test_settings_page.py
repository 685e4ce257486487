"""The "Currency and exchange rates" page: owners set the base; owners and leaders type rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.engagements.factories import EngagementFactory
from tests.factories import MembershipFactory
from tests.money.factories import ExchangeRateFactory
from trustledger.money.models import ExchangeRate
from trustledger.workspaces.models import Role

pytestmark = pytest.mark.django_db
URL = "/settings/currency/"
D = dt.date


def member(personas, role):
    return MembershipFactory(workspace=personas.workspace_a, role=role).user


def test_the_page_is_under_settings_and_in_the_user_menu_of_owners_and_leaders(client, personas):
    assert reverse("money:settings") == URL
    client.force_login(personas.alice)
    assert (
        f'href="{URL}">Currency and exchange rates</a>' in client.get("/clients/").content.decode()
    )
    client.force_login(personas.amir)
    assert "Currency and exchange rates" not in client.get("/clients/").content.decode()


def test_a_new_workspace_is_in_euro_and_says_what_the_rule_is(client, personas):
    client.force_login(personas.alice)
    body = client.get(URL).content.decode()
    assert "Analytics add up money across engagements only in the base currency, EUR" in body
    assert "Every engagement is in EUR: nothing to convert." in body
    assert "No rates to EUR yet." in body
    assert "?kind=ecb-rates" in body


def test_currencies_in_use_without_a_rate_are_flagged(client, personas):
    EngagementFactory(client=personas.client_a, currency="USD")
    ExchangeRateFactory(workspace=personas.workspace_a, currency="GBP", rate=Decimal("1.17"))
    client.force_login(personas.alice)
    body = client.get(URL).content.decode()
    assert "No rate yet" in body
    assert "1 GBP = 1.17 EUR" in body


def test_an_owner_types_a_rate(client, personas):
    client.force_login(personas.alice)
    response = client.post(URL, {"date": "2026-03-03", "currency": "usd", "rate": "0.9215"})
    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.workspace, rate.currency, rate.date, rate.rate) == (
        personas.workspace_a,
        "USD",
        D(2026, 3, 3),
        Decimal("0.9215"),
    )
    body = client.get(URL).content.decode()
    assert "Saved: 1 USD = 0.9215 EUR on 3 Mar 2026." in body
    assert "0.9215" in body


def test_a_wrong_rate_is_shown_by_its_field(client, personas):
    client.force_login(personas.alice)
    body = client.post(URL, {"date": "2026-03-03", "currency": "EUR", "rate": "1"}).content
    assert "EUR is the base currency" in body.decode()
    assert not ExchangeRate.objects.exists()


def test_a_leader_types_rates_but_only_an_owner_changes_the_base(client, personas):
    client.force_login(member(personas, Role.LEADER))
    body = client.get(URL).content.decode()
    assert "Only an owner changes the base currency." in body
    assert (
        client.post(URL, {"date": "2026-03-03", "currency": "USD", "rate": "0.92"}).status_code
        == 302
    )
    assert client.post(URL, {"base_currency": "GBP"}).status_code == 403
    personas.workspace_a.refresh_from_db()
    assert personas.workspace_a.base_currency == "EUR"


@pytest.mark.parametrize("role", [Role.ACCOUNT_MANAGER, Role.STAFF])
def test_account_managers_and_staff_are_refused(client, personas, role):
    client.force_login(member(personas, role))
    assert client.get(URL).status_code == 403
    assert (
        client.post(URL, {"date": "2026-03-03", "currency": "USD", "rate": "1"}).status_code == 403
    )


def test_an_owner_changes_the_base_currency(client, personas):
    ExchangeRateFactory(workspace=personas.workspace_a, currency="GBP", rate=Decimal("1.25"))
    ExchangeRateFactory(workspace=personas.workspace_a, currency="USD", rate=Decimal("0.75"))
    client.force_login(personas.alice)
    response = client.post(URL, {"base_currency": "gbp"}, follow=True)
    body = response.content.decode()
    assert "Sums across engagements are now in GBP. 2 rates to it derived by cross rates." in body
    assert "1 USD = 0.6 GBP" in body
    personas.workspace_a.refresh_from_db()
    assert personas.workspace_a.base_currency == "GBP"


def test_rates_are_listed_newest_first_filtered_and_removed(client, personas):
    ws = personas.workspace_a
    old = ExchangeRateFactory(workspace=ws, date=D(2026, 1, 5), rate=Decimal("0.95"))
    ExchangeRateFactory(workspace=ws, date=D(2026, 3, 3), rate=Decimal("0.92"))
    ExchangeRateFactory(workspace=ws, currency="GBP", date=D(2026, 2, 2), rate=Decimal("1.17"))
    client.force_login(personas.alice)

    body = client.get(URL + "?currency=gbp").content.decode()
    assert "Rates to EUR: GBP" in body and "0.95" not in body

    body = client.get(URL).content.decode()
    table = body[body.index('id="h-rates"') :]
    assert table.index("3 Mar 2026") < table.index("2 Feb 2026") < table.index("5 Jan 2026")

    response = client.post(reverse("money:rate_delete", args=[old.pk]), follow=True)
    assert "Removed: 1 USD = 0.95 EUR on 5 Jan 2026." in response.content.decode()
    assert not ExchangeRate.objects.filter(pk=old.pk).exists()


def test_a_stranger_sees_none_of_another_workspaces_rates_and_cannot_remove_them(client, personas):
    rate = ExchangeRateFactory(workspace=personas.workspace_a, rate=Decimal("0.123456"))
    client.force_login(personas.charlie)
    assert "0.123456" not in client.get(URL).content.decode()
    assert client.post(reverse("money:rate_delete", args=[rate.pk])).status_code == 404
    assert ExchangeRate.objects.filter(pk=rate.pk).exists()
