"""Factories of relationship facts; services are used where the fact has side effects."""

from __future__ import annotations

import datetime as dt

import factory

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

    client = factory.SubFactory(ClientFactory)
    workspace = factory.SelfAttribute("client.workspace")
    held_on = dt.date(2026, 1, 20)
    status = "held"
