"""What the index reads of notices, overruns and deliveries: each claim counts from when it was
recorded, and an overrun from the day it happened (issue 14, "Gaming").

These read the engagements' trust input directly, as of a date, from facts recorded through the
services (at the instant the clock says) or, for history, with their recording instant.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engagements.factories import (
    ChangeRequestFactory,
    EngagementFactory,
    MilestoneFactory,
    NoticeFactory,
    TimeEntryFactory,
)
from trustledger.core.inputs import Scope
from trustledger.engagements import services
from trustledger.engagements import trust_inputs as engagement_inputs
from trustledger.engagements.page import milestone_rows
from trustledger.scoring import indicators as ind
from trustledger.scoring.facts import ClientFacts
from trustledger.scoring.index import IndexSettings

SETTINGS = IndexSettings()
pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def facts_of(client, as_of: dt.date) -> ClientFacts:
    facts: defaultdict[int, ClientFacts] = defaultdict(ClientFacts)
    engagement_inputs.collect(Scope(client.workspace, as_of, SETTINGS), facts)
    return facts[client.pk]


def no_surprises(client, as_of: dt.date):
    return ind.no_surprises(facts_of(client, as_of).slips, as_of=as_of, settings=SETTINGS)


# Slip notices


@pytest.fixture
def engagement(personas):
    return EngagementFactory(client=personas.client_a, activated_on=dt.date(2026, 1, 5))


def missed(engagement, committed: dt.date):
    return MilestoneFactory(
        engagement=engagement,
        committed_date=committed,
        buffer_days=0,
        recorded_at=at(dt.date(2026, 1, 5)),
    )


def test_a_slip_notice_recorded_today_and_dated_a_month_ago_is_not_notice_in_advance(
    engagement, personas
):
    """The issue's case: it counted as "client told 14 days before" and scored 100."""
    today = dt.date(2026, 6, 15)
    milestone = missed(engagement, today - dt.timedelta(days=16))
    with time_machine.travel(at(today), tick=False):
        services.record_notice(
            engagement,
            by=None,
            kind="slip",
            milestone=milestone,
            sent_on=today - dt.timedelta(days=30),
            new_date=today + dt.timedelta(days=5),
        )

    result = no_surprises(personas.client_a, today)

    assert result.score == 0
    assert "client not told beforehand" in result.evidence[0].description
    (slip,) = facts_of(personas.client_a, today).slips
    assert slip.told_on == today
    (row,) = milestone_rows(engagement, today)
    assert row.told_in_advance is False  # the engagement page agrees


def test_a_slip_notice_recorded_when_it_was_sent_keeps_its_lead_time(engagement, personas):
    today = dt.date(2026, 6, 15)
    milestone = missed(engagement, today - dt.timedelta(days=16))
    sent = today - dt.timedelta(days=30)
    with time_machine.travel(at(sent), tick=False):
        services.record_notice(
            engagement,
            by=None,
            kind="slip",
            milestone=milestone,
            sent_on=sent,
            new_date=today + dt.timedelta(days=5),
        )

    assert no_surprises(personas.client_a, today).score == 100
    (row,) = milestone_rows(engagement, today)
    assert row.told_in_advance is True


def test_a_notice_counts_from_the_day_it_was_recorded_on_the_workspaces_calendar(
    engagement, personas
):
    personas.workspace_a.time_zone = "Pacific/Kiritimati"  # UTC+14
    personas.workspace_a.save()
    milestone = missed(engagement, dt.date(2026, 6, 30))
    NoticeFactory(
        engagement=engagement,
        milestone=milestone,
        sent_on=dt.date(2026, 6, 1),
        recorded_at=at(dt.date(2026, 6, 15), hour=20),  # 16 June, 10:00 there
    )

    (slip,) = facts_of(personas.client_a, dt.date(2026, 7, 10)).slips

    assert slip.told_on == dt.date(2026, 6, 16)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    recorded_days_ago=st.integers(0, 60),
    claimed_before_recording=st.integers(1, 90),
    slip_days_ago=st.integers(1, 60),
)
def test_a_claimed_date_earlier_than_its_recording_earns_no_extra_lead_time(
    personas, recorded_days_ago, claimed_before_recording, slip_days_ago
):
    today = dt.date(2026, 6, 15)
    recorded = today - dt.timedelta(days=recorded_days_ago)
    claimed = recorded - dt.timedelta(days=claimed_before_recording)
    with transaction.atomic():
        engagement = EngagementFactory(client=personas.client_a, activated_on=dt.date(2026, 1, 5))
        milestone = missed(engagement, today - dt.timedelta(days=slip_days_ago))
        with time_machine.travel(at(recorded), tick=False):
            services.record_notice(
                engagement,
                by=None,
                kind="slip",
                milestone=milestone,
                sent_on=claimed,
                new_date=today + dt.timedelta(days=5),
            )
        result = no_surprises(personas.client_a, today)
        transaction.set_rollback(True)

    as_if_dated_when_recorded = ind.no_surprises(
        [ind.Slip("slip", milestone.committed_date, ind.Told(recorded, recorded))],
        as_of=today,
        settings=SETTINGS,
    )
    assert result.score == as_if_dated_when_recorded.score


