"""Scope creep, budget burn, earned value and the capacity check, on the database."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.engagements.factories import (
    ChangeRequestFactory,
    EngagementFactory,
    MilestoneFactory,
    ScopeItemFactory,
    TimeEntryFactory,
)
from trustledger.engagements import selectors, services
from trustledger.workspaces.models import Membership


@pytest.fixture
def engagement(personas):
    return EngagementFactory(client=personas.client_a)


@pytest.mark.django_db
def test_work_on_no_scope_item_and_no_approved_change_is_scope_creep(engagement, personas):
    scope = ScopeItemFactory(engagement=engagement)
    approved = ChangeRequestFactory(
        engagement=engagement, status="approved", decided_on=dt.date(2026, 2, 1)
    )
    late_approval = ChangeRequestFactory(
        engagement=engagement, status="approved", decided_on=dt.date(2026, 3, 1)
    )
    pending = ChangeRequestFactory(engagement=engagement, status="submitted")
    covered = [
        TimeEntryFactory(engagement=engagement, scope_item=scope),
        TimeEntryFactory(engagement=engagement, change_request=approved, date=dt.date(2026, 2, 2)),
    ]
    creep = [
        TimeEntryFactory(engagement=engagement, note="no scope"),
        TimeEntryFactory(engagement=engagement, change_request=pending),
        TimeEntryFactory(
            engagement=engagement,
            change_request=late_approval,
            date=dt.date(2026, 2, 10),
            note="before approval",
        ),
    ]
    found = set(selectors.scope_creep_entries(engagement))
    assert found == set(creep)
    assert not found & set(covered)
    assert selectors.burn(engagement).creep_hours == Decimal(24)


@pytest.mark.django_db
def test_work_on_a_change_requests_scope_item_before_the_approval_is_scope_creep(
    engagement, personas
):
    cr = ChangeRequestFactory(engagement=engagement, status="submitted", title="Dashboards")
    services.decide_change_request(
        cr, approve=True, decided_by=personas.contact_a, on=dt.date(2026, 3, 1), by=None
    )
    item = engagement.scope_items.get(change_request=cr)
    before = TimeEntryFactory(engagement=engagement, scope_item=item, date=dt.date(2026, 2, 20))
    after = TimeEntryFactory(engagement=engagement, scope_item=item, date=dt.date(2026, 3, 2))

    assert set(selectors.scope_creep_entries(engagement)) == {before}
    assert after not in set(selectors.scope_creep_entries(engagement))


@pytest.mark.django_db
def test_burn_adds_hours_cost_and_billed_value(engagement):
    TimeEntryFactory(engagement=engagement, hours=Decimal(8), cost_rate=Decimal(80), bill_rate=150)
    TimeEntryFactory(
        engagement=engagement,
        hours=Decimal("1.5"),
        cost_rate=Decimal(100),
        bill_rate=200,
        date=dt.date(2026, 5, 1),
    )
    totals = selectors.burn(engagement)
    assert (totals.hours, totals.cost, totals.billed) == (
        Decimal("9.5"),
        Decimal(790),
        Decimal(1500),
    )
    assert selectors.burn(engagement, as_of=dt.date(2026, 3, 1)).hours == Decimal(8)


@pytest.mark.django_db
def test_earned_value_follows_delivered_milestones(engagement):
    MilestoneFactory(engagement=engagement, delivered_on=dt.date(2026, 2, 1), status="delivered")
    MilestoneFactory(engagement=engagement)
    TimeEntryFactory(engagement=engagement, hours=Decimal(100), bill_rate=Decimal(400))
    result = selectors.evm(engagement, dt.date(2026, 3, 1))
    assert result is not None
    assert result.cpi == pytest.approx(30000 / 40000)


@pytest.mark.django_db
def test_earned_value_needs_milestones(engagement):
    assert selectors.evm(engagement, dt.date(2026, 3, 1)) is None


@pytest.mark.django_db
def test_the_capacity_check_flags_a_person_booked_beyond_capacity(personas):
    Membership.objects.filter(user=personas.sam).update(weekly_capacity_hours=40)
    busy = EngagementFactory(client=personas.client_a, status="active")
    services.assign_person(busy, person=personas.sam, weekly_hours=Decimal(30), by=None)
    proposal = EngagementFactory(
        client=personas.client_a,
        status="proposed",
        start_date=dt.date(2026, 6, 1),
        end_date=dt.date(2026, 8, 28),
    )
    services.assign_person(proposal, person=personas.sam, weekly_hours=Decimal(20), by=None)
    (load,) = selectors.capacity_check(proposal)
    assert load.person_id == personas.sam.pk
    assert load.over_committed
    assert load.peak_hours == 50
    assert load.weeks_over[0] == dt.date(2026, 6, 1)
    assert load.weeks_over[-1] == dt.date(2026, 6, 22)  # the busy engagement ends 26 June


@pytest.mark.django_db
def test_a_closed_engagement_books_no_one(personas):
    done = EngagementFactory(client=personas.client_a, status="closed")
    services.assign_person(done, person=personas.sam, weekly_hours=Decimal(40), by=None)
    proposal = EngagementFactory(client=personas.client_a, status="proposed")
    services.assign_person(proposal, person=personas.sam, weekly_hours=Decimal(20), by=None)
    assert not selectors.capacity_check(proposal)[0].over_committed
