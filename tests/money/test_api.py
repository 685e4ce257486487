"""Money in the API: the base currency, the currencies in use and their dated rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.engagements.factories import EngagementFactory
from tests.factories import MembershipFactory
from tests.money.factories import ExchangeRateFactory
from trustledger.money.models import ExchangeRate
from trustledger.workspaces.models import ApiKeyScope, Role
from trustledger.workspaces.services import create_api_key

pytestmark = pytest.mark.django_db
JSON = "application/json"
D = dt.date


def key(personas, scope):
    _, raw = create_api_key(personas.workspace_a, name="K", scope=scope, by=personas.alice)
    return {"Authorization": f"Bearer {raw}"}


def test_the_currency_settings_name_the_base_the_rule_and_the_currencies_in_use(client, personas):
    EngagementFactory(client=personas.client_a, currency="USD")
    ExchangeRateFactory(workspace=personas.workspace_a, rate=Decimal("0.92"))
    client.force_login(personas.alice)

    body = client.get("/api/money/currency").json()

    assert body["base_currency"] == "EUR"
    assert "latest rate on or before the month's last day" in body["rule"]
    assert body["currencies"] == [
        {
            "code": "USD",
            "engagements": 1,
            "rates": 1,
            "latest_on": "2026-03-03",
            "latest_rate": "0.920000000000",
        }
    ]


def test_rates_are_listed_recorded_and_removed(client, personas):
    client.force_login(personas.alice)
    created = client.post(
        "/api/money/rates",
        {"currency": "usd", "date": "2026-03-03", "rate": "0.9215"},
        content_type=JSON,
    )
    assert created.status_code == 201
    assert created.json() | {"id": 0} == {
        "id": 0,
        "currency": "USD",
        "base": "EUR",
        "date": "2026-03-03",
        "rate": "0.921500000000",
        "source": "typed",
    }
    listed = client.get("/api/money/rates?currency=USD").json()
    assert listed["count"] == 1
    rate_id = created.json()["id"]
    assert client.delete(f"/api/money/rates/{rate_id}").status_code == 204
    assert not ExchangeRate.objects.exists()


def test_a_rate_in_the_base_currency_is_a_400_naming_the_field(client, personas):
    client.force_login(personas.alice)
    response = client.post(
        "/api/money/rates",
        {"currency": "EUR", "date": "2026-03-03", "rate": "1"},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"][-1] == "currency"


def test_only_an_owner_changes_the_base_currency(client, personas):
    leader = MembershipFactory(workspace=personas.workspace_a, role=Role.LEADER).user
    client.force_login(leader)
    refused = client.put("/api/money/currency", {"base_currency": "GBP"}, content_type=JSON)
    assert refused.status_code == 403
    client.force_login(personas.alice)
    changed = client.put("/api/money/currency", {"base_currency": "gbp"}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["base_currency"] == "GBP"


def test_account_managers_see_no_rates(client, personas):
    client.force_login(personas.amir)
    assert client.get("/api/money/rates").status_code == 403
    assert client.get("/api/money/currency").status_code == 403


def test_a_read_only_key_reads_and_a_read_write_key_records(client, personas):
    ExchangeRateFactory(workspace=personas.workspace_a)
    read = key(personas, ApiKeyScope.READ)
    assert client.get("/api/money/rates", headers=read).json()["count"] == 1
    body = {"currency": "GBP", "date": "2026-03-03", "rate": "1.17"}
    assert client.post("/api/money/rates", body, content_type=JSON, headers=read).status_code == 403
    write = key(personas, ApiKeyScope.READ_WRITE)
    assert (
        client.post("/api/money/rates", body, content_type=JSON, headers=write).status_code == 201
    )
    refused = client.put(
        "/api/money/currency", {"base_currency": "GBP"}, content_type=JSON, headers=write
    )
    assert refused.status_code == 403


def test_a_stranger_sees_and_removes_none_of_another_workspaces_rates(client, personas):
    rate = ExchangeRateFactory(workspace=personas.workspace_a)
    client.force_login(personas.charlie)
    assert client.get("/api/money/rates").json()["count"] == 0
    assert client.delete(f"/api/money/rates/{rate.pk}").status_code == 404
    assert ExchangeRate.objects.filter(pk=rate.pk).exists()
