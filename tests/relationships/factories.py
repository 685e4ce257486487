"""Factories of relationship facts; services are used where the fact has side effects."""

from __future__ import annotations

import datetime as dt

import factory

from tests.communications.factories import InteractionFactory
from tests.factories import ClientFactory
from trustledger.relationships.models import BusinessReview, HealthAnswer, HealthCheck


class HealthCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthCheck

    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")
    held_on = dt.date(2026, 1, 15)
    score = 70.0


class HealthAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthAnswer

    health_check = factory.SubFactory(HealthCheckFactory)
    workspace = factory.SelfAttribute("health_check.workspace")
    question = "delivers"
    area = "results"
    answer = 4


class BusinessReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessReview
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")
    held_on = dt.date(2026, 1, 20)
    status = "held"

    @factory.post_generation
    def held_as_interaction(obj: BusinessReview, create: bool, extracted: object, **kw: object):
        """A held review is a business-review interaction on record, as the service writes it."""
        if create and obj.status == "held" and obj.interaction_id is None:
            obj.interaction = InteractionFactory(
                client=obj.client,
                kind="business_review",
                occurred_at=dt.datetime.combine(obj.held_on, dt.time(10), tzinfo=dt.UTC),
                subject="Business review",
            )
            obj.save(update_fields=["interaction"])
