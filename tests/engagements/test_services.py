"""Every life-cycle transition of an engagement and its delivery facts, allowed and refused."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    QualityIssueFactory,
    ScopeItemFactory,
    SuccessCriterionFactory,
)
from tests.factories import ContactFactory
from trustledger.engagements import services
from trustledger.engagements.models import Engagement, ScopeItem
from trustledger.workspaces.models import AuditEntry
from trustledger.workspaces.services import DomainError

D = dt.date(2026, 2, 1)


@pytest.fixture
def proposed(personas):
    return EngagementFactory(client=personas.client_a, status="proposed")


def _signed(engagement, personas):
    ScopeItemFactory(engagement=engagement)  # a charter is signed for its scope
    return services.sign_off_charter(engagement, contact=personas.contact_a, on=D, by=personas.amir)


@pytest.mark.django_db
def test_a_new_engagement_is_always_proposed(personas):
    engagement = services.create_engagement(
        personas.client_a,
        by=personas.amir,
        name="Audit",
        type="fixed_fee",
        status="active",
        start_date=D,
        end_date=D + dt.timedelta(days=90),
    )
    assert engagement.status == "proposed"


@pytest.mark.django_db
def test_an_engagement_cannot_end_before_it_starts(personas):
    with pytest.raises(DomainError) as error:
        services.create_engagement(
            personas.client_a,
            by=None,
            name="X",
            type="retainer",
            start_date=D,
            end_date=D - dt.timedelta(days=1),
        )
    assert error.value.field == "end_date"


@pytest.mark.django_db
def test_activation_with_a_signed_charter_is_allowed(proposed, personas):
    _signed(proposed, personas)
    services.change_status(proposed, "active", by=personas.amir, on=D)
    assert proposed.status == "active" and proposed.activated_on == D


@pytest.mark.django_db
def test_an_account_manager_cannot_activate_without_sign_off(proposed, personas):
    with pytest.raises(DomainError):
        services.change_status(proposed, "active", by=personas.amir, override_reason="urgent")
    assert Engagement.objects.get(pk=proposed.pk).status == "proposed"


@pytest.mark.django_db
def test_a_leader_override_needs_a_reason_and_is_audited(proposed, personas):
    with pytest.raises(DomainError) as error:
        services.change_status(proposed, "active", by=personas.alice)
    assert error.value.field == "override_reason"
    services.change_status(proposed, "active", by=personas.alice, override_reason="Signed on paper")
    entry = AuditEntry.objects.get(action="engagement.activated_without_signoff")
    assert entry.actor == personas.alice
    assert entry.changes["override_reason"] == [None, "Signed on paper"]


@pytest.mark.django_db
def test_sign_off_must_come_from_the_clients_own_contact(proposed, personas):
    stranger = ContactFactory(client=personas.other_client_a)
    with pytest.raises(DomainError):
        services.sign_off_charter(proposed, contact=stranger, on=D, by=None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("proposed", "cancelled", True),
        ("proposed", "closed", False),
        ("proposed", "on_hold", False),
        ("active", "on_hold", True),
        ("on_hold", "active", True),
        ("active", "closed", True),
        ("active", "proposed", False),
        ("on_hold", "closed", False),
        ("closed", "active", False),
        ("cancelled", "active", False),
        ("closed", "cancelled", False),
    ],
)
def test_status_transitions(personas, start, target, allowed):
    engagement = EngagementFactory(client=personas.client_a, status=start)
    if allowed:
        services.change_status(engagement, target, by=personas.alice, override_reason="x")
        assert Engagement.objects.get(pk=engagement.pk).status == target
    else:
        with pytest.raises(DomainError):
            services.change_status(engagement, target, by=personas.alice, override_reason="x")


@pytest.mark.django_db
def test_closing_needs_every_success_criterion_assessed(personas):
    engagement = EngagementFactory(client=personas.client_a)
    criterion = SuccessCriterionFactory(engagement=engagement)
    with pytest.raises(DomainError):
        services.change_status(engagement, "closed", by=personas.alice)
    services.assess_success_criterion(criterion, met=True, on=D, by=None)
    services.change_status(engagement, "closed", by=personas.alice, on=D)
    assert engagement.closed_on == D


@pytest.mark.django_db
def test_the_committed_date_of_a_milestone_moves_only_through_a_notice(personas):
    milestone = MilestoneFactory(engagement__client=personas.client_a)
    with pytest.raises(DomainError) as error:
        services.update_milestone(milestone, by=None, committed_date=D + dt.timedelta(days=30))
    assert error.value.field == "committed_date"
    notice = services.record_notice(
        milestone.engagement,
        by=None,
        kind="slip",
        sent_on=D,
        milestone=milestone,
        new_date=D + dt.timedelta(days=30),
    )
    milestone.refresh_from_db()
    assert milestone.forecast_date == notice.new_date
    assert milestone.committed_date == dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_a_milestone_is_delivered_once(personas):
    milestone = MilestoneFactory(engagement__client=personas.client_a)
    services.deliver_milestone(milestone, on=dt.date(2026, 3, 9), by=None)
    assert milestone.days_late == 7
    with pytest.raises(DomainError):
        services.deliver_milestone(milestone, on=dt.date(2026, 3, 10), by=None)


@pytest.mark.django_db
def test_notices_need_their_new_date_or_cost(personas):
    engagement = EngagementFactory(client=personas.client_a)
    with pytest.raises(DomainError):
        services.record_notice(engagement, by=None, kind="slip", sent_on=D)
    with pytest.raises(DomainError):
        services.record_notice(engagement, by=None, kind="overrun", sent_on=D)


@pytest.mark.django_db
def test_a_deliverable_review_follows_submission_and_a_return_needs_reasons(personas):
    deliverable = DeliverableFactory(engagement__client=personas.client_a)
    with pytest.raises(DomainError):
        services.record_review(deliverable, outcome="accepted", on=D, by=None)
    services.submit_deliverable(deliverable, on=D, by=None)
    with pytest.raises(DomainError) as error:
        services.record_review(deliverable, outcome="returned", on=D, by=None)
    assert error.value.field == "reasons"
    services.record_review(deliverable, outcome="returned", on=D, reasons="Totals wrong", by=None)
    assert deliverable.status == "returned"
    services.submit_deliverable(deliverable, on=D, by=None)
    services.record_review(deliverable, outcome="accepted", on=D, by=None)
    assert deliverable.status == "accepted"
    assert [r.outcome for r in deliverable.reviews.all()] == ["returned", "accepted"]


@pytest.mark.django_db
def test_approving_a_change_request_moves_budget_and_dates_and_adds_scope(personas):
    cr = ChangeRequestFactory(engagement__client=personas.client_a)
    engagement = cr.engagement
    with pytest.raises(DomainError):  # a draft cannot be decided
        services.decide_change_request(
            cr, approve=True, decided_by=personas.contact_a, on=D, by=None
        )
    services.submit_change_request(cr, on=D, by=None)
    services.decide_change_request(cr, approve=True, decided_by=personas.contact_a, on=D, by=None)
    engagement.refresh_from_db()
    assert engagement.budget_hours == Decimal(440)
    assert engagement.budget_amount == Decimal(66000)
    assert engagement.end_date == dt.date(2026, 7, 10)
    assert ScopeItem.objects.filter(change_request=cr).exists()
    entry = AuditEntry.objects.get(action="change_request.approved")
    assert entry.changes["budget_amount"] == ["60000.00", "66000.00"]


@pytest.mark.django_db
def test_rejecting_a_change_request_changes_nothing_else(personas):
    cr = ChangeRequestFactory(engagement__client=personas.client_a, status="submitted")
    services.decide_change_request(cr, approve=False, decided_by=personas.contact_a, on=D, by=None)
    cr.engagement.refresh_from_db()
    assert cr.status == "rejected" and cr.engagement.budget_amount == Decimal(60000)


@pytest.mark.django_db
def test_the_decision_must_come_from_the_clients_contact(personas):
    cr = ChangeRequestFactory(engagement__client=personas.client_a, status="submitted")
    other = ContactFactory(client=personas.other_client_a)
    with pytest.raises(DomainError):
        services.decide_change_request(cr, approve=True, decided_by=other, on=D, by=None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "allowed"),
    [("draft", True), ("submitted", True), ("approved", False), ("rejected", False)],
)
def test_withdrawing_a_change_request(personas, status, allowed):
    cr = ChangeRequestFactory(engagement__client=personas.client_a, status=status)
    if allowed:
        assert services.withdraw_change_request(cr, by=None).status == "withdrawn"
    else:
        with pytest.raises(DomainError):
            services.withdraw_change_request(cr, by=None)


@pytest.mark.django_db
def test_time_must_be_between_zero_and_a_day_and_on_this_engagements_scope(personas):
    engagement = EngagementFactory(client=personas.client_a)
    other_scope = ScopeItemFactory(engagement__client=personas.client_a)
    with pytest.raises(DomainError):
        services.log_time(engagement, by=None, date=D, hours=Decimal(25))
    with pytest.raises(DomainError) as error:
        services.log_time(engagement, by=None, date=D, hours=Decimal(2), scope_item=other_scope)
    assert error.value.field == "scope_item"


@pytest.mark.django_db
def test_a_quality_issue_is_resolved_once_and_not_before_it_opened(personas):
    issue = QualityIssueFactory(engagement__client=personas.client_a)
    with pytest.raises(DomainError):
        services.resolve_quality_issue(issue, on=dt.date(2026, 1, 1), root_cause="x", by=None)
    services.resolve_quality_issue(
        issue, on=dt.date(2026, 3, 9), root_cause="Spec unclear", by=None
    )
    with pytest.raises(DomainError):
        services.resolve_quality_issue(issue, on=dt.date(2026, 3, 10), root_cause="x", by=None)