# Overruns


@pytest.fixture
def over_budget(personas):
    """Budget 10,000; 5,000 billed on each of 10 Jul, 5 Aug, 20 Aug and 10 Sep (twice the
    budget): the cost passed the budget on 20 Aug."""
    engagement = EngagementFactory(
        client=personas.client_a,
        name="Data platform",
        start_date=dt.date(2026, 6, 1),
        end_date=dt.date(2026, 11, 30),
        budget_amount=Decimal(10_000),
        activated_on=dt.date(2026, 6, 1),
    )
    for day in (dt.date(2026, 7, 10), dt.date(2026, 8, 5), dt.date(2026, 8, 20)):
        TimeEntryFactory(
            engagement=engagement,
            date=day,
            hours=Decimal(10),
            bill_rate=Decimal(500),
            recorded_at=at(day),
        )
    TimeEntryFactory(
        engagement=engagement,
        date=dt.date(2026, 9, 10),
        hours=Decimal(10),
        bill_rate=Decimal(500),
        recorded_at=at(dt.date(2026, 9, 10)),
    )
    return engagement


def told_of_overrun(engagement, day: dt.date, recorded: dt.date | None = None):
    return NoticeFactory(
        engagement=engagement,
        kind="overrun",
        sent_on=day,
        new_date=None,
        new_cost=Decimal(20_000),
        recorded_at=at(recorded or day),
    )


def test_an_overrun_is_timed_from_the_day_the_cost_passed_the_budget_not_the_close(
    over_budget, personas
):
    """The issue's case: told on 10 Nov, closed 30 Nov: it got "client told 20 days before"."""
    over_budget.status, over_budget.closed_on = "closed", dt.date(2026, 11, 30)
    over_budget.save()
    told_of_overrun(over_budget, dt.date(2026, 11, 10))

    (slip,) = facts_of(personas.client_a, dt.date(2026, 12, 1)).slips

    assert slip.happened_on == dt.date(2026, 8, 20)
    assert slip.description == "Data platform went over budget"
    result = no_surprises(personas.client_a, dt.date(2026, 12, 1))
    assert result.score == 0
    assert "client not told beforehand" in result.evidence[0].description


def test_an_overrun_told_before_the_cost_passed_the_budget_is_notice_in_advance(
    over_budget, personas
):
    told_of_overrun(over_budget, dt.date(2026, 8, 6))

    result = no_surprises(personas.client_a, dt.date(2026, 12, 1))

    assert result.score == pytest.approx(50 + 50 * 14 / 14)
    assert "client told 14 days before" in result.evidence[0].description


def test_an_engagement_still_running_over_budget_is_an_overrun_already(over_budget, personas):
    (slip,) = facts_of(personas.client_a, dt.date(2026, 9, 30)).slips

    assert slip.happened_on == dt.date(2026, 8, 20)
    assert facts_of(personas.client_a, dt.date(2026, 8, 19)).slips == []


def test_a_backdated_overrun_notice_counts_from_its_recording(over_budget, personas):
    told_of_overrun(over_budget, dt.date(2026, 8, 1), recorded=dt.date(2026, 9, 1))

    (slip,) = facts_of(personas.client_a, dt.date(2026, 12, 1)).slips

    assert slip.told_on == dt.date(2026, 9, 1)
    assert no_surprises(personas.client_a, dt.date(2026, 12, 1)).score == 0


