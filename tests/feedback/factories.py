"""Factories for surveys: campaigns, invitations, answers and follow-ups."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from tests.factories import ClientFactory, ContactFactory
from trustledger.feedback.models import (
    FollowUp,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)


class SurveyCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCampaign

    workspace = factory.SubFactory("tests.factories.WorkspaceFactory")
    name = factory.Sequence(lambda n: f"Relationship NPS {n}")


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    contact = factory.SubFactory(ContactFactory)
    workspace = factory.SelfAttribute("contact.workspace")
    client = factory.SelfAttribute("contact.client")
    campaign = factory.SubFactory(
        SurveyCampaignFactory, workspace=factory.SelfAttribute("..workspace")
    )


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")
    score = 9
    answered_at = factory.LazyFunction(timezone.now)
    recorded_at = factory.SelfAttribute("answered_at")
    source = "manual"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")
    reason = "manual"
    summary = factory.Sequence(lambda n: f"Call back about point {n}")
    due_on = dt.date(2026, 3, 4)
