"""Signals on the database: the right facts per client, point in time, a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    NoticeFactory,
    QualityIssueFactory,
    TimeEntryFactory,
)
from tests.factories import ClientFactory
from trustledger.engagements.models import DeliverableReview
from trustledger.scoring.index import IndexSettings
from trustledger.trust import signals
from trustledger.trust.services import score_workspace

AS_OF = dt.date(2026, 4, 30)
SETTINGS = IndexSettings()


def _at(day):
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def engagement(personas):
    return EngagementFactory(client=personas.client_a, activated_on=dt.date(2026, 1, 5))


@pytest.mark.django_db
def test_a_late_milestone_without_notice_is_late_and_a_surprise(engagement, personas):
    MilestoneFactory(
        engagement=engagement,
        committed_date=dt.date(2026, 3, 2),
        buffer_days=2,
        delivered_on=dt.date(2026, 3, 20),
        recorded_at=_at(dt.date(2026, 1, 5)),
    )
    facts = signals.collect(personas.workspace_a, AS_OF, SETTINGS)[personas.client_a.pk]
    (milestone,) = facts.milestones
    assert milestone.delivered == dt.date(2026, 3, 20)
    assert milestone.notice_sent is None
    (slip,) = facts.slips
    assert slip.told_on is None


@pytest.mark.django_db
def test_a_notice_sent_before_the_due_date_is_seen(engagement, personas):
    m = MilestoneFactory(
        engagement=engagement,
        committed_date=dt.date(2026, 3, 2),
        delivered_on=dt.date(2026, 3, 20),
        recorded_at=_at(dt.date(2026, 1, 5)),
    )
    NoticeFactory(
        engagement=engagement,
        milestone=m,
        sent_on=dt.date(2026, 2, 20),
        recorded_at=_at(dt.date(2026, 2, 20)),
    )
    facts = signals.collect(personas.workspace_a, AS_OF, SETTINGS)[personas.client_a.pk]
    assert facts.slips[0].told_on == dt.date(2026, 2, 20)


@pytest.mark.django_db
def test_a_notice_recorded_after_the_date_does_not_count_then(engagement, personas):
    m = MilestoneFactory(
        engagement=engagement,
        committed_date=dt.date(2026, 3, 2),
        delivered_on=dt.date(2026, 3, 20),
        recorded_at=_at(dt.date(2026, 1, 5)),
    )
    NoticeFactory(
        engagement=engagement,
        milestone=m,
        sent_on=dt.date(2026, 2, 20),
        recorded_at=_at(dt.date(2026, 5, 10)),
    )  # logged after the fact
    facts = signals.collect(personas.workspace_a, AS_OF, SETTINGS)[personas.client_a.pk]
    assert facts.slips[0].told_on is None


@pytest.mark.django_db
def test_work_off_approved_scope_is_counted_by_week(engagement, personas):
    TimeEntryFactory(
        engagement=engagement,
        date=dt.date(2026, 4, 6),
        hours=Decimal(5),
        recorded_at=_at(dt.date(2026, 4, 6)),
    )
    facts = signals.collect(personas.workspace_a, AS_OF, SETTINGS)[personas.client_a.pk]
    (work,) = facts.scope_work
    assert (work.hours, work.approved) == (5.0, False)
    assert dt.date(2026, 3, 31) < work.day <= dt.date(2026, 4, 6)  # the week it falls in


@pytest.mark.django_db
def test_a_change_request_approved_later_is_taken_out_of_the_budget_then(engagement, personas):
    MilestoneFactory(
        engagement=engagement,
        delivered_on=dt.date(2026, 3, 1),
        status="delivered",
        recorded_at=_at(dt.date(2026, 1, 5)),
    )
    MilestoneFactory(engagement=engagement, recorded_at=_at(dt.date(2026, 1, 5)))
    TimeEntryFactory(
        engagement=engagement,
        hours=Decimal(200),
        bill_rate=Decimal(150),
        recorded_at=_at(dt.date(2026, 2, 2)),
    )
    ChangeRequestFactory(
        engagement=engagement,
        status="approved",
        cost_impact=Decimal(6000),
        decided_on=dt.date(2026, 5, 15),
    )
    engagement.budget_amount = Decimal(66000)  # already includes the later approval
    engagement.save()
    facts = signals.collect(personas.workspace_a, AS_OF, SETTINGS)[personas.client_a.pk]
    (budget,) = facts.active_budgets
    assert budget.cpi == pytest.approx(60000 * 0.5 / 30000)


@pytest.mark.django_db
def test_first_reviews_and_client_found_issues(engagement, personas):
    d = DeliverableFactory(engagement=engagement)
    for day, outcome in [(dt.date(2026, 3, 3), "returned"), (dt.date(2026, 3, 9), "accepted")]:
        DeliverableReview.objects.create(
            workspace=personas.workspace_a,
            deliverable=d,
            reviewed_on=day,
            outcome=outcome,
            recorded_at=_at(day),
        )
    QualityIssueFactory(
        engagement=engagement, found_by="client", recorded_at=_at(dt.date(2026, 3, 5))
    )
    QualityIssueFactory(
        engagement=engagement, found_by="internal", recorded_at=_at(dt.date(2026, 3, 5))
    )
    facts = signals.collect(personas.workspace_a, AS_OF, SETTINGS)[personas.client_a.pk]
    assert [r.accepted_first_time for r in facts.reviews] == [False]
    assert len(facts.client_issues) == 1


@pytest.mark.django_db
def test_facts_learnt_after_the_date_never_change_the_index_then(engagement, personas):
    MilestoneFactory(
        engagement=engagement,
        committed_date=dt.date(2026, 3, 2),
        delivered_on=dt.date(2026, 3, 4),
        recorded_at=_at(dt.date(2026, 1, 5)),
    )
    TimeEntryFactory(engagement=engagement, recorded_at=_at(dt.date(2026, 2, 2)))
    before, _ = score_workspace(personas.workspace_a, AS_OF)
    # later: a milestone due and missed after AS_OF; one due before but only recorded after;
    # time logged late; a defect found later
    MilestoneFactory(
        engagement=engagement,
        committed_date=dt.date(2026, 5, 10),
        delivered_on=dt.date(2026, 5, 20),
        recorded_at=_at(dt.date(2026, 1, 5)),
    )
    MilestoneFactory(
        engagement=engagement,
        committed_date=dt.date(2026, 4, 20),
        recorded_at=_at(dt.date(2026, 5, 5)),
    )
    TimeEntryFactory(
        engagement=engagement,
        date=dt.date(2026, 4, 1),
        hours=Decimal(24),
        recorded_at=_at(dt.date(2026, 5, 3)),
    )
    QualityIssueFactory(
        engagement=engagement, opened_on=dt.date(2026, 4, 29), recorded_at=_at(dt.date(2026, 5, 2))
    )
    after, _ = score_workspace(personas.workspace_a, AS_OF)
    assert after[personas.client_a.pk].index == before[personas.client_a.pk].index
    later, _ = score_workspace(personas.workspace_a, dt.date(2026, 5, 31))
    assert later[personas.client_a.pk].index.scores != before[personas.client_a.pk].index.scores


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_clients(personas):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            signals.collect(personas.workspace_a, AS_OF, SETTINGS)
        return len(ctx.captured_queries)

    def add_client():
        e = EngagementFactory(
            client=ClientFactory(workspace=personas.workspace_a), activated_on=dt.date(2026, 1, 5)
        )
        MilestoneFactory(engagement=e, recorded_at=_at(dt.date(2026, 1, 5)))
        TimeEntryFactory(engagement=e, recorded_at=_at(dt.date(2026, 2, 2)))

    add_client()
    few = queries()
    for _ in range(10):
        add_client()
    assert queries() == few
    assert few <= 27  # a few per fact source, and per app one for the versions of edited facts


@pytest.mark.django_db
def test_another_workspaces_facts_are_never_read(personas):
    e = EngagementFactory(client=personas.client_b, activated_on=dt.date(2026, 1, 5))
    TimeEntryFactory(engagement=e, recorded_at=_at(dt.date(2026, 2, 2)))
    assert personas.client_b.pk not in signals.collect(personas.workspace_a, AS_OF, SETTINGS)
