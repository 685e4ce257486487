"""An automated accessibility check of the main pages: axe-core, run in Debian's Chromium from the
copy npm installed under tests/a11y (never a CDN). Serious and critical violations fail the test."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.communications.factories import InquiryFactory, InteractionFactory
from tests.e2e.test_engagement_page import a_busy_engagement, sign_in
from tests.feedback.factories import SurveyResponseFactory
from tests.portal.helpers import open_portal, shared_engagement, submitted_change
from trustledger.portal import services as portal
from trustledger.recovery import services as recovery
from trustledger.reports import services as reports

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

# The firm's main pages, as a signed-in owner sees them ({client}/{engagement} filled in).
FIRM_PAGES = [
    "/trust/",
    "/trust/alerts/",
    "/trust/clients/{client}/",
    "/analytics/",
    "/analytics/drill/?measure=retention&which=at_start",
    "/recovery/",
    "/recovery/{plan}/",
    "/recovery/systemic/",
    "/reports/",
    "/reports/{report}/",
    "/relationships/due/",
    "/relationships/routines/",
    "/relationships/clients/{client}/",
    "/relationships/clients/{client}/health-checks/new/",
    "/clients/",
    "/clients/{client}/",
    "/clients/{client}/story/",
    "/engagements/",
    "/engagements/{engagement}/",
    "/engagements/{engagement}/time/",
    "/engagements/{engagement}/time/map/",
    "/engagements/tasks/",
    "/communications/inbox/",
    "/communications/clients/{client}/timeline/",
    "/surveys/",
    "/search/?q=a",
    "/imports/",
    "/settings/members/",
    "/settings/audit/",
    "/settings/webhooks/",
    "/settings/webhooks/new/",
    "/trust/settings/",
    "/trust/backtest/",
]


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing and CI=true: run scripts/system-deps.sh (npm ci)")
        pytest.skip("axe-core not installed (scripts/system-deps.sh); never skipped when CI=true")
    return AXE.read_text()


def violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """The blocking axe violations on the page as it is now."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_have_no_serious_accessibility_violations(
    live_server, page: Page, personas, axe_source
):
    engagement = a_busy_engagement(personas)
    InteractionFactory(client=personas.client_a, kind="check_in", subject="Monthly check-in")
    InquiryFactory(client=personas.client_a, subject="Where is the report?")
    SurveyResponseFactory(client=personas.client_a, score=5, comment="Slow answers lately.")
    plan = recovery.open_plan(
        personas.client_a, by=personas.alice, title="Back on schedule", trigger="Two slips"
    )
    report = reports.draft_report(personas.client_a, engagement=engagement, by=personas.alice)
    sign_in(page, live_server.url, personas.alice.email)
    failures = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in FIRM_PAGES:
            url = path.format(
                client=personas.client_a.pk,
                engagement=engagement.pk,
                plan=plan.pk,
                report=report.pk,
            )
            response = page.goto(live_server.url + url)
            assert response is not None and response.ok, f"{url}: {response and response.status}"
            found = violations(page, axe_source)
            if found:
                failures.append(f"{url} at {width} px:\n{describe(found)}")
    assert not failures, "\n".join(failures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_signed_out_pages_have_no_serious_accessibility_violations(
    live_server, page: Page, axe_source
):
    failures = []
    for url in ("/login/", "/password-reset/"):
        page.goto(live_server.url + url)
        found = violations(page, axe_source)
        if found:
            failures.append(f"{url}:\n{describe(found)}")
    assert not failures, "\n".join(failures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_client_portal_has_no_serious_accessibility_violations(
    live_server, page: Page, personas, axe_source
):
    open_portal(personas.client_a)
    engagement = shared_engagement(personas.client_a, name="Ledger rollout")
    change = submitted_change(engagement)
    issued = portal.issue_link(personas.contact_a)
    failures = []
    page.goto(live_server.url + "/portal/")
    if found := violations(page, axe_source):
        failures.append(f"/portal/:\n{describe(found)}")
    page.goto(f"{live_server.url}/portal/link/{issued.token}/")
    page.get_by_role("button", name="Sign in to the portal").click()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in (
            "/portal/home/",
            f"/portal/engagements/{engagement.pk}/",
            f"/portal/change-requests/{change.pk}/",
            "/portal/ask/",
            "/portal/feedback/",
            "/portal/reports/",
        ):
            response = page.goto(live_server.url + url)
            assert response is not None and response.ok, url
            if found := violations(page, axe_source):
                failures.append(f"{url} at {width} px:\n{describe(found)}")
    assert not failures, "\n".join(failures)


@pytest.mark.browser
def test_the_check_catches_a_real_violation(page: Page, axe_source):
    """The harness itself: a nameless button and an image without alt text must be reported."""
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><main><img src="data:,"><button></button></main></body></html>'
    )
    assert {"button-name", "image-alt"} <= {v["id"] for v in violations(page, axe_source)}
