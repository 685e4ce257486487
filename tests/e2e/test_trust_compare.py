"""Browser journey: an account manager compares a client's trust between two dates, across a
weight change, with a quick pick and with typed dates. Screenshots at desktop and phone widths
under var/screenshots/trust-compare*.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import AXE, describe, violations
from tests.factories import PASSWORD
from tests.trust.test_explain import D, Story
from trustledger.trust.models import SnapshotKind

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def axe() -> str:
    """axe-core's source, or "" where it is not installed (the journey still runs; CI needs it)."""
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing and CI=true: run scripts/system-deps.sh (npm ci)")
        return ""
    return AXE.read_text()


def accessible(page: Page, axe: str) -> None:
    if axe:
        found = violations(page, axe)
        assert not found, describe(found)


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scroll"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_comparing_two_dates_across_a_weight_change(live_server, page: Page, personas, axe):
    story = Story(personas)
    story.snapshot(14)
    story.reweigh(5, recommendation=3.0)
    story.snapshot(0, SnapshotKind.CURRENT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail address").fill(personas.amir.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/trust/clients/{story.client.pk}/")
    card = page.locator("#compare")
    expect(card.get_by_role("heading", level=2)).to_contain_text("What changed from")
    expect(card.locator(".config-line")).to_contain_text("Configuration changed (v1 → v2")
    expect(card.locator("ol.story li")).to_have_count(2)
    no_sideways_scroll(page)
    accessible(page, axe)
    page.screenshot(path=SCREENSHOTS / "trust-compare.png", full_page=True)

    card.get_by_role("link", name="90 days ago").click()
    expect(card.get_by_role("heading", level=2)).to_contain_text(
        f"from {story.today - D(90):%-d %b %Y}"
    )
    card.get_by_label("From").fill(str(story.today - D(1)))
    card.get_by_label("To").fill(str(story.today - D(30)))
    card.get_by_role("button", name="Compare").click()
    expect(page.locator("#c-error")).to_contain_text("must be before the 'to' date")
    expect(card.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    accessible(page, axe)
    page.locator("#compare").screenshot(path=SCREENSHOTS / "trust-compare-error.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/trust/clients/{story.client.pk}/")
    expect(page.locator("#compare .compare-header")).to_be_visible()
    no_sideways_scroll(page)
    accessible(page, axe)
    page.screenshot(path=SCREENSHOTS / "trust-compare-phone.png", full_page=True)
    page.locator("#compare").screenshot(path=SCREENSHOTS / "trust-compare-card-phone.png")
