"""Browser journey: an owner opens an engagement with milestones and time, records a milestone's
delivery inline, and sees the page update. Screenshots at desktop and phone widths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import Personas
from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    NoticeFactory,
    QualityIssueFactory,
    ScopeItemFactory,
    SuccessCriterionFactory,
    TimeEntryFactory,
)
from tests.factories import PASSWORD
from trustledger.engagements.models import (
    Assignment,
    DeliverableReview,
    Engagement,
    Responsibility,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def a_busy_engagement(p: Personas) -> Engagement:
    """GIVEN an active engagement, four months in: one milestone on time, one late but announced,
    one overdue without notice, one forecast to slip; time logged weekly, some on no scope."""
    today = timezone.localdate()

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    e = EngagementFactory(
        client=p.client_a,
        name="ERP selection",
        start_date=day(-120),
        end_date=day(60),
        budget_hours=Decimal(400),
        budget_amount=Decimal(60000),
        lead=p.amir,
        kickoff_date=day(-118),
        signed_off_by=p.contact_a,
        signed_off_on=day(-121),
        activated_on=day(-120),
    )
    scope = [
        ScopeItemFactory(engagement=e, title=t)
        for t in ("Discovery and requirements", "Vendor longlist and shortlist", "Contract")
    ]
    Responsibility.objects.create(
        workspace=e.workspace, engagement=e, side="firm", person="Amir Manager", role="Lead"
    )
    Responsibility.objects.create(
        workspace=e.workspace, engagement=e, side="client", person="Ada Contact", role="Sponsor"
    )
    SuccessCriterionFactory(
        engagement=e, description="Vendor chosen by the agreed date", met=True, assessed_on=day(-5)
    )
    SuccessCriterionFactory(engagement=e, description="Adoption above 80%", target="80%")
    MilestoneFactory(
        engagement=e,
        name="Requirements signed",
        committed_date=day(-90),
        delivered_on=day(-91),
        status="delivered",
    )
    longlist = MilestoneFactory(
        engagement=e,
        name="Vendor longlist",
        committed_date=day(-60),
        delivered_on=day(-48),
        status="delivered",
    )
    NoticeFactory(engagement=e, milestone=longlist, sent_on=day(-66), new_date=day(-50))
    MilestoneFactory(
        engagement=e, name="Shortlist and demos", committed_date=day(-20), buffer_days=3
    )
    final = MilestoneFactory(
        engagement=e,
        name="Final recommendation",
        committed_date=day(30),
        buffer_days=7,
        forecast_date=day(40),
    )
    NoticeFactory(engagement=e, milestone=final, sent_on=day(-4), new_date=day(40))
    MilestoneFactory(engagement=e, name="Contract signed", committed_date=day(55))
    accepted = DeliverableFactory(
        engagement=e, name="Requirements document", due_date=day(-90), status="accepted"
    )
    DeliverableReview.objects.create(
        workspace=e.workspace, deliverable=accepted, reviewed_on=day(-88), outcome="accepted"
    )
    DeliverableFactory(engagement=e, name="Demo scripts", due_date=day(-25), status="in_review")
    for week in range(17):
        for person, hours, item in (("Amir Manager", 8, 0), ("Sam Staff", 14, 1 + week // 9)):
            TimeEntryFactory(
                engagement=e,
                person_name=person,
                date=day(-118 + 7 * week),
                hours=Decimal(hours),
                cost_rate=Decimal(95),
                scope_item=scope[min(item, 2)],
            )
    for week in (10, 12, 14):
        TimeEntryFactory(engagement=e, person_name="Sam Staff", date=day(-118 + 7 * week + 2))
    ChangeRequestFactory(
        engagement=e,
        title="Third demo round",
        status="approved",
        submitted_on=day(-40),
        decided_on=day(-35),
        decided_by=p.contact_a,
    )
    ChangeRequestFactory(
        engagement=e, title="Data migration assessment", status="submitted", submitted_on=day(-3)
    )
    QualityIssueFactory(engagement=e, title="Scores do not add up", opened_on=day(-10))
    QualityIssueFactory(
        engagement=e,
        title="Typos in the longlist",
        severity="low",
        found_by="internal",
        opened_on=day(-50),
        resolved_on=day(-47),
        root_cause="No proofreading step",
    )
    Assignment.objects.create(
        workspace=e.workspace, engagement=e, person=p.amir, weekly_hours=Decimal(10)
    )
    Assignment.objects.create(
        workspace=e.workspace, engagement=e, person=p.sam, weekly_hours=Decimal(20)
    )
    return e


def a_proposal(p: Personas) -> Engagement:
    """GIVEN a proposed engagement whose team is already booked elsewhere."""
    today = timezone.localdate()
    e = EngagementFactory(
        client=p.client_a,
        name="Cloud migration",
        status="proposed",
        start_date=today + dt.timedelta(days=14),
        end_date=today + dt.timedelta(days=120),
        lead=p.amir,
    )
    for person, hours in ((p.amir, 35), (p.sam, 12)):
        Assignment.objects.create(
            workspace=e.workspace, engagement=e, person=person, weekly_hours=Decimal(hours)
        )
    return e


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_recording_a_milestone_delivery_updates_the_page(live_server, page: Page, personas):
    engagement = a_busy_engagement(personas)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, personas.alice.email)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_role("heading", name="ERP selection")).to_be_visible()
    expect(page.get_by_role("img", name="Milestone timeline")).to_be_visible()
    expect(page.get_by_role("img", name="Budget burn")).to_be_visible()
    expect(page.get_by_text("Work on unapproved scope")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "engagement-before.png", full_page=True)

    # WHEN the overdue milestone's delivery is recorded inline
    page.get_by_role("link", name="Record delivery: Shortlist and demos").click()
    form = page.locator("#milestone-slot form")
    expect(form.get_by_label("Delivered on")).to_have_value(timezone.localdate().isoformat())
    page.locator("#milestones").screenshot(path=SCREENSHOTS / "engagement-inline-form.png")
    form.get_by_role("button", name="Record delivery").click()

    # THEN the page updates in place: the flash, the row, and the chart
    expect(page.get_by_text("Shortlist and demos is delivered.")).to_be_visible()
    row = page.locator("tr", has_text="Shortlist and demos")
    expect(row.get_by_text("20 d late")).to_be_visible()
    expect(row.get_by_role("link", name="Record delivery: Shortlist and demos")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")  # the swap keeps the reader's place; shoot from the top
    page.screenshot(path=SCREENSHOTS / "engagement.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refused_delivery_shows_its_error_inline(live_server, page: Page, personas):
    engagement = a_busy_engagement(personas)
    sign_in(page, live_server.url, personas.sam.email)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    page.get_by_role("link", name="Record delivery: Contract signed").click()
    form = page.locator("#milestone-slot form")
    form.get_by_label("Delivered on").fill("")
    form.get_by_role("button", name="Record delivery").click()
    expect(form.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_role("heading", name="ERP selection")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#milestones").screenshot(path=SCREENSHOTS / "engagement-inline-error.png")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_time_logged_inline_on_no_scope_shows_as_unapproved(live_server, page: Page, personas):
    engagement = a_busy_engagement(personas)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, personas.sam.email)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    page.get_by_role("link", name="+ Log time").click()
    form = page.locator("#budget-slot form")
    expect(form.get_by_label("Work on")).to_have_value("")
    form.get_by_label("Hours").fill("5")
    form.get_by_label("Cost rate").fill("90")
    form.get_by_label("Bill rate").fill("150")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#budget").screenshot(path=SCREENSHOTS / "engagement-log-time.png")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Time logged.")).to_be_visible()
    expect(page.get_by_text("Work on unapproved scope: 29 h")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_engagement_page_works_on_a_phone(live_server, browser, personas):
    engagement = a_busy_engagement(personas)
    proposal = a_proposal(personas)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, personas.amir.email)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_role("heading", name="ERP selection")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "engagement-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scroll"
    page.goto(f"{live_server.url}/engagements/{proposal.pk}/")
    expect(page.get_by_text("would be over-committed")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "engagement-proposed-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scroll"
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_proposal_shows_its_capacity_check_first(live_server, page: Page, personas):
    proposal = a_proposal(personas)
    a_busy_engagement(personas)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, personas.alice.email)
    page.goto(f"{live_server.url}/engagements/{proposal.pk}/")
    expect(page.get_by_role("heading", name="Capacity check: can we take this on?")).to_be_visible()
    expect(page.get_by_text("1 of 2 people would be over-committed")).to_be_visible()
    expect(page.get_by_label("Or start without it, saying why")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "engagement-proposed.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_account_manager_proposes_an_engagement_from_the_client_page(
    live_server, page: Page, personas
):
    a_busy_engagement(personas)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, personas.amir.email)
    page.goto(f"{live_server.url}/clients/{personas.client_a.pk}/")
    expect(page.get_by_role("link", name="ERP selection", exact=True)).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "client-engagements.png", full_page=True)
    page.get_by_role("link", name="+ New engagement").click()
    expect(page.get_by_label("Client")).to_have_value(str(personas.client_a.pk))
    page.get_by_label("Name").fill("Cloud migration")
    page.get_by_label("Type").select_option("time_materials")
    page.get_by_label("Start date").fill("2027-01-04")
    page.get_by_label("End date").fill("2026-12-01")
    page.get_by_role("button", name="Propose engagement").click()
    expect(page.get_by_text("The end date must not be before the start date.")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "engagement-new-error.png", full_page=True)
    page.get_by_label("End date").fill("2027-06-30")
    page.get_by_role("button", name="Propose engagement").click()
    expect(page.get_by_text("Cloud migration was proposed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Before the work starts")).to_be_visible()
    page.goto(f"{live_server.url}/engagements/")
    expect(page.get_by_role("link", name="Cloud migration")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "engagement-list.png", full_page=True)
