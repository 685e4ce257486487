"""Browser journey: an owner opens Webhooks from the user menu, allows private targets, adds a
webhook to a real receiver on 127.0.0.1, copies the secret, sends a test event and finds it in
the delivery log. Screenshots at desktop and phone widths under
tests/artifacts/screenshots/webhooks-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from standardwebhooks import Webhook

from tests.factories import PASSWORD, MembershipFactory
from tests.webhooks.receiver import Receiver
from trustledger.core.worker import run_until_idle
from trustledger.workspaces.models import Role

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scroll"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_adds_a_webhook_and_sees_the_test_event_delivered(live_server, page: Page):
    owner = MembershipFactory(role=Role.OWNER, user__email="olga@firm.example")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail address").fill(owner.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".usermenu summary").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    page.get_by_label("Allow loopback and private-network addresses").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Private targets are allowed.")

    with Receiver() as receiver:
        page.get_by_role("link", name="New webhook").click()
        page.get_by_label("Name").fill("Ops channel")
        page.locator("#id_url").fill(receiver.url)
        page.get_by_label("A trust alert was raised").check()
        page.get_by_label("A client's trust band changed").check()
        page.get_by_role("button", name="Create webhook").click()
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        page.get_by_role("link", name="Done").click()
        page.get_by_role("button", name="Send test event").click()
        run_until_idle()
        page.reload()
    (request,) = receiver.accepted
    assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"
    expect(page.get_by_role("row").filter(has_text="webhook.test")).to_contain_text("HTTP 200")

    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        no_sideways_scroll(page)
        page.screenshot(path=SHOTS / f"webhooks-log-{width}.png", full_page=True)
    page.goto(f"{live_server.url}/settings/webhooks/")
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        no_sideways_scroll(page)
        page.screenshot(path=SHOTS / f"webhooks-list-{width}.png", full_page=True)
    page.goto(f"{live_server.url}/settings/webhooks/new/")
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    page.screenshot(path=SHOTS / "webhooks-new-390.png", full_page=True)
