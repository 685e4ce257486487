"""Factories for communication plans, interactions, inquiries and commitments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import ClientFactory
from trustledger.communications.models import (
    Commitment,
    CommunicationPlan,
    Holiday,
    Inquiry,
    Interaction,
)

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


class _ClientFact(factory.django.DjangoModelFactory):
    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")


class PlanFactory(_ClientFact):
    class Meta:
        model = CommunicationPlan

    check_in_days = 14
    review_days = 91
    budget_update_days = 30
    starts_on = dt.date(2025, 1, 1)


class InteractionFactory(_ClientFact):
    class Meta:
        model = Interaction

    channel = "meeting"
    direction = "two_way"
    kind = "check_in"
    occurred_at = T0
    subject = factory.Sequence(lambda n: f"Check-in {n}")


class InquiryFactory(_ClientFact):
    class Meta:
        model = Inquiry

    channel = "email"
    subject = factory.Sequence(lambda n: f"Question {n}")
    received_at = T0
    sla_hours = Decimal(8)
    sla_due = factory.LazyAttribute(lambda o: o.received_at + dt.timedelta(hours=8))


class CommitmentFactory(_ClientFact):
    class Meta:
        model = Commitment

    description = factory.Sequence(lambda n: f"Send the plan {n}")
    made_on = dt.date(2025, 3, 3)
    due_on = dt.date(2025, 3, 10)


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    date = dt.date(2025, 12, 25)
    name = "Christmas Day"
