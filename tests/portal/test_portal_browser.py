"""Browser journey: a client contact asks for a sign-in link, reads it from the mail the real
SMTP server received, signs in, approves a change request, asks a question, and cannot open
another client's engagement. Screenshots of the portal at desktop and phone widths."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_engagement_page import a_busy_engagement
from tests.portal.helpers import open_portal, shared_engagement, submitted_change, token_in
from tests.smtp import text_part
from trustledger.communications.models import Inquiry
from trustledger.engagements.models import ChangeRequest

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("", DESKTOP), ("-phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"portal-{name}{label}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} scrolls sideways at {size['width']} px"
    page.set_viewport_size(DESKTOP)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_contact_signs_in_by_link_approves_a_change_and_asks_a_question(
    live_server, page: Page, personas, smtp_server
):
    open_portal(personas.client_a)
    engagement = a_busy_engagement(personas)
    engagement.portal_shared = True
    engagement.save()
    cr = submitted_change(
        engagement, title="Add a second vendor workshop", cost_impact=Decimal(4500)
    )
    elsewhere = shared_engagement(personas.other_client_a, name="Other Client Programme")
    base = live_server.url

    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/portal/")
    shoot(page, "sign-in")
    page.get_by_label("Your e-mail address").fill(personas.contact_a.email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    shoot(page, "link-sent")

    ((_, message),) = smtp_server.messages
    page.goto(f"{base}/portal/link/{token_in(text_part(message))}/")
    page.get_by_role("button", name="Sign in to the portal").click()
    expect(page.get_by_role("heading", name="Hello Ada Contact")).to_be_visible()
    expect(page.get_by_text("Acme Secret Holdings")).to_be_visible()
    expect(page.get_by_role("link", name="Add a second vendor workshop")).to_be_visible()
    shoot(page, "home")

    page.get_by_role("link", name="ERP selection").click()
    expect(page.get_by_role("img", name="Milestone timeline")).to_be_visible()
    expect(page.get_by_role("img", name="Budget burn")).to_be_visible()
    shoot(page, "engagement")

    page.get_by_role("link", name="Review Add a second vendor workshop").click()
    shoot(page, "change-request")
    page.get_by_label("A note for the team").fill("Agreed in Tuesday's call.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("You approved “Add a second vendor workshop”")).to_be_visible()
    cr.refresh_from_db()
    engagement.refresh_from_db()
    assert cr.status == "approved" and cr.decided_by == personas.contact_a
    assert engagement.budget_amount == Decimal(64500)

    page.get_by_role("link", name="Ask a question").first.click()
    page.get_by_label("Subject").fill("Who runs the workshop?")
    page.get_by_label("Your question").fill("We need to book the room.")
    shoot(page, "ask")
    page.get_by_role("button", name="Send the question").click()
    expect(page.get_by_text("Your question is with the team")).to_be_visible()
    assert Inquiry.objects.get().contact == personas.contact_a

    page.goto(f"{base}/portal/feedback/")
    shoot(page, "feedback")

    response = page.goto(f"{base}/portal/engagements/{elsewhere.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_text("Other Client Programme")).to_have_count(0)

    page.goto(f"{base}/portal/home/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to your client portal")).to_be_visible()
    assert ChangeRequest.objects.get(pk=cr.pk).decided_in_portal
