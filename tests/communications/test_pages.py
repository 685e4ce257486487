"""The communication pages: the client page sections, the inbox, the forms and the plan editor,
with the roles that may use them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.communications.factories import (
    CommitmentFactory,
    HolidayFactory,
    InquiryFactory,
    InteractionFactory,
    PlanFactory,
)
from tests.factories import ClientFactory
from trustledger.communications import sla
from trustledger.communications.models import (
    BusinessCalendar,
    Commitment,
    CommunicationPlan,
    Holiday,
    Inquiry,
    Interaction,
)
from trustledger.scoring.businesstime import OFFICE_HOURS

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2025, 3, 14, 12, tzinfo=UTC)
H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def berlin(personas):
    sla.update_business_calendar(
        personas.workspace_a, by=None, time_zone="Europe/Berlin", hours=OFFICE_HOURS
    )


def url(name, *args):
    from django.urls import reverse

    return reverse(f"communications:{name}", args=args)


def test_the_client_page_shows_plan_inquiries_cadence_commitments_and_timeline(client, personas):
    PlanFactory(client=personas.client_a, check_in_days=14)
    InteractionFactory(client=personas.client_a, subject="Steering call", occurred_at=NOW - 2 * H)
    InquiryFactory(
        client=personas.client_a,
        subject="Where is the report?",
        received_at=NOW - 30 * H,
        sla_due=NOW - 2 * H,
    )
    CommitmentFactory(
        client=personas.client_a, description="Send the minutes", due_on=dt.date(2025, 3, 20)
    )
    client.force_login(personas.amir)

    body = client.get(f"/clients/{personas.client_a.pk}/").content.decode()

    for text in (
        "Communication plan",
        "every 14 days",
        "Steering call",
        "Where is the report?",
        "past SLA",
        "Send the minutes",
        "Keeping in touch",
    ):
        assert text in body


def test_the_client_page_costs_the_same_queries_however_much_history(client, personas):
    client.force_login(personas.amir)
    page = f"/clients/{personas.client_a.pk}/"
    PlanFactory(client=personas.client_a)
    InteractionFactory(client=personas.client_a)
    InquiryFactory(client=personas.client_a)
    CommitmentFactory(client=personas.client_a)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for n in range(20):
        InteractionFactory(client=personas.client_a, occurred_at=NOW - n * 24 * H)
        InquiryFactory(client=personas.client_a, received_at=NOW - n * H)
        CommitmentFactory(client=personas.client_a)
    with CaptureQueriesContext(connection) as many:
        client.get(page)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_inbox_lists_my_clients_inquiries_past_sla(client, personas):
    InquiryFactory(
        client=personas.client_a, subject="Mine and late", received_at=NOW - 30 * H, sla_due=NOW - H
    )
    InquiryFactory(
        client=personas.other_client_a,
        subject="Not my client",
        received_at=NOW - 30 * H,
        sla_due=NOW - H,
    )
    client.force_login(personas.amir)

    mine = client.get(url("inbox")).content.decode()
    everyone = client.get(url("inbox") + "?scope=all").content.decode()
    client.force_login(personas.alice)  # manages no client: sees everyone's unless she asks
    alices = client.get(url("inbox")).content.decode()
    alices_own = client.get(url("inbox") + "?scope=mine").content.decode()

    assert "Mine and late" in mine and "Not my client" not in mine
    assert "Not my client" in everyone
    assert "Not my client" in alices and "Not my client" not in alices_own


def test_recording_a_meeting_can_record_the_promise_made_in_it(client, personas, berlin):
    client.force_login(personas.sam)
    response = client.post(
        url("interaction_create", personas.client_a.pk),
        {
            "channel": "meeting",
            "kind": "check_in",
            "direction": "two_way",
            "occurred_at": "2025-03-14T10:00",
            "duration_minutes": "30",
            "subject": "Weekly check-in",
            "contact": personas.contact_a.pk,
            "commitment": "Send the revised plan",
            "commitment_due_on": "2025-03-18",
            "commitment_owner": personas.amir.pk,
        },
    )

    assert response.status_code == 302
    meeting = Interaction.objects.get()
    assert meeting.occurred_at == dt.datetime(2025, 3, 14, 9, tzinfo=UTC)  # 10:00 in Berlin
    assert meeting.recorded_by == personas.sam
    promise = Commitment.objects.get()
    assert (promise.interaction, promise.owner, promise.made_on) == (
        meeting,
        personas.amir,
        dt.date(2025, 3, 14),
    )


def test_recording_an_inquiry_tells_when_it_is_due(client, personas, berlin):
    client.force_login(personas.sam)
    response = client.post(
        url("inquiry_create", personas.client_a.pk),
        {
            "channel": "email",
            "priority": "normal",
            "subject": "Budget question",
            "received_at": "2025-03-14T12:00",
        },
        follow=True,
    )

    inquiry = Inquiry.objects.get()
    assert inquiry.sla_due == dt.datetime(2025, 3, 17, 11, tzinfo=UTC)  # Monday 12:00 in Berlin
    assert "answer by Mon 17 Mar 12:00" in response.content.decode()


def test_a_future_inquiry_is_refused_next_to_its_field(client, personas):
    client.force_login(personas.sam)
    response = client.post(
        url("inquiry_create", personas.client_a.pk),
        {
            "channel": "email",
            "priority": "normal",
            "subject": "From the future",
            "received_at": "2025-04-01T10:00",
        },
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_answering_an_inquiry(client, personas):
    inquiry = InquiryFactory(client=personas.client_a, received_at=NOW - 5 * H)
    client.force_login(personas.sam)

    response = client.post(url("inquiry_respond", inquiry.pk), {"at": "2025-03-14T11:00"})

    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.first_response_at == NOW - H
    assert inquiry.first_response_by == personas.sam


def test_a_promise_is_quick_to_record_and_to_mark_done(client, personas):
    client.force_login(personas.amir)
    section = client.post(
        url("commitment_create", personas.client_a.pk),
        {
            "description": "Call back about the invoice",
            "owner": personas.amir.pk,
            "due_on": "2025-03-17",
        },
        HTTP_HX_REQUEST="true",
    )
    assert section.status_code == 200
    assert 'id="commitments"' in section.content.decode()
    promise = Commitment.objects.get()
    assert "Call back about the invoice" in section.content.decode()

    done = client.post(url("commitment_done", promise.pk), HTTP_HX_REQUEST="true")

    assert done.status_code == 200
    promise.refresh_from_db()
    assert promise.outcome == "kept"
    assert "Kept" in done.content.decode()


def test_an_incomplete_quick_promise_shows_why(client, personas):
    client.force_login(personas.amir)
    section = client.post(
        url("commitment_create", personas.client_a.pk),
        {"description": "No date"},
        HTTP_HX_REQUEST="true",
    )
    assert "This field is required." in section.content.decode()
    assert 'value="No date"' in section.content.decode()
    assert not Commitment.objects.exists()


def test_marking_a_promise_broken_and_refusing_get(client, personas):
    promise = CommitmentFactory(client=personas.client_a)
    client.force_login(personas.sam)
    assert client.get(url("commitment_broken", promise.pk)).status_code == 405
    client.post(url("commitment_broken", promise.pk))
    promise.refresh_from_db()
    assert promise.outcome == "broken"


def _plan_post(personas, **extra):
    data = {
        "preferred_channels": ["email", "meeting"],
        "check_in_days": "7",
        "review_days": "91",
        "budget_update_days": "",
        "starts_on": "2025-01-01",
        "notes": "",
        "sla_email": "4",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-0-person": personas.amir.pk,
        "members-0-role": "Account manager",
        "members-1-person": "",
        "members-1-role": "",
        "escalations-TOTAL_FORMS": "1",
        "escalations-INITIAL_FORMS": "0",
        "escalations-0-level": "1",
        "escalations-0-who": f"c{personas.contact_a.pk}",
    }
    return data | extra


def test_an_account_manager_sets_the_plan_of_their_client(client, personas):
    client.force_login(personas.amir)
    assert client.get(url("plan_edit", personas.client_a.pk)).status_code == 200

    response = client.post(url("plan_edit", personas.client_a.pk), _plan_post(personas))

    assert response.status_code == 302
    plan = CommunicationPlan.objects.get()
    assert (plan.check_in_days, plan.budget_update_days) == (7, None)
    assert plan.preferred_channels == ["email", "meeting"]
    assert plan.sla_hours == {"email": "4.00"}
    assert [(m.person, m.role) for m in plan.members.all()] == [(personas.amir, "Account manager")]
    assert plan.escalations.get().contact == personas.contact_a


def test_only_the_client_s_account_manager_or_a_leader_edits_its_plan(client, personas):
    alices = ClientFactory(workspace=personas.workspace_a, account_manager=personas.alice)
    client.force_login(personas.amir)
    other = url("plan_edit", alices.pk)
    assert client.post(other, _plan_post(personas)).status_code == 403
    client.force_login(personas.sam)
    assert client.get(url("plan_edit", personas.client_a.pk)).status_code == 403
    assert not CommunicationPlan.objects.exists()


def test_everyone_sees_the_business_hours_but_only_an_owner_changes_them(client, personas):
    client.force_login(personas.sam)
    assert client.get(url("business_hours")).status_code == 200
    assert (
        client.post(url("business_hours"), {"date": "2025-12-24", "name": "Eve"}).status_code == 403
    )

    client.force_login(personas.alice)
    hours = {f"{d}_opens": "08:00" for d in BusinessCalendar.DAYS[:5]} | {
        f"{d}_closes": "16:00" for d in BusinessCalendar.DAYS[:5]
    }
    client.post(url("business_hours"), {"time_zone": "Europe/Vienna", **hours})
    client.post(url("business_hours"), {"date": "2025-12-24", "name": "Christmas Eve"})

    calendar = sla.business_calendar(personas.workspace_a)
    assert calendar.time_zone == "Europe/Vienna"
    assert calendar.hours[0] == (dt.time(8), dt.time(16)) and calendar.hours[5] is None
    assert calendar.holidays == {dt.date(2025, 12, 24)}


def test_an_owner_removes_a_holiday(client, personas):
    holiday = HolidayFactory(workspace=personas.workspace_a)
    client.force_login(personas.amir)
    assert client.post(url("holiday_delete", holiday.pk)).status_code == 403
    client.force_login(personas.alice)
    client.post(url("holiday_delete", holiday.pk))
    assert not Holiday.objects.exists()


def test_the_whole_timeline_pages_and_filters(client, personas):
    for n in range(35):
        InteractionFactory(
            client=personas.client_a, kind="other", subject=f"Mail {n}", occurred_at=NOW - n * H
        )
    InteractionFactory(
        client=personas.client_a, kind="business_review", subject="QBR", occurred_at=NOW - 100 * H
    )
    client.force_login(personas.sam)

    first = client.get(url("timeline", personas.client_a.pk)).content.decode()
    reviews = client.get(
        url("timeline", personas.client_a.pk) + "?kind=business_review"
    ).content.decode()

    assert "Page 1 of 2" in first
    assert "QBR" in reviews and "Mail 3" not in reviews
