"""Dates people claim about engagements: none in the future, sign-off before the work, a charter
with scope, and each claim's recording kept (issue 14, "Gaming").

"Today" is the workspace's: 20:00 UTC on 15 June is already 16 June in Kiritimati (UTC+14).
"""

import datetime as dt

import pytest
import time_machine

from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    QualityIssueFactory,
    ScopeItemFactory,
    SuccessCriterionFactory,
)
from trustledger.engagements import services
from trustledger.engagements.models import Engagement, Milestone, Notice
from trustledger.workspaces.services import DomainError

NOW = dt.datetime(2026, 6, 15, 20, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 15)
TOMORROW = TODAY + dt.timedelta(days=1)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def engagement(personas):
    return EngagementFactory(client=personas.client_a)


@pytest.fixture
def proposed(personas):
    engagement = EngagementFactory(client=personas.client_a, status="proposed")
    ScopeItemFactory(engagement=engagement, title="Month-end close")
    return engagement


def refused(call, field):
    with pytest.raises(DomainError) as error:
        call()
    assert error.value.field == field, error.value.message
    return error.value.message


# Nothing is dated after today


def test_a_delivery_dated_tomorrow_is_refused_and_changes_nothing(engagement):
    milestone = MilestoneFactory(engagement=engagement)

    message = refused(
        lambda: services.deliver_milestone(milestone, on=TOMORROW, by=None), "delivered_on"
    )

    assert "cannot be after today, 15 Jun 2026" in message
    assert Milestone.objects.get(pk=milestone.pk).status == "planned"


def test_a_delivery_dated_today_is_accepted(engagement):
    milestone = MilestoneFactory(engagement=engagement)

    services.deliver_milestone(milestone, on=TODAY, by=None)

    assert milestone.delivered_on == TODAY


def test_a_delivery_edited_to_a_future_date_is_refused(engagement):
    milestone = MilestoneFactory(engagement=engagement)

    refused(
        lambda: services.update_milestone(
            milestone, by=None, status="delivered", delivered_on=TOMORROW
        ),
        "delivered_on",
    )


def test_today_is_the_workspaces_not_the_servers(personas, engagement):
    personas.workspace_a.time_zone = "Pacific/Kiritimati"
    personas.workspace_a.save()
    engagement.refresh_from_db()
    milestone = MilestoneFactory(engagement=engagement)

    services.deliver_milestone(milestone, on=TOMORROW, by=None)  # already 16 June there

    later = MilestoneFactory(engagement=engagement)
    refused(
        lambda: services.deliver_milestone(later, on=TOMORROW + dt.timedelta(days=1), by=None),
        "delivered_on",
    )


def test_a_notice_dated_tomorrow_is_refused_and_moves_no_forecast(engagement):
    milestone = MilestoneFactory(engagement=engagement)

    refused(
        lambda: services.record_notice(
            engagement,
            by=None,
            kind="slip",
            sent_on=TOMORROW,
            milestone=milestone,
            new_date=dt.date(2026, 7, 1),
        ),
        "sent_on",
    )

    assert not Notice.objects.exists()
    assert Milestone.objects.get(pk=milestone.pk).forecast_date is None


def test_a_sign_off_dated_tomorrow_is_refused(proposed, personas):
    refused(
        lambda: services.sign_off_charter(
            proposed, contact=personas.contact_a, on=TOMORROW, by=None
        ),
        "signed_off_on",
    )
    assert not Engagement.objects.get(pk=proposed.pk).charter_signed


@pytest.mark.parametrize(
    ("act", "field"),
    [
        (lambda d, e: services.submit_deliverable(d, on=TOMORROW, by=None), "submitted_on"),
        (lambda d, e: services.change_status(e, "closed", on=TOMORROW, by=None), "on"),
        (
            lambda d, e: services.record_quality_issue(
                e,
                by=None,
                title="Wrong totals",
                severity="low",
                found_by="client",
                opened_on=TOMORROW,
            ),
            "opened_on",
        ),
    ],
    ids=["submitting a deliverable", "closing", "finding a quality issue"],
)
def test_other_claimed_days_after_today_are_refused(engagement, act, field):
    deliverable = DeliverableFactory(engagement=engagement)

    refused(lambda: act(deliverable, engagement), field)


def test_a_review_dated_tomorrow_is_refused(engagement):
    deliverable = DeliverableFactory(engagement=engagement)
    services.submit_deliverable(deliverable, on=TODAY, by=None)

    refused(
        lambda: services.record_review(deliverable, outcome="accepted", on=TOMORROW, by=None),
        "reviewed_on",
    )


