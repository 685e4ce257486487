"""The claim rules where people meet them: next to the date on the pages, as a 400 naming the
field in the API, and said up front where they would otherwise surprise (issue 14)."""

import datetime as dt

import pytest
import time_machine

from tests.engagements.factories import (
    EngagementFactory,
    MilestoneFactory,
    NoticeFactory,
    ScopeItemFactory,
)
from trustledger.engagements.models import Milestone, Notice
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
TOMORROW = "2026-06-16"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def engagement(personas):
    return EngagementFactory(client=personas.client_a, name="ERP selection")


@pytest.fixture
def signed_in(client, personas):
    client.force_login(personas.amir)
    return client


@pytest.fixture
def api(client, personas):
    _, key = create_api_key(personas.workspace_a, name="rw", scope=ApiKeyScope.READ_WRITE, by=None)

    def post(url, body):
        return client.post(
            f"/api{url}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )

    return post


def detail(response):
    assert response.status_code == 400, response.content
    (error,) = response.json()["detail"]
    return error["loc"], error["msg"]


# Pages


def test_the_notice_form_says_a_notice_counts_from_when_it_is_recorded(signed_in, engagement):
    page = signed_in.get(f"/engagements/{engagement.pk}/notices/new/").content.decode()

    assert "A notice counts from when it is recorded" in page
    assert 'max="2026-06-15"' in page  # the date picker stops at today


def test_a_delivery_dated_tomorrow_is_refused_next_to_its_date(signed_in, engagement):
    milestone = MilestoneFactory(engagement=engagement)

    response = signed_in.post(f"/engagements/milestones/{milestone.pk}/deliver/", {"on": TOMORROW})

    assert response.status_code == 200
    assert response.context["form"].errors["on"] == [
        "The delivery cannot be after today, 15 Jun 2026."
    ]
    assert Milestone.objects.get(pk=milestone.pk).delivered_on is None


def test_a_notice_dated_tomorrow_is_refused_next_to_its_date(signed_in, engagement):
    response = signed_in.post(
        f"/engagements/{engagement.pk}/notices/new/",
        {"kind": "overrun", "sent_on": TOMORROW, "new_cost": "70000"},
    )

    assert "sent_on" in response.context["form"].errors
    assert not Notice.objects.exists()


def test_a_charter_without_scope_asks_for_the_scope_before_the_sign_off(signed_in, personas):
    proposed = EngagementFactory(client=personas.client_a, status="proposed")
    page = signed_in.get(f"/engagements/{proposed.pk}/").content.decode()
    assert "Add the scope first" in page
    assert "Record client sign-off" not in page

    ScopeItemFactory(engagement=proposed)
    page = signed_in.get(f"/engagements/{proposed.pk}/").content.decode()
    assert "Record client sign-off" in page


def test_signing_a_charter_without_scope_says_why_above_the_form(signed_in, personas):
    proposed = EngagementFactory(client=personas.client_a, status="proposed")

    response = signed_in.post(
        f"/engagements/{proposed.pk}/sign-off/",
        {"contact": personas.contact_a.pk, "on": "2026-06-15"},
    )

    assert response.context["form"].non_field_errors()[0].startswith("Add the scope first")


def test_a_notice_recorded_after_its_date_shows_when_it_counts_from(signed_in, engagement):
    NoticeFactory(
        engagement=engagement,
        kind="overrun",
        new_date=None,
        new_cost=70000,
        sent_on=dt.date(2026, 5, 15),
        recorded_at=NOW,
    )

    page = signed_in.get(f"/engagements/{engagement.pk}/").content.decode()

    assert "told 15 May 2026 · recorded 15 Jun 2026, so it counts from then" in page


# The API


def test_the_api_refuses_claimed_days_after_today_naming_each_field(api, engagement):
    milestone = MilestoneFactory(engagement=engagement)

    delivered = api(f"/milestones/{milestone.pk}/deliver", {"delivered_on": TOMORROW})
    told = api(
        f"/engagements/{engagement.pk}/notices",
        {"kind": "overrun", "sent_on": TOMORROW, "new_cost": "70000"},
    )

    assert detail(delivered) == (
        ["body", "delivered_on"],
        "The delivery cannot be after today, 15 Jun 2026.",
    )
    assert detail(told)[0] == ["body", "sent_on"]


def test_the_api_refuses_signing_an_empty_charter_and_starting_before_the_sign_off(api, personas):
    proposed = EngagementFactory(client=personas.client_a, status="proposed")
    sign_off = {"contact_id": personas.contact_a.pk, "signed_off_on": "2026-06-10"}

    assert detail(api(f"/engagements/{proposed.pk}/sign-off", sign_off))[0] == ["body"]
    ScopeItemFactory(engagement=proposed)
    assert api(f"/engagements/{proposed.pk}/sign-off", sign_off).status_code == 200
    early = api(f"/engagements/{proposed.pk}/status", {"status": "active", "on": "2026-06-01"})
    assert detail(early) == (
        ["body", "on"],
        "The work cannot start before the client signed off the charter, on 10 Jun 2026.",
    )
    started = api(f"/engagements/{proposed.pk}/status", {"status": "active", "on": "2026-06-10"})
    assert started.json()["activated_on"] == "2026-06-10"
