"""Browser journey: an account manager opens a recovery plan from an alert, acknowledges it, asks
why, plans an action, updates the client and closes the plan. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.recovery.conftest import alert, snapshot

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"recovery-{name}.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_plan_from_alert_to_close(live_server, page: Page, personas):
    today = timezone.localdate()
    evidence = {
        "on_time": [
            {"date": "2026-02-20", "description": "Go-live missed by 12 days", "impact": -18.5}
        ]
    }
    snapshot(personas.client_a, today - dt.timedelta(days=1), 42.0, "at_risk", evidence=evidence)
    alert(personas.client_a)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, personas.amir.email)

    # GIVEN an alert; WHEN the account manager opens a plan from it
    page.goto(f"{live_server.url}/trust/alerts/")
    page.get_by_role("link", name="Open a recovery plan").click()
    expect(page.get_by_role("heading", name="Open a recovery plan")).to_be_visible()
    expect(page.get_by_label("Trigger")).to_have_value("Go-live missed on 20 Feb without notice.")
    shoot(page, "open")
    page.get_by_role("button", name="Open plan").click()
    expect(page.get_by_text("Recovery plan opened for Acme Secret Holdings")).to_be_visible()
    expect(page.get_by_text("Go-live missed by 12 days")).to_be_visible()

    # Acknowledge
    ack = page.locator("#acknowledge form")
    ack.get_by_label("Meeting held on").fill(today.isoformat())
    ack.get_by_label("Amir Manager").check()
    ack.get_by_label("Ada Contact").check()
    ack.get_by_label("Responsibility taken").select_option("yes")
    ack.get_by_role("button", name="Save acknowledgement").click()
    expect(page.get_by_text("Please correct the errors below.")).to_be_visible()
    expect(ack.get_by_text("Write down how the firm took responsibility")).to_be_visible()
    shoot(page, "error")
    ack.get_by_label("In the words used").fill("We missed the date and did not warn you.")
    ack.get_by_role("button", name="Save acknowledgement").click()
    expect(page.get_by_text("Acknowledgement saved.")).to_be_visible()

    # A why chain, ended by its root cause
    page.get_by_text("Start a why chain").click()
    chain = page.locator("#causes form").first
    chain.get_by_label("Problem").fill("Go-live slipped")
    chain.get_by_label("Why? (first)").fill("Why did it slip?")
    chain.get_by_label("Because").fill("Testing started late")
    chain.get_by_role("button", name="Start chain").click()
    expect(page.get_by_text("Why chain started.")).to_be_visible()
    page.get_by_text("Name a root cause").click()
    cause = page.locator("form[action$='/causes/']")
    cause.get_by_label("Root cause").fill("Environments are not booked at kickoff")
    cause.get_by_label("Fishbone category").select_option("process")
    cause.get_by_label("Erosion factor").select_option("on_time")
    cause.get_by_label("Ends the why chain").select_option(label="Go-live slipped")
    cause.get_by_role("button", name="Record root cause").click()
    expect(page.get_by_text("Root cause recorded.")).to_be_visible()

    # An action and an update
    page.get_by_text("Add an action").click()
    action = page.locator("form[action$='/actions/']")
    action.get_by_label("Action").fill("Book environments at kickoff")
    action.get_by_label("Due on").fill((today + dt.timedelta(days=7)).isoformat())
    action.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added.")).to_be_visible()
    page.get_by_text("Record an update").click()
    update = page.locator("form[action$='/updates/']")
    update.get_by_label("What the client was told").fill(
        "Environments booked; testing starts Monday."
    )
    update.get_by_label("Share in the client portal").check()
    update.get_by_role("button", name="Record update").click()
    expect(page.get_by_text("Update recorded")).to_be_visible()
    page.get_by_role("button", name="Mark done: Book environments at kickoff").click()
    expect(page.get_by_text("Action updated")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "plan")

    # Close
    page.get_by_text("Close the plan").click()
    close = page.locator("form[action$='/close/']")
    close.get_by_label("Outcome").select_option("recovered")
    close.get_by_label("Lessons learned").fill("Book environments at kickoff; own the miss early.")
    close.get_by_role("button", name="Close plan").click()
    expect(page.get_by_text("Plan closed.")).to_be_visible()
    timeline = page.locator("#timeline")
    for kind in (
        "Opened",
        "Acknowledged",
        "5 Whys",
        "Root cause",
        "Action done",
        "Update",
        "Closed",
    ):
        expect(timeline.get_by_text(kind, exact=True).first).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "closed")
    plan_url = page.url.split("#")[0]

    page.goto(f"{live_server.url}/recovery/?status=all")
    expect(page.get_by_role("link", name="Rebuild trust with Acme Secret Holdings")).to_be_visible()
    shoot(page, "list")
    page.goto(f"{live_server.url}/recovery/systemic/")
    expect(page.get_by_role("heading", name="By erosion factor")).to_be_visible()
    shoot(page, "systemic")

    # The same pages on a phone: no sideways scroll
    page.set_viewport_size({"width": 390, "height": 844})
    for url, name in (
        (plan_url, "plan-phone"),
        (f"{live_server.url}/recovery/?status=all", "list-phone"),
        (f"{live_server.url}/recovery/systemic/", "systemic-phone"),
    ):
        page.goto(url)
        shoot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (
            f"{name} scrolls sideways"
        )
