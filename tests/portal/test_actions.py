"""What a contact does in the portal goes through the firm's own services: a decision moves the
budget as the firm's would, a question starts an SLA clock, feedback is analysed and counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.portal.helpers import open_portal, shared_engagement, sign_in_as, submitted_change
from trustledger.communications.models import Inquiry, Interaction
from trustledger.engagements.models import ScopeItem
from trustledger.feedback.models import FollowUp, SurveyResponse
from trustledger.workspaces.models import AuditEntry

NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=dt.UTC)  # a Monday morning


@pytest.fixture
def signed_in(client, personas):
    open_portal(personas.client_a)
    engagement = shared_engagement(personas.client_a, end_date=dt.date(2026, 6, 26))
    sign_in_as(client, personas.contact_a)
    return engagement


@pytest.mark.django_db
def test_approving_moves_budget_end_date_and_scope_and_is_audited_as_the_contact(
    client, personas, signed_in
):
    engagement = signed_in
    cr = submitted_change(engagement)
    page = client.get(f"/portal/change-requests/{cr.pk}/")
    assert page.status_code == 200 and b"Approve" in page.content

    response = client.post(
        f"/portal/change-requests/{cr.pk}/", {"decision": "approve", "note": "Go ahead"}
    )
    assert response["Location"] == f"/portal/engagements/{engagement.pk}/"
    engagement.refresh_from_db()
    cr.refresh_from_db()
    assert engagement.budget_amount == Decimal(66000)
    assert engagement.budget_hours == Decimal(440)
    assert engagement.end_date == dt.date(2026, 7, 10)
    assert ScopeItem.objects.filter(change_request=cr).exists()
    assert (cr.status, cr.decided_by, cr.decision_note) == (
        "approved",
        personas.contact_a,
        "Go ahead",
    )
    assert cr.decided_in_portal
    entry = AuditEntry.objects.get(action="change_request.approved", object_id=str(cr.pk))
    assert entry.actor is None and entry.actor_label == "Ada Contact (client portal)"
    assert entry.changes["budget_amount"] == ["60000.00", "66000.00"]
    followed = client.get(response["Location"])
    assert "You approved" in followed.content.decode()

    again = client.post(f"/portal/change-requests/{cr.pk}/", {"decision": "reject"})
    assert again.status_code == 400 and b"Only a submitted change request" in again.content


@pytest.mark.django_db
def test_rejecting_leaves_the_budget_alone(client, personas, signed_in):
    cr = submitted_change(signed_in)
    client.post(f"/portal/change-requests/{cr.pk}/", {"decision": "reject", "note": "Not now"})
    signed_in.refresh_from_db()
    cr.refresh_from_db()
    assert cr.status == "rejected" and signed_in.budget_amount == Decimal(60000)
    assert AuditEntry.objects.get(action="change_request.rejected").actor_label.startswith("Ada")


@pytest.mark.django_db
def test_a_decision_needs_approve_or_reject(client, signed_in):
    cr = submitted_change(signed_in)
    response = client.post(f"/portal/change-requests/{cr.pk}/", {"decision": "maybe"})
    assert response.status_code == 400 and b"errorlist" in response.content
    cr.refresh_from_db()
    assert cr.status == "submitted"


@pytest.mark.django_db
def test_a_question_becomes_an_inquiry_whose_sla_clock_runs(client, personas, signed_in):
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/portal/ask/",
            {
                "subject": "When is the next demo?",
                "details": "We would like the board to see it.",
                "engagement": signed_in.pk,
            },
        )
    assert response["Location"] == "/portal/home/"
    inquiry = Inquiry.objects.get()
    assert inquiry.client == personas.client_a and inquiry.contact == personas.contact_a
    assert inquiry.source == "portal" and inquiry.channel == "message"
    assert inquiry.received_at == NOW and inquiry.first_response_at is None
    assert inquiry.sla_due == NOW + dt.timedelta(hours=4)  # 4 business hours, a message's SLA
    assert inquiry.subject.startswith("When is the next demo?")
    message = Interaction.objects.get(pk=inquiry.interaction_id)
    assert message.summary == "We would like the board to see it."
    assert message.direction == "inbound"
    entry = AuditEntry.objects.get(action="inquiry.recorded")
    assert entry.actor_label == "Ada Contact (client portal)"
    home = client.get("/portal/home/").content.decode()
    assert "When is the next demo?" in home and "with the team" in home


@pytest.mark.django_db
def test_a_question_needs_a_subject(client, signed_in):
    response = client.post("/portal/ask/", {"subject": "  ", "details": "x"})
    assert response.status_code == 400 and b"errorlist" in response.content
    assert not Inquiry.objects.exists()


@pytest.mark.django_db
def test_feedback_lands_as_an_analysed_response_and_a_detractor_opens_a_follow_up(
    client, personas, signed_in
):
    response = client.post(
        "/portal/feedback/",
        {"score": "4", "comment": "Deadlines keep slipping and nobody tells us.", "engagement": ""},
    )
    assert response["Location"] == "/portal/home/"
    answer = SurveyResponse.objects.get()
    assert (answer.client, answer.contact, answer.score) == (
        personas.client_a,
        personas.contact_a,
        4,
    )
    assert answer.sentiment_label != "" and answer.theme != ""
    assert FollowUp.objects.get(response=answer).owner == personas.amir
    assert AuditEntry.objects.get(action="survey_response.recorded").actor_label.startswith("Ada")


@pytest.mark.django_db
def test_feedback_needs_a_score(client, signed_in):
    response = client.post("/portal/feedback/", {"comment": "Fine"})
    assert response.status_code == 400 and b"Choose a score" in response.content
    response = client.post("/portal/feedback/", {"score": "11"})
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_the_engagement_page_shows_status_in_the_engagements_currency(client, signed_in):
    cr = submitted_change(signed_in)
    page = client.get(f"/portal/engagements/{signed_in.pk}/").content.decode()
    assert "Milestones: committed and forecast" in page and "<svg" in page
    assert "Budget burn" in page and "£60,000" in page
    assert "Awaiting your decision" in page and cr.title in page


@pytest.mark.django_db
def test_the_overview_counts_each_engagements_progress_once(client, signed_in):
    submitted_change(signed_in)
    submitted_change(signed_in, title="Second change")
    home = client.get("/portal/home/").content.decode()
    assert "Milestones delivered: <strong>0 of 1</strong>" in home
    assert "2 changes to decide" in home
    # 10 h at £150, not x joins: 2.5%, shown half up as every figure is
    assert "Budget used: <strong>3%</strong> of £60,000" in home
