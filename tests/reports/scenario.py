"""A hand-built engagement with something in every section of a status report.

Dates are relative to ``today`` so that the same facts serve the services (given a fixed day)
and the pages and browser (which use the real date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from tests.communications.factories import CommitmentFactory
from tests.conftest import Personas
from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    NoticeFactory,
    QualityIssueFactory,
    ScopeItemFactory,
    TimeEntryFactory,
)
from trustledger.clients.models import Contact
from trustledger.engagements.models import Engagement
from trustledger.reports.models import StatusReport


@dataclass
class Scenario:
    today: dt.date
    engagement: Engagement
    previous: StatusReport  # sent 30 days ago: this period starts the day after
    second_contact: Contact

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)


def build(p: Personas, today: dt.date | None = None) -> Scenario:
    """GIVEN ERP selection for Acme, four months in, last reported 30 days ago: in this period
    one milestone was reached (late, announced), one deliverable accepted, one change request
    approved; one milestone is overdue, one forecast late; a change request awaits the client; a
    quality issue is open; one promise is overdue and one is due next week."""
    today = today or timezone.localdate()

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    e = EngagementFactory(
        client=p.client_a,
        name="ERP selection",
        start_date=day(-120),
        end_date=day(60),
        budget_hours=Decimal(400),
        budget_amount=Decimal(60000),
        lead=p.amir,
        activated_on=day(-120),
    )
    scope = ScopeItemFactory(engagement=e, title="Vendor selection")
    MilestoneFactory(
        engagement=e,
        name="Requirements signed",
        committed_date=day(-90),
        delivered_on=day(-91),
        status="delivered",
    )
    longlist = MilestoneFactory(
        engagement=e,
        name="Vendor longlist",
        committed_date=day(-20),
        buffer_days=5,
        delivered_on=day(-10),
        status="delivered",
    )
    NoticeFactory(engagement=e, milestone=longlist, sent_on=day(-25), new_date=day(-10))
    MilestoneFactory(
        engagement=e, name="Shortlist and demos", committed_date=day(-5), buffer_days=3
    )
    MilestoneFactory(
        engagement=e,
        name="Final recommendation",
        committed_date=day(30),
        buffer_days=2,
        forecast_date=day(40),
    )
    MilestoneFactory(engagement=e, name="Contract signed", committed_date=day(55))
    DeliverableFactory(
        engagement=e,
        name="Requirements document",
        due_date=day(-90),
        status="accepted",
        accepted_on=day(-88),
    )
    DeliverableFactory(
        engagement=e,
        name="Longlist report",
        due_date=day(-10),
        status="accepted",
        accepted_on=day(-8),
    )
    for week in range(17):  # 10 h a week at 150 an hour, on agreed scope
        TimeEntryFactory(
            engagement=e,
            date=day(-119 + 7 * week),
            hours=Decimal(10),
            bill_rate=Decimal(150),
            scope_item=scope,
        )
    ChangeRequestFactory(
        engagement=e,
        title="Third demo round",
        status="approved",
        submitted_on=day(-15),
        decided_on=day(-12),
        decided_by=p.contact_a,
    )
    ChangeRequestFactory(
        engagement=e,
        title="Data migration assessment",
        status="submitted",
        submitted_on=day(-3),
        cost_impact=Decimal(6000),
        schedule_impact_days=14,
    )
    ChangeRequestFactory(engagement=e, title="Internal idea", status="draft")
    ChangeRequestFactory(engagement=e, title="Early change", status="approved", decided_on=day(-60))
    QualityIssueFactory(
        engagement=e, title="Scores do not add up", severity="high", opened_on=day(-10)
    )
    QualityIssueFactory(
        engagement=e, title="Typos", severity="low", opened_on=day(-50), resolved_on=day(-47)
    )
    CommitmentFactory(
        client=p.client_a, description="Send the demo agenda", made_on=day(-10), due_on=day(-3)
    )
    CommitmentFactory(
        client=p.client_a, description="Share vendor pricing", made_on=day(-2), due_on=day(7)
    )
    CommitmentFactory(
        client=p.client_a,
        description="Book the kickoff room",
        made_on=day(-100),
        due_on=day(-95),
        done_on=day(-96),
    )
    previous = StatusReport.objects.create(
        workspace=p.workspace_a,
        client=p.client_a,
        engagement=e,
        title="Status report: ERP selection, earlier",
        period_start=day(-120),
        period_end=day(-30),
        status="sent",
        sent_at=timezone.now() - dt.timedelta(days=30),
        narrative="Earlier.",
        snapshot={},
    )
    second = Contact.objects.create(
        workspace=p.workspace_a, client=p.client_a, name="Bo Sponsor", email="bo@acme.example"
    )
    return Scenario(today=today, engagement=e, previous=previous, second_contact=second)
