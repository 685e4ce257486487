"""Business time, one measure everywhere: the index scores a response in the business hours the
communications page shows, against the deadline the Inbox uses, and a holiday moves both."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from trustledger.communications import selectors, services, sla
from trustledger.communications.models import Holiday
from trustledger.scoring.businesstime import OFFICE_HOURS
from trustledger.trust.services import score_workspace

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = dt.date(2026, 3, 6)
MONDAY = dt.date(2026, 3, 9)
TUESDAY = dt.date(2026, 3, 10)


def berlin(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def firm(personas):
    ws = personas.workspace_a
    ws.time_zone = "Europe/Berlin"
    ws.save(update_fields=["time_zone"])
    sla.update_business_calendar(ws, by=None, time_zone="Europe/Berlin", hours=OFFICE_HOURS)
    return personas


def weekend_question(personas):
    """Friday 16:30, an e-mail (8 business hours): due Monday 16:30."""
    at = berlin(FRIDAY, 16, 30)
    with time_machine.travel(at, tick=False):
        return services.record_inquiry(
            personas.client_a, by=None, channel="email", received_at=at, subject="Weekend question"
        )


def answer(inquiry, at):
    with time_machine.travel(at, tick=False):
        return services.record_inquiry_response(inquiry, at=at, by=None)


def responsiveness_evidence(personas, day):
    cards, _ = score_workspace(personas.workspace_a, day, client_ids=[personas.client_a.pk])
    (result,) = [r for r in cards[personas.client_a.pk].indicators if r.key == "responsiveness"]
    return [e.description for e in result.evidence]


def page_median(personas, now):
    stats = selectors.response_measures(personas.workspace_a, now=now)
    return stats[personas.client_a.pk]["email"].median_hours


def test_the_index_counts_a_response_in_the_business_hours_of_the_communications_page(firm):
    inquiry = answer(weekend_question(firm), berlin(MONDAY, 10))

    assert page_median(firm, berlin(MONDAY, 12)) == pytest.approx(1.5)
    assert responsiveness_evidence(firm, MONDAY) == [
        "Weekend question: first response after 1.5 business hours (19% of the 8 h SLA)"
    ]
    assert inquiry.sla_due == berlin(MONDAY, 16, 30)


def test_a_holiday_moves_the_deadline_as_well_as_the_response(firm):
    inquiry = weekend_question(firm)

    with time_machine.travel(berlin(MONDAY, 8), tick=False):
        sla.add_holiday(firm.workspace_a, by=firm.alice, date=MONDAY, name="Company day")
    inquiry.refresh_from_db()
    assert inquiry.sla_due == berlin(TUESDAY, 16, 30)
    box = selectors.inbox(firm.workspace_a, firm.alice, now=berlin(MONDAY, 16), all_clients=True)
    assert box.inquiries == []  # not overdue on the holiday, nor within two hours of it

    answer(inquiry, berlin(TUESDAY, 10))
    assert page_median(firm, berlin(TUESDAY, 12)) == pytest.approx(1.5)
    assert responsiveness_evidence(firm, TUESDAY) == [
        "Weekend question: first response after 1.5 business hours (19% of the 8 h SLA)"
    ]

    sla.remove_holiday(Holiday.objects.get(date=MONDAY), by=firm.alice)
    inquiry.refresh_from_db()
    assert inquiry.sla_due == berlin(MONDAY, 16, 30)  # answered Tuesday: late after all
    assert responsiveness_evidence(firm, TUESDAY) == [
        "Weekend question: first response after 9.5 business hours (119% of the 8 h SLA)"
    ]


def test_a_holiday_leaves_the_deadlines_it_does_not_span(firm):
    inquiry = weekend_question(firm)
    before = inquiry.sla_due

    sla.add_holiday(firm.workspace_a, by=None, date=TUESDAY, name="After the deadline")
    sla.add_holiday(firm.workspace_a, by=None, date=FRIDAY - dt.timedelta(days=1), name="Before")

    inquiry.refresh_from_db()
    assert inquiry.sla_due == before


def test_new_opening_hours_move_deadlines_and_responses_alike(firm):
    inquiry = answer(weekend_question(firm), berlin(MONDAY, 10))
    eight_to_four = [(dt.time(8), dt.time(16))] * 5 + [None, None]

    sla.update_business_calendar(
        firm.workspace_a, by=None, time_zone="Europe/Berlin", hours=eight_to_four
    )

    inquiry.refresh_from_db()
    assert inquiry.sla_due == berlin(MONDAY, 16)  # Friday closed at 16:00: all 8 h on Monday
    assert inquiry.response_hours == pytest.approx(2.0)
    assert page_median(firm, berlin(MONDAY, 12)) == pytest.approx(2.0)
