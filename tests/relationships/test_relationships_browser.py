"""Browser journey: an account manager fills a relationship health check through the form and
sees its score, trend and weakest areas on the client page; the due page lists what is left.
Screenshots at desktop and phone widths, with no sideways scroll on the phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import Personas
from tests.factories import PASSWORD
from trustledger.relationships import services

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def a_review(p: Personas) -> int:
    review = services.record_business_review(
        p.client_a,
        by=p.amir,
        held_on=timezone.localdate() - dt.timedelta(days=200),
        attendees=["Ada Contact", "Amir Manager"],
        agenda=["Results since the last review", "Priorities for next year"],
        goals=[
            ("Cut month-end close to five days", "achieved"),
            ("Open the Nordic market", "at_risk"),
        ],
        value_delivered=[
            ("Licence costs saved", Decimal("18500")),
            ("Faster board reporting", None),
        ],
        next_steps=["Send the roadmap draft"],
        summary="The sponsor wants more ideas for the Nordic launch.",
    )
    return review.pk


def a_key_account_with_history(p: Personas) -> None:
    """GIVEN a key client checked twice before, the second time worse, and a key client that
    nobody manages."""
    today = timezone.localdate()
    p.client_a.tier = "key"
    p.client_a.save()
    p.other_client_a.tier = "key"
    p.other_client_a.save()
    for months_ago, level in ((9, 5), (5, 4)):
        services.record_health_check(
            p.client_a,
            by=p.amir,
            held_on=today - dt.timedelta(days=30 * months_ago),
            answers=dict.fromkeys(("delivers", "bad_news", "priorities", "strategy"), (level, "")),
        )


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def answer(page: Page, question: str, choice: str, notes: str = "") -> None:
    group = page.get_by_role("group", name=question)
    group.get_by_label(choice).check()
    if notes:
        group.get_by_label("Notes").fill(notes)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_health_check_filled_in_the_form_shows_on_the_client_page(
    live_server, page: Page, personas
):
    p = personas
    a_key_account_with_history(p)
    review_id = a_review(p)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, p.amir.email)

    # The due page lists the overdue check and the unmanaged key client
    page.get_by_role("link", name="Due", exact=True).click()
    expect(page.get_by_role("heading", name="Due this month")).to_be_visible()
    row = page.locator("tr", has_text="Acme Secret Holdings").filter(has_text="Health check")
    expect(row.get_by_text("Overdue")).to_be_visible()
    expect(page.get_by_text("Key client without a dedicated account manager")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "relationships-due-1280.png", full_page=True)

    # WHEN Amir starts the check from the due list and fills it in
    row.get_by_role("link", name="Start health check").click()
    expect(page.get_by_role("heading", name="Health check of Acme Secret Holdings")).to_be_visible()
    answer(page, "We deliver what we promised, when we promised it.", "4 · Mostly")
    answer(page, "We tell the client bad news early and plainly.", "2 · Rarely", "Slip hidden")
    answer(page, "We act on the client's priorities, not only on ours.", "3 · Sometimes")
    answer(
        page,
        "We bring ideas beyond the current project that serve the client's strategy.",
        "2 · Rarely",
    )
    answer(
        page,
        "We talk with the client about the value delivered, not only hours and costs.",
        "1 · Not at all",
        "Never came up",
    )
    page.get_by_label("Summary").fill("Honesty and value need work.")
    page.screenshot(path=SCREENSHOTS / "relationships-health-check-form-1280.png", full_page=True)
    page.get_by_role("button", name="Save health check").click()

    # THEN the check shows its score and weakest areas
    # results 75 * 2 + integrity 25 * 2 + concern 50 * 2 + strategy 25 + value 0 = 325 / 8
    expect(page.get_by_text("Health check recorded: 41 of 100.")).to_be_visible()
    expect(page.get_by_text("Slip hidden")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "relationships-health-check-1280.png", full_page=True)

    # AND the client page's panel shows it, its fall and the chart
    page.get_by_role("link", name="Acme Secret Holdings").first.click()
    panel = page.locator("#relationship-routines")
    expect(panel.locator(".rel-score-number")).to_have_text("41")
    expect(panel.get_by_text("down 34")).to_be_visible()  # 75 before
    expect(panel.get_by_text("Talking about value, Integrity, Strategic thinking")).to_be_visible()
    expect(panel.get_by_role("img", name="Relationship health by check")).to_be_visible()
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=SCREENSHOTS / "relationships-client-panel-1280.png")
    page.screenshot(path=SCREENSHOTS / "relationships-client-1280.png", full_page=True)

    page.goto(f"{live_server.url}/relationships/reviews/{review_id}/")
    expect(page.get_by_text("€18,500")).to_have_count(2)  # the item and the total
    page.screenshot(path=SCREENSHOTS / "relationships-review-1280.png", full_page=True)
    page.goto(f"{live_server.url}/relationships/clients/{p.client_a.pk}/")
    page.screenshot(path=SCREENSHOTS / "relationships-history-1280.png", full_page=True)

    # At phone width every page fits without sideways scrolling
    page.set_viewport_size(PHONE)
    pages = {
        "client": f"{live_server.url}/clients/{p.client_a.pk}/",
        "due": f"{live_server.url}/relationships/due/",
        "history": f"{live_server.url}/relationships/clients/{p.client_a.pk}/",
        "health-check-form": (
            f"{live_server.url}/relationships/clients/{p.client_a.pk}/health-checks/new/"
        ),
        "review-form": f"{live_server.url}/relationships/clients/{p.client_a.pk}/reviews/new/",
        "review": f"{live_server.url}/relationships/reviews/{review_id}/",
    }
    for name, url in pages.items():
        page.goto(url)
        page.screenshot(path=SCREENSHOTS / f"relationships-{name}-390.png", full_page=True)
        assert no_sideways_scroll(page), f"{name} scrolls sideways at 390 px"
    page.goto(pages["client"])
    page.locator("#relationship-routines").screenshot(
        path=SCREENSHOTS / "relationships-client-panel-390.png"
    )
