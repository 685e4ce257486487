"""The migration that gives deliveries and decisions their recording instant fills existing rows
from the audit log, and leaves alone what the log says nothing of."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps

from tests.engagements.factories import ChangeRequestFactory, EngagementFactory, MilestoneFactory
from trustledger.engagements import services
from trustledger.engagements.models import ChangeRequest, Milestone

migration = importlib.import_module("trustledger.engagements.migrations.0006_claims_recorded_at")
pytestmark = pytest.mark.django_db
DELIVERED = dt.datetime(2026, 3, 9, 17, tzinfo=dt.UTC)
CORRECTED = dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC)
DECIDED = dt.datetime(2026, 4, 2, 11, tzinfo=dt.UTC)


def forget_recordings():
    """The rows as they were before the migration: no recording instant of their own."""
    Milestone.objects.update(delivery_recorded_at=None)
    ChangeRequest.objects.update(decision_recorded_at=None)


def test_a_delivery_takes_its_latest_recording_from_the_audit_log(personas):
    engagement = EngagementFactory(client=personas.client_a)
    milestone = MilestoneFactory(engagement=engagement)
    with time_machine.travel(DELIVERED, tick=False):
        services.deliver_milestone(milestone, on=dt.date(2026, 3, 9), by=None)
    with time_machine.travel(CORRECTED, tick=False):
        services.update_milestone(milestone, by=None, delivered_on=dt.date(2026, 3, 6))
    untouched = MilestoneFactory(
        engagement=engagement, status="delivered", delivered_on=dt.date(2026, 2, 1)
    )
    forget_recordings()

    migration.fill_from_the_audit_log(apps, None)

    assert Milestone.objects.get(pk=milestone.pk).delivery_recorded_at == CORRECTED
    assert Milestone.objects.get(pk=untouched.pk).delivery_recorded_at is None


def test_a_decision_takes_its_recording_from_the_audit_log(personas):
    cr = ChangeRequestFactory(engagement__client=personas.client_a, status="submitted")
    with time_machine.travel(DECIDED, tick=False):
        services.decide_change_request(
            cr, approve=True, decided_by=personas.contact_a, on=dt.date(2026, 3, 1), by=None
        )
    undecided = ChangeRequestFactory(engagement=cr.engagement)
    forget_recordings()

    migration.fill_from_the_audit_log(apps, None)

    assert ChangeRequest.objects.get(pk=cr.pk).decision_recorded_at == DECIDED
    assert ChangeRequest.objects.get(pk=undecided.pk).decision_recorded_at is None
