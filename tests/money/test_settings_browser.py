"""Browser journey: an owner whose firm bills in USD and CHF opens "Currency and exchange rates"
from the user menu, sees which currency has no rate, types one, and finds the analytics warning
about the other. Screenshots at desktop and phone widths under
tests/artifacts/screenshots/money-*.png."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.analytics.factories import TimeEntryFactory
from tests.engagements.factories import EngagementFactory
from tests.factories import PASSWORD, ClientFactory, MembershipFactory
from tests.money.factories import ExchangeRateFactory
from trustledger.workspaces.models import Role

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scroll"


def a_firm_in_three_currencies() -> str:
    owner = MembershipFactory(role=Role.OWNER, user__email="olga@firm.example")
    client = ClientFactory(workspace=owner.workspace, name="Northwind Traders")
    day = timezone.localdate() - dt.timedelta(days=5)
    for currency in ("EUR", "USD", "CHF"):
        engagement = EngagementFactory(client=client, currency=currency, name=f"Work in {currency}")
        TimeEntryFactory(engagement=engagement, date=day, hours=Decimal(10))
    for days_ago, rate in ((40, "0.93"), (10, "0.92")):
        ExchangeRateFactory(
            workspace=owner.workspace,
            currency="USD",
            date=timezone.localdate() - dt.timedelta(days=days_ago),
            rate=Decimal(rate),
        )
    return owner.user.email


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_sees_a_currency_without_rates_and_types_one(live_server, page: Page):
    email = a_firm_in_three_currencies()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/analytics/")
    warning = page.locator("#missing-rates")
    expect(warning).to_contain_text("No rate for CHF on")
    page.locator(".usermenu summary").click()
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Currency and exchange rates"
    ).click()

    expect(page.get_by_role("heading", name="Currency and exchange rates")).to_be_visible()
    chf = page.locator("#h-currencies ~ div").get_by_role("row").filter(has_text="CHF")
    expect(chf).to_contain_text("No rate yet")
    no_sideways_scroll(page)
    page.screenshot(path=SHOTS / "money-settings.png", full_page=True)

    a_month_ago = timezone.localdate() - dt.timedelta(days=30)
    page.get_by_label("On:", exact=True).fill(a_month_ago.isoformat())
    page.get_by_label("Currency:", exact=True).fill("chf")
    page.get_by_label("Worth, in the base currency").fill("1.05")
    page.get_by_role("button", name="Save rate").click()
    expect(page.locator(".flash")).to_contain_text("Saved: 1 CHF = 1.05 EUR on")
    expect(chf).to_contain_text("1 CHF = 1.05 EUR")

    page.goto(f"{live_server.url}/analytics/")
    expect(page.locator("#missing-rates")).to_have_count(0)
    # 1,500 EUR + 1,500 USD x 0.92 + 1,500 CHF x 1.05
    expect(page.locator("#profitability")).to_contain_text("4,455")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/settings/currency/")
    expect(page.get_by_role("heading", name="Add a rate")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=SHOTS / "money-settings-phone.png", full_page=True)
