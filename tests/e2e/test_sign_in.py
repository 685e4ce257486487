"""Browser journey: sign in with Debian's Chromium and see the clients list."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_signs_in_and_sees_the_clients_list(live_server, page: Page, personas):
    page.goto(f"{live_server.url}/clients/")
    page.get_by_label("E-mail address").fill(personas.alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    expect(page.get_by_role("link", name="Acme Secret Holdings")).to_be_visible()
    page.get_by_label("Search", exact=True).fill("other")
    expect(page.get_by_role("link", name="Acme Secret Holdings")).to_be_hidden()
    expect(page.get_by_role("link", name="Other Alpha Client")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "clients-list.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_clients_list_works_on_a_phone(live_server, browser, personas):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail address").fill(personas.amir.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Acme Secret Holdings")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "clients-list-phone.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    context.close()