def test_a_backdated_approval_does_not_erase_an_overrun(over_budget, personas):
    """More budget approved on 1 Nov but dated 1 Aug counts from 1 Nov: the cost had passed the
    budget on 20 Aug all the same."""
    ChangeRequestFactory(
        engagement=over_budget,
        status="approved",
        cost_impact=Decimal(10_000),
        decided_on=dt.date(2026, 8, 1),
        decision_recorded_at=at(dt.date(2026, 11, 1)),
    )
    over_budget.budget_amount = Decimal(20_000)  # the approval raised it
    over_budget.save()

    (slip,) = facts_of(personas.client_a, dt.date(2026, 12, 1)).slips

    assert slip.happened_on == dt.date(2026, 8, 20)


def test_an_approval_recorded_in_time_raises_the_budget_from_its_day(over_budget, personas):
    ChangeRequestFactory(
        engagement=over_budget,
        status="approved",
        cost_impact=Decimal(10_000),
        decided_on=dt.date(2026, 8, 1),
        decision_recorded_at=at(dt.date(2026, 8, 1)),
    )
    over_budget.budget_amount = Decimal(20_000)
    over_budget.save()

    assert facts_of(personas.client_a, dt.date(2026, 12, 1)).slips == []


def test_a_forecast_past_the_threshold_times_the_overrun_before_the_cost_passes(personas):
    """Two milestones; the first delivered on 1 Jul with 6,000 of 10,000 spent: EAC 12,000."""
    engagement = EngagementFactory(
        client=personas.client_a,
        name="CRM rollout",
        start_date=dt.date(2026, 6, 1),
        end_date=dt.date(2026, 10, 30),
        budget_amount=Decimal(10_000),
        activated_on=dt.date(2026, 6, 1),
    )
    TimeEntryFactory(
        engagement=engagement,
        date=dt.date(2026, 6, 20),
        hours=Decimal(12),
        bill_rate=Decimal(500),
        recorded_at=at(dt.date(2026, 6, 20)),
    )
    for committed, delivered in (
        (dt.date(2026, 7, 1), dt.date(2026, 7, 1)),
        (dt.date(2026, 9, 1), None),
    ):
        MilestoneFactory(
            engagement=engagement,
            committed_date=committed,
            delivered_on=delivered,
            status="delivered" if delivered else "planned",
            recorded_at=at(dt.date(2026, 6, 1)),
        )
    told_of_overrun(engagement, dt.date(2026, 6, 25))

    slips = facts_of(personas.client_a, dt.date(2026, 7, 15)).slips

    assert [(s.description, s.happened_on) for s in slips] == [
        ("CRM rollout was forecast to go over budget", dt.date(2026, 7, 1))
    ]
    assert (
        "client told 6 days before"
        in no_surprises(personas.client_a, dt.date(2026, 7, 15)).evidence[0].description
    )


# Deliveries: known from when they were recorded


def test_a_delivery_recorded_after_the_date_is_not_known_then(engagement, personas):
    MilestoneFactory(
        engagement=engagement,
        committed_date=dt.date(2026, 3, 2),
        buffer_days=0,
        status="delivered",
        delivered_on=dt.date(2026, 3, 2),
        recorded_at=at(dt.date(2026, 1, 5)),
        delivery_recorded_at=at(dt.date(2026, 5, 5)),
    )

    (then,) = facts_of(personas.client_a, dt.date(2026, 4, 30)).milestones
    (now,) = facts_of(personas.client_a, dt.date(2026, 5, 31)).milestones

    assert then.delivered is None
    assert now.delivered == dt.date(2026, 3, 2)


def test_a_milestone_created_delivered_is_delivered_from_its_own_recording(engagement, personas):
    MilestoneFactory(
        engagement=engagement,
        committed_date=dt.date(2026, 3, 2),
        status="delivered",
        delivered_on=dt.date(2026, 3, 2),
        recorded_at=at(dt.date(2026, 1, 5)),
    )

    (milestone,) = facts_of(personas.client_a, dt.date(2026, 4, 30)).milestones

    assert milestone.delivered == dt.date(2026, 3, 2)
