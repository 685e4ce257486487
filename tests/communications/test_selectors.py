"""Reads: the inbox, the measures for every client in a fixed number of queries, and the facts
the trust index reads as known at an instant."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.communications.factories import (
    CommitmentFactory,
    InquiryFactory,
    InteractionFactory,
    PlanFactory,
)
from tests.factories import ClientFactory
from trustledger.communications import selectors, sla
from trustledger.communications.models import Inquiry

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2025, 3, 14, 12, tzinfo=UTC)  # a Friday
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def queries(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_the_inbox_lists_inquiries_at_or_past_sla_of_my_clients(personas):
    late = InquiryFactory(client=personas.client_a, received_at=NOW - 30 * H, sla_due=NOW - 2 * H)
    soon = InquiryFactory(client=personas.client_a, received_at=NOW - 7 * H, sla_due=NOW + H)
    InquiryFactory(client=personas.client_a, received_at=NOW - H, sla_due=NOW + 7 * H)  # in time
    InquiryFactory(  # answered
        client=personas.client_a,
        received_at=NOW - 30 * H,
        sla_due=NOW - 2 * H,
        first_response_at=NOW - 3 * H,
    )
    others = InquiryFactory(
        client=personas.other_client_a, received_at=NOW - 30 * H, sla_due=NOW - H
    )
    mine = CommitmentFactory(
        client=personas.client_a, owner=personas.amir, due_on=NOW.date() + 3 * D
    )
    CommitmentFactory(client=personas.client_a, owner=personas.amir, due_on=NOW.date() + 30 * D)

    box = selectors.inbox(personas.workspace_a, personas.amir, now=NOW, all_clients=False)

    assert [c.inquiry for c in box.inquiries] == [late, soon]
    assert [c.state for c in box.inquiries] == ["breached", "at_risk"]
    assert box.commitments == [mine]
    everyone = selectors.inbox(personas.workspace_a, personas.amir, now=NOW, all_clients=True)
    assert others in [c.inquiry for c in everyone.inquiries]


def test_response_measures_are_per_client_and_channel_in_business_hours(personas):
    monday_9 = dt.datetime(2025, 3, 10, 9, tzinfo=UTC)
    for hours in (1, 2, 3, 4, 10):
        InquiryFactory(
            client=personas.client_a,
            received_at=monday_9,
            sla_due=monday_9 + 8 * H,
            first_response_at=monday_9 + hours * H,
        )
    friday_4pm = dt.datetime(2025, 3, 7, 16, tzinfo=UTC)
    InquiryFactory(  # answered Monday 10:00: two business hours later
        client=personas.client_a,
        channel="phone",
        received_at=friday_4pm,
        sla_due=friday_4pm + 100 * H,
        first_response_at=friday_4pm + 66 * H,
    )

    stats = selectors.response_measures(personas.workspace_a, now=NOW)[personas.client_a.pk]

    assert stats["email"].median_hours == 3.0
    assert stats["email"].attainment == 0.8  # 10 h was past the 8 h SLA
    assert stats["phone"].median_hours == 2.0


def test_measures_cost_the_same_queries_for_one_client_or_many(personas):
    def build(n):
        for _ in range(n):
            client = ClientFactory(workspace=personas.workspace_a)
            PlanFactory(client=client)
            InteractionFactory(client=client, occurred_at=NOW - 3 * D)
            InquiryFactory(client=client, received_at=NOW - 2 * D, sla_due=NOW - D)

    def measure():
        selectors.response_measures(personas.workspace_a, now=NOW)
        selectors.cadence_measures(personas.workspace_a, as_of=NOW.date())
        selectors.last_touches(personas.workspace_a, now=NOW)
        selectors.inquiry_facts(personas.workspace_a, as_of=NOW)
        selectors.cadence_facts(personas.workspace_a, as_of=NOW)
        selectors.commitment_facts(personas.workspace_a, as_of=NOW)

    build(1)
    few = queries(measure)
    build(12)
    assert queries(measure) == few


def test_cadence_measures_follow_the_plan_from_its_start(personas):
    PlanFactory(
        client=personas.client_a,
        check_in_days=14,
        review_days=None,
        budget_update_days=None,
        starts_on=dt.date(2025, 1, 1),
    )
    for day in (5, 18, 31):
        InteractionFactory(
            client=personas.client_a, occurred_at=dt.datetime(2025, 1, day, 10, tzinfo=UTC)
        )

    [check_in] = selectors.cadence_measures(personas.workspace_a, as_of=dt.date(2025, 3, 14))[
        personas.client_a.pk
    ]

    assert (check_in.kind, check_in.held, check_in.due) == ("check_in", 3, 5)
    assert check_in.last_held == dt.date(2025, 1, 31)
    assert check_in.overdue_days == (dt.date(2025, 3, 14) - dt.date(2025, 1, 31)).days - 15


def test_inquiry_facts_use_only_what_was_recorded_by_then(personas):
    received = NOW - 10 * D
    InquiryFactory(  # answered in time, but the answer was logged two days later
        client=personas.client_a,
        subject="Logged late",
        received_at=received,
        sla_due=received + 8 * H,
        first_response_at=received + 2 * H,
        response_recorded_at=received + 2 * D,
        recorded_at=received,
    )
    InquiryFactory(  # typed in a week after it came
        client=personas.client_a,
        subject="Typed later",
        received_at=received,
        sla_due=received + 8 * H,
        recorded_at=received + 7 * D,
    )

    at_first = selectors.inquiry_facts(personas.workspace_a, as_of=received + D)[
        personas.client_a.pk
    ]
    later = selectors.inquiry_facts(personas.workspace_a, as_of=NOW)[personas.client_a.pk]

    assert [(q.subject, q.first_response) for q in at_first] == [("Logged late", None)]
    assert sorted(q.subject for q in later) == ["Logged late", "Typed later"]
    assert next(q for q in later if q.subject == "Logged late").first_response == received + 2 * H


def test_cadence_and_commitment_facts_as_of_an_instant(personas):
    PlanFactory(
        client=personas.client_a,
        check_in_days=7,
        review_days=None,
        budget_update_days=None,
        starts_on=dt.date(2025, 3, 1),
        created_at=dt.datetime(2025, 3, 1, tzinfo=UTC),
    )
    InteractionFactory(
        client=personas.client_a,
        occurred_at=dt.datetime(2025, 3, 4, 10, tzinfo=UTC),
        recorded_at=dt.datetime(2025, 3, 4, 11, tzinfo=UTC),
    )
    InteractionFactory(
        client=personas.client_a,
        occurred_at=dt.datetime(2025, 3, 11, 10, tzinfo=UTC),
        recorded_at=dt.datetime(2025, 3, 13, 11, tzinfo=UTC),
    )  # logged late
    CommitmentFactory(
        client=personas.client_a,
        due_on=dt.date(2025, 3, 10),
        done_on=dt.date(2025, 3, 9),
        settled_at=dt.datetime(2025, 3, 12, tzinfo=UTC),
        recorded_at=dt.datetime(2025, 3, 3, tzinfo=UTC),
    )

    on_12th = dt.datetime(2025, 3, 12, 18, tzinfo=UTC)
    periods = selectors.cadence_facts(personas.workspace_a, as_of=on_12th)[personas.client_a.pk]
    assert [(p.kind, p.due, p.held_on) for p in periods] == [
        ("check-in", dt.date(2025, 3, 9), dt.date(2025, 3, 4)),
        ("check-in", dt.date(2025, 3, 12), None),
    ]
    later = selectors.cadence_facts(personas.workspace_a, as_of=NOW)[personas.client_a.pk]
    assert later[1].held_on == dt.date(2025, 3, 11)
    [promise] = selectors.commitment_facts(personas.workspace_a, as_of=on_12th - D)[
        personas.client_a.pk
    ]
    assert promise.done is None  # marked done only on the 12th
    [promise] = selectors.commitment_facts(personas.workspace_a, as_of=NOW)[personas.client_a.pk]
    assert promise.done == dt.date(2025, 3, 9)


def test_facts_of_another_workspace_never_appear(personas):
    InquiryFactory(client=personas.client_b, received_at=NOW - D, sla_due=NOW)
    assert selectors.inquiry_facts(personas.workspace_a, as_of=NOW) == {}


def test_inquiry_facts_count_the_sla_and_the_response_in_business_hours(personas):
    friday_4pm = dt.datetime(2025, 3, 7, 16, tzinfo=UTC)  # office hours in UTC: 9 to 5
    InquiryFactory(
        client=personas.client_a,
        received_at=friday_4pm,
        sla_due=friday_4pm + 3 * D,  # Monday 16:00, 8 business hours later
        first_response_at=friday_4pm + 3 * D - 6 * H,  # Monday 10:00
        response_recorded_at=friday_4pm + 3 * D - 6 * H,
        recorded_at=friday_4pm,
    )

    def facts():
        (inquiry,) = selectors.inquiry_facts(personas.workspace_a, as_of=NOW)[personas.client_a.pk]
        return inquiry.sla_hours, inquiry.response_hours

    assert facts() == (8.0, 2.0)  # counted on the calendar
    sla.store_response_hours(personas.workspace_a)
    assert facts() == (8.0, 2.0)  # read back as stored
    Inquiry.objects.update(response_hours=99, response_hours_calendar="another calendar")
    assert facts() == (8.0, 2.0)  # a figure stored on another calendar is counted again
