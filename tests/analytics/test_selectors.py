"""Portfolio measures on the database, against hand-computed examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.analytics.factories import TimeEntryFactory
from tests.engagements.factories import (
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    QualityIssueFactory,
)
from tests.factories import ClientFactory, WorkspaceFactory
from trustledger.analytics import selectors
from trustledger.analytics.selectors import Period
from trustledger.engagements.models import DeliverableReview
from trustledger.trust.models import SnapshotKind, TrustSnapshot
from trustledger.trust.services import current_config

pytestmark = pytest.mark.django_db
D = dt.date
H1_2026 = Period(D(2026, 1, 1), D(2026, 6, 30))


def snapshot(client, index):
    return TrustSnapshot.objects.create(
        workspace=client.workspace,
        client=client,
        as_of=D(2026, 6, 30),
        kind=SnapshotKind.CURRENT,
        index=index,
        confidence=0.8,
        band="healthy" if index >= 75 else "watch",
        config=current_config(client.workspace),
    )


def test_retention_counts_clients_at_start_new_and_at_end(personas):
    ws = WorkspaceFactory()

    def client(start, lost_on=None):
        status = "lost" if lost_on else "active"
        return ClientFactory(workspace=ws, relationship_start=start, status=status, lost_on=lost_on)

    client(D(2025, 3, 1))  # S, E, R
    client(D(2025, 5, 1), D(2026, 3, 15))  # S, lost in the period
    client(D(2024, 1, 1), D(2025, 12, 31))  # lost before the period: nowhere
    client(D(2026, 2, 1))  # N, E
    client(D(2026, 3, 1), D(2026, 5, 1))  # N, lost in the period
    client(D(2025, 6, 1), D(2026, 8, 1))  # S, E, R: lost after the period
    client(D(2026, 9, 1))  # begins after the period: nowhere
    ClientFactory(workspace=personas.workspace_b, relationship_start=D(2025, 1, 1))

    r = selectors.retention(ws, H1_2026)

    assert (r.at_start, r.new, r.at_end, r.retained) == (3, 2, 3, 2)
    assert r.crr == pytest.approx(1 / 3)  # (3 - 2) / 3
    assert r.logo_retention == pytest.approx(2 / 3)


def test_profitability_per_client_with_pareto_and_quadrants(personas):
    ws = WorkspaceFactory()
    x, y = ClientFactory(workspace=ws, name="Xeno"), ClientFactory(workspace=ws, name="Yarrow")
    on_x, on_y = EngagementFactory(client=x), EngagementFactory(client=y)
    rates = {"cost_rate": Decimal(50), "bill_rate": Decimal(100)}
    TimeEntryFactory(engagement=on_x, date=D(2026, 2, 2), hours=Decimal(10), **rates)
    TimeEntryFactory(engagement=on_x, date=D(2026, 7, 1), hours=Decimal(5), **rates)  # outside
    TimeEntryFactory(
        engagement=on_y,
        date=D(2026, 3, 2),
        hours=Decimal(30),
        cost_rate=Decimal(60),
        bill_rate=Decimal(80),
    )
    TimeEntryFactory(engagement=EngagementFactory(client=personas.client_b), date=D(2026, 2, 2))
    snapshot(x, 80)
    snapshot(y, 60)

    p = selectors.profitability(ws, H1_2026)

    yarrow, xeno = p.rows  # largest effort first
    assert (xeno.profit.hours, xeno.profit.revenue, xeno.profit.cost) == (10, 1000, 500)
    assert xeno.profit.margin_pct == pytest.approx(50)
    assert (yarrow.profit.revenue, yarrow.profit.cost, yarrow.profit.margin) == (2400, 1800, 600)
    assert yarrow.profit.margin_pct == pytest.approx(25)
    assert xeno.profit.effort_share == pytest.approx(0.25)
    assert xeno.profit.revenue_share == pytest.approx(1000 / 3400)
    assert p.median_margin_pct == pytest.approx(37.5)
    assert (xeno.quadrant, yarrow.quadrant) == ("keep_and_grow", "rethink")
    assert p.pareto.top_clients == 1
    assert p.pareto.effort_share == pytest.approx(0.75)
    assert p.pareto.revenue_share == pytest.approx(2400 / 3400)
    assert p.effort_heavy == []  # Yarrow: 0.75 of effort, 0.71 of revenue


def test_success_rates_for_engagements_closed_in_the_period(personas):
    ws = WorkspaceFactory()
    c = ClientFactory(workspace=ws)

    def closed(budget, closed_on=None):
        return EngagementFactory(
            client=c,
            status="closed",
            closed_on=closed_on or D(2026, 4, 30),
            budget_amount=Decimal(budget),
        )

    def billed(engagement, amount):
        TimeEntryFactory(engagement=engagement, hours=Decimal(amount) / 100, bill_rate=100)

    good = closed(1000)  # on time, within budget, accepted first time: all three
    billed(good, 800)
    MilestoneFactory(engagement=good, committed_date=D(2026, 3, 2), delivered_on=D(2026, 3, 6))
    deliverable = DeliverableFactory(engagement=good)
    DeliverableReview.objects.create(
        workspace=ws, deliverable=deliverable, reviewed_on=D(2026, 3, 6), outcome="accepted"
    )
    bad = closed(1000)  # over budget, late past the buffer, a severe issue the client found
    billed(bad, 1200)
    MilestoneFactory(engagement=bad, committed_date=D(2026, 3, 2), delivered_on=D(2026, 3, 10))
    QualityIssueFactory(engagement=bad, severity="high", found_by="client")
    QualityIssueFactory(engagement=good, severity="critical", found_by="internal")  # ours: fine
    unbudgeted = closed(0)  # no milestones, closed before its end: on time; returned at first
    returned = DeliverableFactory(engagement=unbudgeted)
    for day, outcome in ((D(2026, 3, 1), "returned"), (D(2026, 3, 9), "accepted")):
        DeliverableReview.objects.create(
            workspace=ws, deliverable=returned, reviewed_on=day, outcome=outcome
        )
    closed(1000, closed_on=D(2026, 7, 1))  # outside the period
    EngagementFactory(client=c, status="active")

    s = selectors.success_rates(ws, H1_2026)

    r = s.rates
    assert (r.engagements, r.with_budget) == (3, 2)
    assert r.on_time == pytest.approx(2 / 3)
    assert r.within_budget == pytest.approx(1 / 2)
    assert r.quality == pytest.approx(1 / 3)
    assert r.all_three == pytest.approx(1 / 2)
    assert s.outcomes[good.pk].quality
    assert s.outcomes[unbudgeted.pk].within_budget is None


def test_nps_over_the_period_has_a_margin_of_error(personas):
    from tests.feedback.factories import SurveyResponseFactory

    when = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    for score in (10, 9, 7, 3):
        SurveyResponseFactory(client=personas.client_a, score=score, answered_at=when)
    SurveyResponseFactory(client=personas.client_a, score=0, answered_at=when.replace(year=2025))

    result = selectors.nps(personas.workspace_a, H1_2026)

    assert result.n == 4
    assert result.nps == pytest.approx(25)  # 2 promoters - 1 detractor of 4
    assert result.margin_of_error is not None


def test_the_period_of_the_last_months_ends_today():
    assert Period.last_months(12, today=D(2026, 11, 23)) == Period(D(2025, 11, 24), D(2026, 11, 23))
    assert Period.last_months(1, today=D(2026, 3, 31)) == Period(D(2026, 3, 1), D(2026, 3, 31))
