"""Browser journey: a firm owner opens the analytics dashboard of the demo firm, narrows it to a
tier by quarter, and drills from a headline figure to the clients behind it. Screenshots at
desktop and phone widths under tests/artifacts/screenshots/analytics-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from trustledger.demo import generate_demo_firm, people

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scroll"


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(people.DEMO_EMAIL)
    page.get_by_label("Password").fill(people.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_reads_the_dashboard_and_drills_down(live_server, page: Page):
    generate_demo_firm(seed=7)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/analytics/?months=24")
    expect(page.get_by_role("heading", name="Portfolio analytics")).to_be_visible()
    expect(page.locator("#cohort-curves")).to_be_visible()
    expect(page.locator("#nps-trend")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=SHOTS / "analytics-dashboard.png", full_page=True)

    page.get_by_label("Segment", exact=True).select_option("tier:key")
    page.get_by_label("Trend by", exact=True).select_option("quarter")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Trend by quarter")).to_be_visible()
    assert "segment=tier%3Akey" in page.url or "segment=tier:key" in page.url

    page.locator("a.metric").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clients served at the end")
    expect(page.locator("table.data tbody tr").first).to_be_visible()
    page.screenshot(path=SHOTS / "analytics-drill.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/analytics/?months=24")
    expect(page.locator("#cohort-curves-n")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=SHOTS / "analytics-dashboard-phone.png", full_page=True)
