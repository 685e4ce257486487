"""The survey page in a real browser at phone width: answer by keyboard, resubmit, expired link."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.feedback.factories import SurveyInvitationFactory
from trustledger.feedback import services
from trustledger.feedback.models import SurveyInvitation, SurveyResponse

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


def _link(personas) -> str:
    invitation = SurveyInvitationFactory(contact=personas.contact_a)
    sent = services.send_invitation(invitation.pk)
    assert sent is not None
    return f"/s/{sent.token}/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_contact_answers_on_a_phone_with_the_keyboard_and_a_resubmit_changes_nothing(
    live_server, browser: Browser, personas
):
    url = live_server.url + _link(personas)
    context = browser.new_context(viewport=PHONE)
    page, stale_tab = context.new_page(), context.new_page()
    page.goto(url)
    stale_tab.goto(url)  # the same form open twice, as after a double tap or a back button

    group = page.get_by_role("group", name="How likely is it that you would recommend us")
    expect(group).to_be_visible()
    group.get_by_role("radio", name="0 (not at all likely)").focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")  # arrow keys move through the 0-10 group
    expect(page.get_by_role("radio", name="8", exact=True)).to_be_checked()
    page.get_by_label("What is the main reason for your score?").fill(
        "Good team, but the reporting arrives late every month."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "survey.png", full_page=True)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    stale_tab.get_by_role("radio", name="10 (extremely likely)").check()
    stale_tab.get_by_role("button", name="Send my answer").click()
    expect(stale_tab.get_by_role("heading", name="Thank you")).to_be_visible()
    stale_tab.screenshot(path=SCREENSHOTS / "survey-thanks.png", full_page=True)

    answer = SurveyResponse.objects.get()
    assert answer.score == 8 and answer.comment.startswith("Good team")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_expired_link_shows_a_clear_page(live_server, browser: Browser, personas):
    path = _link(personas)
    SurveyInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", name="This survey link has expired")).to_be_visible()
    page.goto(live_server.url + "/s/not-a-real-token/")
    expect(page.get_by_role("heading", name="We cannot find this survey")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "survey-unknown.png", full_page=True)
    context.close()