def test_a_change_request_submitted_or_decided_tomorrow_is_refused(engagement, personas):
    cr = ChangeRequestFactory(engagement=engagement)
    refused(lambda: services.submit_change_request(cr, on=TOMORROW, by=None), "submitted_on")
    services.submit_change_request(cr, on=TODAY, by=None)

    refused(
        lambda: services.decide_change_request(
            cr, approve=True, decided_by=personas.contact_a, on=TOMORROW, by=None
        ),
        "decided_on",
    )


def test_a_quality_issue_resolved_or_a_criterion_assessed_tomorrow_is_refused(engagement):
    issue = QualityIssueFactory(engagement=engagement)
    criterion = SuccessCriterionFactory(engagement=engagement)

    refused(
        lambda: services.resolve_quality_issue(issue, on=TOMORROW, root_cause="x", by=None),
        "resolved_on",
    )
    refused(
        lambda: services.assess_success_criterion(criterion, met=True, on=TOMORROW, by=None),
        "assessed_on",
    )


# The charter: scope before sign-off, sign-off before the work


def test_a_charter_without_scope_cannot_be_signed(personas):
    empty = EngagementFactory(client=personas.client_a, status="proposed")

    message = refused(
        lambda: services.sign_off_charter(empty, contact=personas.contact_a, on=TODAY, by=None),
        None,
    )

    assert "scope" in message
    assert not Engagement.objects.get(pk=empty.pk).charter_signed


def test_an_engagement_cannot_be_activated_before_its_sign_off(proposed, personas):
    services.sign_off_charter(proposed, contact=personas.contact_a, on=TODAY, by=None)

    message = refused(
        lambda: services.change_status(
            proposed, "active", on=TODAY - dt.timedelta(days=10), by=personas.amir
        ),
        "on",
    )

    assert "15 Jun 2026" in message  # names the sign-off
    assert Engagement.objects.get(pk=proposed.pk).status == "proposed"


def test_an_engagement_is_activated_on_its_sign_off_day_or_later(proposed, personas):
    services.sign_off_charter(
        proposed, contact=personas.contact_a, on=TODAY - dt.timedelta(days=3), by=None
    )

    services.change_status(proposed, "active", on=TODAY - dt.timedelta(days=3), by=personas.amir)

    assert proposed.activated_on == TODAY - dt.timedelta(days=3)


def test_activation_dated_tomorrow_is_refused(proposed, personas):
    services.sign_off_charter(proposed, contact=personas.contact_a, on=TODAY, by=None)

    refused(lambda: services.change_status(proposed, "active", on=TOMORROW, by=personas.amir), "on")


def test_a_status_change_without_a_date_is_dated_today_in_the_workspace(personas, proposed):
    personas.workspace_a.time_zone = "Pacific/Kiritimati"
    personas.workspace_a.save()
    proposed.refresh_from_db()
    services.sign_off_charter(proposed, contact=personas.contact_a, on=TOMORROW, by=None)

    services.change_status(proposed, "active", by=personas.amir)

    assert proposed.activated_on == TOMORROW  # 16 June there, 15 June on the server


# Each claim keeps when it was recorded


def test_a_delivery_keeps_when_it_was_recorded(engagement):
    milestone = MilestoneFactory(engagement=engagement)

    services.deliver_milestone(milestone, on=TODAY - dt.timedelta(days=20), by=None)

    milestone.refresh_from_db()
    assert milestone.delivery_recorded_at == NOW


def test_correcting_a_delivery_date_records_the_correction(engagement):
    milestone = MilestoneFactory(engagement=engagement)
    services.deliver_milestone(milestone, on=TODAY - dt.timedelta(days=2), by=None)
    later = NOW + dt.timedelta(days=3)

    with time_machine.travel(later, tick=False):
        services.update_milestone(milestone, by=None, delivered_on=TODAY - dt.timedelta(days=20))

    milestone.refresh_from_db()
    assert milestone.delivery_recorded_at == later


def test_a_decision_keeps_when_it_was_recorded(engagement, personas):
    cr = ChangeRequestFactory(engagement=engagement, status="submitted")

    services.decide_change_request(
        cr, approve=True, decided_by=personas.contact_a, on=TODAY - dt.timedelta(days=30), by=None
    )

    cr.refresh_from_db()
    assert cr.decision_recorded_at == NOW
