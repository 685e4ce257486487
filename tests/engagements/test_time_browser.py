"""Browser journey: an account manager sees that an engagement's imported time is unclassified
(not scope creep), opens Time and scope, and maps the firm's "Project Management" task as
approved overhead. Screenshots at desktop and phone widths, with no sideways scroll on the
phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import Personas
from tests.engagements.factories import EngagementFactory, ScopeItemFactory, TimeEntryFactory
from tests.factories import PASSWORD
from trustledger.engagements.models import Engagement

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def an_engagement_with_imported_time(p: Personas) -> Engagement:
    """GIVEN an engagement whose Harvest history names firm-wide tasks and no task at all."""
    today = timezone.localdate()
    e = EngagementFactory(
        client=p.client_a,
        name="Finance Transformation",
        start_date=today - dt.timedelta(days=90),
        end_date=today + dt.timedelta(days=90),
        budget_hours=Decimal(300),
        budget_amount=Decimal(45000),
    )
    discovery = ScopeItemFactory(engagement=e, title="Discovery")
    for week in range(6):
        day = today - dt.timedelta(days=7 * week + 1)
        rows = [("Discovery", "6", discovery), ("Project Management", "2.5", None), ("", "1", None)]
        for task, hours, item in rows:
            TimeEntryFactory(
                engagement=e,
                date=day,
                task=task,
                hours=Decimal(hours),
                scope_item=item,
                classification="" if item else "unclassified",
                person_name="Dana Delivery",
                import_key=f"{week}-{task}",
            )
    return e


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_mapping_an_unclassified_task_as_overhead(live_server, page: Page, personas):
    engagement = an_engagement_with_imported_time(personas)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, personas.amir.email)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    expect(page.get_by_text("Unclassified: 21 h of imported time.")).to_be_visible()
    expect(page.get_by_text("Work on unapproved scope")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#budget").screenshot(path=SCREENSHOTS / "engagement-unclassified-time.png")

    # WHEN the account manager opens Time and scope and maps Project Management as overhead
    page.get_by_role("link", name="Time and scope").click()
    expect(page.get_by_role("heading", name="Time and scope")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "engagement-time.png", full_page=True)
    page.get_by_role("link", name="Map Project Management").click()
    expect(page.get_by_label("Task name")).to_have_value("Project Management")
    page.get_by_label("Counts as").select_option("overhead")
    page.get_by_role("button", name="Save mapping").click()

    # THEN its hours move out of the unclassified list, and the mapping is listed
    expect(page.get_by_text("now counts as Approved overhead on this engagement")).to_be_visible()
    unclassified = page.locator("#unclassified")
    expect(unclassified.get_by_role("cell", name="Project Management")).to_have_count(0)
    expect(unclassified.get_by_text("(no task)")).to_be_visible()
    expect(page.locator("#mappings").get_by_text("Project Management")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOTS / "engagement-time-mapped.png", full_page=True)
    page.get_by_role("link", name="Firm-wide task names").click()
    expect(page.get_by_role("heading", name="Task names", exact=True)).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "task-names.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_time_pages_work_on_a_phone(live_server, browser, personas):
    engagement = an_engagement_with_imported_time(personas)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, personas.alice.email)
    for url, name in (
        (f"/engagements/{engagement.pk}/time/", "engagement-time-phone.png"),
        (f"/engagements/{engagement.pk}/time/map/?task=Project+Management", "map-task-phone.png"),
        ("/engagements/tasks/", "task-names-phone.png"),
    ):
        page.goto(live_server.url + url)
        expect(page.locator("h1")).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / name, full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"sideways: {url}"
    context.close()
