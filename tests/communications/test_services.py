"""Recording plans, interactions, inquiries and commitments: the rules and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.communications.factories import CommitmentFactory, InquiryFactory
from tests.factories import ContactFactory
from trustledger.communications import services, sla
from trustledger.communications.models import Commitment, CommunicationPlan
from trustledger.scoring.businesstime import OFFICE_HOURS
from trustledger.workspaces.models import AuditEntry
from trustledger.workspaces.services import DomainError

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2025, 3, 14, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def audit(action):
    return AuditEntry.objects.filter(action=action)


def test_an_inquiry_is_due_by_its_plan_sla_in_business_hours_skipping_holidays(personas):
    ws = personas.workspace_a
    sla.update_business_calendar(
        ws, by=personas.alice, time_zone="Europe/London", hours=OFFICE_HOURS
    )
    sla.add_holiday(ws, by=personas.alice, date=dt.date(2025, 3, 10), name="Company day")
    services.save_plan(personas.client_a, by=personas.amir, sla_hours={"phone": "2"})
    friday_4pm = dt.datetime(2025, 3, 7, 16, tzinfo=UTC)

    inquiry = services.record_inquiry(
        personas.client_a,
        by=personas.sam,
        channel="phone",
        received_at=friday_4pm,
        subject="Call back?",
    )

    assert inquiry.sla_hours == Decimal(2)
    assert inquiry.sla_due == dt.datetime(2025, 3, 11, 10, tzinfo=UTC)  # Monday is a holiday
    assert audit("inquiry.recorded").get().actor == personas.sam


def test_a_plan_change_is_audited_with_what_changed(personas):
    plan = services.save_plan(personas.client_a, by=personas.amir, check_in_days=14)
    services.save_plan(
        personas.client_a,
        by=personas.amir,
        check_in_days=7,
        sla_hours={"email": Decimal("4")},
        members=[(personas.amir, "Account manager")],
        escalations=[(1, personas.contact_a, None), (2, None, personas.alice)],
    )

    plan.refresh_from_db()
    assert (plan.check_in_days, plan.sla_hours) == (7, {"email": "4.00"})
    assert plan.starts_on == personas.client_a.relationship_start
    changes = audit("communication_plan.updated").get().changes
    assert changes["check_in_days"] == [14, 7]
    assert set(changes) == {"check_in_days", "sla_hours", "members", "escalations"}
    assert [e.level for e in plan.escalations.all()] == [1, 2]


def test_a_plan_refuses_unknown_channels_and_slas_and_strangers(personas):
    with pytest.raises(DomainError) as error:
        services.save_plan(personas.client_a, by=None, sla_hours={"pigeon": 3})
    assert error.value.field == "sla_hours"
    with pytest.raises(DomainError):
        services.save_plan(personas.client_a, by=None, preferred_channels=["fax"])
    with pytest.raises(DomainError) as error:
        services.save_plan(personas.client_a, by=None, members=[(personas.charlie, "Spy")])
    assert error.value.field == "members"
    other_contact = ContactFactory(client=personas.other_client_a)
    with pytest.raises(DomainError) as error:
        services.save_plan(personas.client_a, by=None, escalations=[(1, other_contact, None)])
    assert error.value.field == "escalations"
    assert not CommunicationPlan.objects.exists()


def test_the_first_response_stops_the_clock_once(personas):
    inquiry = InquiryFactory(client=personas.client_a, received_at=NOW - dt.timedelta(hours=3))
    services.record_inquiry_response(inquiry, at=NOW - dt.timedelta(hours=1), by=personas.sam)

    assert inquiry.first_response_by == personas.sam
    assert inquiry.response_recorded_at == NOW
    with pytest.raises(DomainError, match="already recorded"):
        services.record_inquiry_response(inquiry, at=NOW, by=personas.sam)


def test_responses_cannot_precede_the_inquiry_or_be_in_the_future(personas):
    inquiry = InquiryFactory(client=personas.client_a, received_at=NOW - dt.timedelta(hours=3))
    with pytest.raises(DomainError, match="before the inquiry"):
        services.record_inquiry_response(inquiry, at=NOW - dt.timedelta(hours=4), by=None)
    with pytest.raises(DomainError, match="future"):
        services.record_inquiry_response(inquiry, at=NOW + dt.timedelta(hours=1), by=None)


def test_resolving_an_unanswered_inquiry_answers_it_too(personas):
    inquiry = InquiryFactory(client=personas.client_a, received_at=NOW - dt.timedelta(hours=3))
    services.resolve_inquiry(inquiry, at=NOW, by=personas.amir)

    assert inquiry.first_response_at == inquiry.resolved_at == NOW
    assert audit("inquiry.resolved").exists()


def test_changing_the_channel_of_an_inquiry_moves_its_deadline(personas):
    received = dt.datetime(2025, 3, 12, 9, tzinfo=UTC)
    inquiry = services.record_inquiry(
        personas.client_a, by=None, channel="email", received_at=received, subject="Help"
    )
    services.update_inquiry(inquiry, by=None, channel="ticket", priority="urgent")

    assert inquiry.sla_due == received + dt.timedelta(hours=1)
    assert audit("inquiry.updated").get().changes["channel"] == ["email", "ticket"]


def test_a_commitment_is_kept_late_or_broken(personas):
    kept = services.record_commitment(
        personas.client_a,
        by=personas.amir,
        description="Send the plan",
        due_on=dt.date(2025, 3, 14),
        made_on=dt.date(2025, 3, 1),
    )
    assert kept.owner == personas.amir  # the recorder owes it unless told otherwise
    services.complete_commitment(kept, by=personas.amir, on=dt.date(2025, 3, 13))
    late = CommitmentFactory(client=personas.client_a, due_on=dt.date(2025, 3, 10))
    services.complete_commitment(late, by=personas.amir)
    broken = CommitmentFactory(client=personas.client_a)
    services.break_commitment(broken, by=personas.amir, note="Scope changed")

    assert (kept.outcome, late.outcome, broken.outcome) == ("kept", "late", "broken")
    assert [a.action for a in AuditEntry.objects.order_by("id")][-3:] == [
        "commitment.kept",
        "commitment.late",
        "commitment.broken",
    ]
    with pytest.raises(DomainError, match="already kept"):
        services.complete_commitment(kept, by=None)
    services.reopen_commitment(kept, by=None)
    assert Commitment.objects.get(pk=kept.pk).outcome == "open"


def test_a_commitment_cannot_be_due_before_it_was_made_or_owed_by_a_stranger(personas):
    with pytest.raises(DomainError) as error:
        services.record_commitment(
            personas.client_a,
            by=None,
            description="x",
            due_on=dt.date(2025, 1, 1),
            made_on=dt.date(2025, 2, 1),
        )
    assert error.value.field == "due_on"
    with pytest.raises(DomainError) as error:
        services.record_commitment(
            personas.client_a,
            by=None,
            description="x",
            due_on=dt.date(2025, 4, 1),
            owner=personas.charlie,
        )
    assert error.value.field == "owner"


def test_interactions_refuse_a_contact_of_another_client(personas):
    other = ContactFactory(client=personas.other_client_a)
    with pytest.raises(DomainError) as error:
        services.record_interaction(
            personas.client_a,
            by=None,
            channel="phone",
            occurred_at=NOW,
            subject="Call",
            contact=other,
        )
    assert error.value.field == "contact"


def test_business_hours_changes_are_audited_and_validated(personas):
    ws = personas.workspace_a
    hours = list(OFFICE_HOURS)
    hours[4] = (dt.time(9), dt.time(13))  # short Fridays
    sla.update_business_calendar(ws, by=personas.alice, time_zone="Europe/Paris", hours=hours)

    calendar = sla.business_calendar(ws)
    assert calendar.time_zone == "Europe/Paris"
    assert calendar.hours[4] == (dt.time(9), dt.time(13))
    changes = audit("business_calendar.updated").get().changes
    assert changes["time_zone"] == [None, "Europe/Paris"]
    with pytest.raises(DomainError) as error:
        sla.update_business_calendar(ws, by=None, time_zone="Nowhere/Land", hours=hours)
    assert error.value.field == "time_zone"
    with pytest.raises(DomainError) as error:
        sla.update_business_calendar(ws, by=None, time_zone="UTC", hours=[None] * 7)
    assert error.value.field == "hours"
