"""Factories for engagements and their delivery facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import ClientFactory
from trustledger.engagements.models import (
    ChangeRequest,
    Deliverable,
    Engagement,
    Milestone,
    Notice,
    QualityIssue,
    ScopeItem,
    SuccessCriterion,
    TimeEntry,
)


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")
    name = factory.Sequence(lambda n: f"Engagement {n}")
    type = "fixed_fee"
    status = "active"
    start_date = dt.date(2026, 1, 5)
    end_date = dt.date(2026, 6, 26)
    budget_hours = Decimal(400)
    budget_amount = Decimal(60000)
    currency = "EUR"


class _EngagementChild(factory.django.DjangoModelFactory):
    engagement = factory.SubFactory(EngagementFactory)
    workspace = factory.SelfAttribute("engagement.workspace")


class ScopeItemFactory(_EngagementChild):
    class Meta:
        model = ScopeItem

    title = factory.Sequence(lambda n: f"Scope item {n}")


class SuccessCriterionFactory(_EngagementChild):
    class Meta:
        model = SuccessCriterion

    description = "Month-end close in five days"


class MilestoneFactory(_EngagementChild):
    class Meta:
        model = Milestone

    name = factory.Sequence(lambda n: f"Milestone {n}")
    committed_date = dt.date(2026, 3, 2)
    buffer_days = 5


class DeliverableFactory(_EngagementChild):
    class Meta:
        model = Deliverable

    name = factory.Sequence(lambda n: f"Deliverable {n}")
    due_date = dt.date(2026, 3, 2)


class ChangeRequestFactory(_EngagementChild):
    class Meta:
        model = ChangeRequest

    title = factory.Sequence(lambda n: f"Change {n}")
    effort_hours = Decimal(40)
    cost_impact = Decimal(6000)
    schedule_impact_days = 14


class TimeEntryFactory(_EngagementChild):
    class Meta:
        model = TimeEntry

    person_name = "Pat Worker"
    date = dt.date(2026, 2, 2)
    hours = Decimal(8)
    cost_rate = Decimal(80)
    bill_rate = Decimal(150)


class NoticeFactory(_EngagementChild):
    class Meta:
        model = Notice

    kind = "slip"
    sent_on = dt.date(2026, 2, 20)
    new_date = dt.date(2026, 3, 16)
    # recorded the day it was sent (at noon UTC): a notice recorded later counts from then
    recorded_at = factory.LazyAttribute(
        lambda n: dt.datetime.combine(n.sent_on, dt.time(12), tzinfo=dt.UTC)
    )


class QualityIssueFactory(_EngagementChild):
    class Meta:
        model = QualityIssue

    title = "Totals do not reconcile"
    severity = "high"
    found_by = "client"
    opened_on = dt.date(2026, 3, 5)
