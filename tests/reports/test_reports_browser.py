"""Browser journey: an account manager goes from an alert on an at-risk client to the
engagement, drafts a status report, edits its narrative, sends it, and the mail arrives.
Screenshots at desktop and phone widths under tests/artifacts/screenshots/reports-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.test_engagement_page import sign_in
from tests.reports.scenario import build
from tests.smtp import text_part
from trustledger.reports import services
from trustledger.reports.models import StatusReport
from trustledger.trust.models import Alert

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def an_alert(personas) -> Alert:
    return Alert.objects.create(
        workspace=personas.workspace_a,
        client=personas.client_a,
        cause="band_drop",
        detail="Trust fell from watch to at risk",
        suggested_step="Call the sponsor and send a status report",
        evidence_date=timezone.localdate() - dt.timedelta(days=2),
        owner=personas.amir,
    )


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "sideways scroll"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_account_manager_sends_a_status_report_to_an_at_risk_client(
    live_server, page: Page, personas, smtp_server
):
    scenario = build(personas)
    an_alert(personas)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, personas.amir.email)

    # from the alert to the client, then to the engagement
    page.goto(f"{live_server.url}/trust/alerts/")
    page.get_by_role("link", name="Acme Secret Holdings").first.click()
    page.locator(".breadcrumbs").get_by_role("link", name="Acme Secret Holdings").click()
    expect(page.get_by_role("heading", name="Status reports")).to_be_visible()
    page.get_by_role("link", name="ERP selection").first.click()
    expect(page.get_by_role("heading", name="ERP selection", exact=True)).to_be_visible()
    page.locator("#status-reports").screenshot(path=SHOTS / "reports-engagement-panel.png")

    # draft, read the preview
    page.locator("#status-reports").get_by_role("button", name="+ Draft a report").click()
    expect(page.get_by_text("Report drafted from the live figures.")).to_be_visible()
    expect(page.get_by_role("heading", name="Progress since the last report")).to_be_visible()
    expect(page.get_by_role("img", name="Milestone timeline").first).to_be_visible()
    expect(page.get_by_role("img", name="Budget burn").first).to_be_visible()
    page.screenshot(path=SHOTS / "reports-draft.png", full_page=True)

    # edit the narrative
    page.get_by_role("link", name="Edit narrative").click()
    narrative = page.get_by_label("Narrative")
    expect(narrative).to_contain_text("Vendor longlist")
    narrative.fill(
        "We delivered the vendor longlist and you accepted the longlist report.\n\n"
        "The shortlist is late: we will call you on Thursday with a new date."
    )
    page.screenshot(path=SHOTS / "reports-edit.png", full_page=True)
    page.get_by_role("button", name="Save narrative").click()
    expect(page.get_by_text("Narrative saved.")).to_be_visible()
    expect(page.get_by_text("we will call you on Thursday")).to_be_visible()

    # choose the recipients and send
    page.get_by_role("link", name="Choose recipients and send").click()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Choose at least one contact")).to_be_visible()
    page.get_by_label("Ada Contact").check()
    page.screenshot(path=SHOTS / "reports-send.png", full_page=True)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Report sent to Ada Contact, with its PDF.")).to_be_visible()
    expect(page.get_by_text("Sent and read-only")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(page.get_by_role("link", name="Edit narrative")).to_have_count(0)
    page.screenshot(path=SHOTS / "reports-sent.png", full_page=True)

    # the mail arrived, with the edited narrative and the PDF
    ((rcpt, message),) = smtp_server.messages
    assert rcpt == [personas.contact_a.email]
    assert "we will call you on Thursday" in text_part(message)
    assert any(p.get_content_type() == "application/pdf" for p in message.walk())
    report = StatusReport.objects.get(
        status="sent", engagement=scenario.engagement, narrative__contains="Thursday"
    )
    assert report.interaction is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_report_pages_work_on_a_phone(live_server, browser, personas, mailoutbox):
    scenario = build(personas)
    draft = services.draft_report(personas.client_a, engagement=scenario.engagement, by=None)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, personas.amir.email)
    for path, name in (
        (f"/reports/{draft.pk}/", "reports-draft-phone.png"),
        (f"/reports/{draft.pk}/send/", "reports-send-phone.png"),
        (f"/reports/engagements/{scenario.engagement.pk}/", "reports-list-phone.png"),
    ):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=SHOTS / name, full_page=True)
        no_sideways_scroll(page)
    context.close()
