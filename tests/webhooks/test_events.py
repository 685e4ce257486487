"""Each event a subscriber can choose is published by the service where it happens, in its
transaction: the subscription's message log shows it, with the data an integrator needs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from tests.background import run_job
from tests.engagements.factories import EngagementFactory
from tests.feedback.factories import FollowUpFactory
from tests.portal.helpers import open_portal, shared_engagement, submitted_change
from tests.reports.scenario import build
from trustledger.communications import services as communications
from trustledger.core.events import EVENT_TYPES
from trustledger.engagements import services as engagements
from trustledger.feedback import responses
from trustledger.feedback.models import FollowUp
from trustledger.portal import services as portal
from trustledger.recovery import services as recovery
from trustledger.reports import services as reports
from trustledger.trust.alerting import check_sla_alerts
from trustledger.trust.models import AlertStatus, SnapshotKind, TrustSnapshot
from trustledger.trust.services import recompute_client, set_alert_status
from trustledger.webhooks import services
from trustledger.webhooks.models import WebhookMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(personas):
    services.set_allow_private_targets(personas.workspace_a, allowed=True, by=personas.alice)
    services.create_subscription(
        personas.workspace_a,
        by=personas.alice,
        name="Everything",
        url="http://127.0.0.1:9/hooks",
        events=list(EVENT_TYPES),
    )
    return personas


def published(event_type=None):
    """The events queued for the subscription, oldest first, as (type, data)."""
    rows = WebhookMessage.objects.order_by("id")
    if event_type:
        rows = rows.filter(event_type=event_type)
    return [(m.event_type, json.loads(m.body)["data"]) for m in rows]


def test_an_sla_alert_raised_and_resolved_is_published_both_times(subscribed):
    p = subscribed
    now = timezone.now()
    inquiry = communications.record_inquiry(
        p.client_a, by=None, channel="email", received_at=now - dt.timedelta(days=5), subject="Q?"
    )
    check_sla_alerts(p.workspace_a, now=now)
    ((_, data),) = published("alert.raised")
    assert data["client"] == "Acme Secret Holdings" and data["cause"] == "inquiry_past_sla"
    communications.record_inquiry_response(inquiry, at=now, by=p.amir)
    check_sla_alerts(p.workspace_a, now=now)
    ((_, resolved),) = published("alert.resolved")
    assert resolved["alert_id"] == data["alert_id"] and resolved["status"] == "resolved"


def test_resolving_an_alert_by_hand_is_published(subscribed):
    from tests.recovery.conftest import alert

    raised = alert(subscribed.client_a)
    set_alert_status(raised, AlertStatus.ACKNOWLEDGED, by=subscribed.amir)
    assert published() == []
    set_alert_status(raised, AlertStatus.RESOLVED, by=subscribed.amir)
    ((_, data),) = published("alert.resolved")
    assert data["alert_id"] == raised.pk


def test_a_band_change_of_the_current_index_is_published_once(subscribed):
    client = subscribed.client_a
    first = recompute_client(client)
    assert first is not None and published("band.changed") == []  # no band before: no change
    other = "strong" if first.band != "strong" else "at_risk"
    TrustSnapshot.objects.filter(pk=first.pk).update(band=other)  # as if it had been another
    recompute_client(client)
    ((_, data),) = published("band.changed")
    assert (data["from"], data["to"], data["client_id"]) == (other, first.band, client.pk)
    recompute_client(client)  # unchanged: nothing more
    assert len(published("band.changed")) == 1
    assert TrustSnapshot.objects.filter(kind=SnapshotKind.CURRENT).count() == 1


def test_a_change_request_decision_is_published(subscribed):
    p = subscribed
    engagement = EngagementFactory(client=p.client_a)
    cr = submitted_change(engagement)
    engagements.decide_change_request(
        cr, approve=False, decided_by=p.contact_a, on=timezone.localdate(), by=p.amir, note="No"
    )
    ((_, data),) = published("change_request.decided")
    assert (data["decision"], data["decided_by"], data["title"]) == (
        "rejected",
        "Ada Contact",
        cr.title,
    )


def test_a_survey_answer_and_its_detractor_follow_up_are_published(subscribed):
    p = subscribed
    new = responses.NewResponse(
        client=p.client_a, score=3, answered_at=timezone.now(), comment="Slow replies"
    )
    responses.record_response(new, by=None)
    assert [kind for kind, _ in published()] == ["survey.answered", "follow_up.opened"]
    answer, follow_up = (data for _, data in published())
    assert (answer["score"], answer["category"]) == (3, "detractor")
    assert answer["comment"] == "Slow replies"
    assert follow_up["reason"] == FollowUp.objects.get().reason


def test_imported_history_is_not_published(subscribed):
    new = responses.NewResponse(client=subscribed.client_a, score=2, answered_at=timezone.now())
    responses.record_responses(subscribed.workspace_a, [new], by=None, audit=False)
    assert published() == []


def test_an_overdue_follow_up_is_published_once_until_its_due_date_moves(subscribed):
    p = subscribed
    today = timezone.localdate()
    follow_up = FollowUpFactory(client=p.client_a, due_on=today - dt.timedelta(days=1))
    FollowUpFactory(client=p.client_a, due_on=today + dt.timedelta(days=3))  # not yet
    run_job("feedback.overdue_follow_ups", p.workspace_a)
    run_job("feedback.overdue_follow_ups", p.workspace_a)
    ((_, data),) = published("follow_up.overdue")
    assert data["follow_up_id"] == follow_up.pk
    responses.update_follow_up(follow_up, by=p.amir, due_on=today)
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        run_job("feedback.overdue_follow_ups", p.workspace_a)
    assert len(published("follow_up.overdue")) == 3  # moved one again, and the other one now


def test_a_portal_question_is_published(subscribed):
    p = subscribed
    open_portal(p.client_a)
    portal.ask_question(p.contact_a, subject="When is go-live?", details="Asking for the board.")
    ((_, data),) = published("portal.question_asked")
    assert (data["contact"], data["subject"]) == ("Ada Contact", "When is go-live?")


def test_a_sent_report_is_published(subscribed):
    p = subscribed
    scenario = build(p)
    draft = reports.draft_report(p.client_a, engagement=scenario.engagement, by=p.amir)
    reports.send_report(draft, by=p.amir, contacts=[p.contact_a])
    ((_, data),) = published("report.sent")
    assert (data["report_id"], data["recipients"]) == (draft.pk, 1)


def test_a_recovery_plan_opened_and_closed_is_published(subscribed):
    p = subscribed
    plan = recovery.open_plan(p.client_a, by=p.amir, trigger="Missed go-live")
    recovery.close_plan(plan, by=p.amir, outcome="recovered", lessons="Plan buffers.")
    kinds = [kind for kind, _ in published() if kind.startswith("recovery_plan")]
    assert kinds == ["recovery_plan.opened", "recovery_plan.closed"]
    assert published("recovery_plan.closed")[0][1]["outcome"] == "recovered"


def test_a_portal_decision_is_one_published_decision(subscribed):
    p = subscribed
    open_portal(p.client_a)
    cr = submitted_change(shared_engagement(p.client_a))
    portal.decide_change_request(cr, contact=p.contact_a, approve=True)
    ((_, data),) = published("change_request.decided")
    assert data["decision"] == "approved"
