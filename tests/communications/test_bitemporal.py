"""Edits of touches, inquiries and promises are versions (issue 14, "Bitemporal facts"): what the
index reads as of an instant before the edit is what was known then; after it, the new value."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.communications.factories import (
    CommitmentFactory,
    InquiryFactory,
    InteractionFactory,
    PlanFactory,
)
from trustledger.communications import selectors, services

pytestmark = pytest.mark.django_db
UTC = dt.UTC
RECEIVED = dt.datetime(2025, 3, 10, 9, tzinfo=UTC)  # a Monday
H = dt.timedelta(hours=1)
EDITED = dt.datetime(2025, 4, 2, 12, tzinfo=UTC)


def inquiries(personas, as_of):
    return [
        (q.subject, q.first_response)
        for q in selectors.inquiry_facts(personas.workspace_a, as_of=as_of)[personas.client_a.pk]
    ]


def test_correcting_a_first_response_later_leaves_the_earlier_reading_as_it_was(personas):
    inquiry = InquiryFactory(
        client=personas.client_a,
        subject="Invoice query",
        received_at=RECEIVED,
        sla_due=RECEIVED + 8 * H,
        first_response_at=RECEIVED + 2 * H,
        response_recorded_at=RECEIVED + 2 * H,
        recorded_at=RECEIVED,
    )
    before_edit = EDITED - H
    known = inquiries(personas, before_edit)
    assert known == [("Invoice query", RECEIVED + 2 * H)]

    with time_machine.travel(EDITED, tick=False):
        services.update_inquiry(inquiry, by=None, first_response_at=RECEIVED + 30 * H)

    assert inquiries(personas, before_edit) == known
    assert inquiries(personas, EDITED) == [("Invoice query", RECEIVED + 30 * H)]


def test_reopening_a_kept_promise_later_leaves_it_kept_before(personas):
    promise = CommitmentFactory(
        client=personas.client_a,
        due_on=dt.date(2025, 3, 10),
        done_on=dt.date(2025, 3, 9),
        settled_at=dt.datetime(2025, 3, 9, 17, tzinfo=UTC),
        recorded_at=dt.datetime(2025, 3, 3, tzinfo=UTC),
    )

    def done(as_of):
        facts = selectors.commitment_facts(personas.workspace_a, as_of=as_of)
        return [item.done for item in facts[personas.client_a.pk]]

    with time_machine.travel(EDITED, tick=False):
        services.reopen_commitment(promise, by=None)

    assert done(EDITED - H) == [dt.date(2025, 3, 9)]
    assert done(EDITED) == [None]


def test_moving_a_check_in_later_leaves_the_earlier_cadence_as_it_was(personas):
    PlanFactory(
        client=personas.client_a,
        check_in_days=7,
        review_days=None,
        budget_update_days=None,
        starts_on=dt.date(2025, 3, 1),
        created_at=dt.datetime(2025, 3, 1, tzinfo=UTC),
    )
    touch = InteractionFactory(
        client=personas.client_a,
        occurred_at=dt.datetime(2025, 3, 4, 10, tzinfo=UTC),
        recorded_at=dt.datetime(2025, 3, 4, 11, tzinfo=UTC),
    )

    def held(as_of):
        periods = selectors.cadence_facts(personas.workspace_a, as_of=as_of)
        return [(p.due, p.held_on) for p in periods[personas.client_a.pk]]

    before_edit = dt.datetime(2025, 3, 12, 18, tzinfo=UTC)
    known = held(before_edit)
    assert (dt.date(2025, 3, 9), dt.date(2025, 3, 4)) in known

    with time_machine.travel(EDITED, tick=False):
        services.update_interaction(
            touch, by=None, occurred_at=dt.datetime(2025, 3, 18, 10, tzinfo=UTC)
        )

    assert held(before_edit) == known
    assert (dt.date(2025, 3, 9), dt.date(2025, 3, 4)) not in held(EDITED)
