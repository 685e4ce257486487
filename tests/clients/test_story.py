"""The client's story: one timeline gathered from every capability, newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.communications.factories import CommitmentFactory, InquiryFactory, InteractionFactory
from tests.engagements.factories import EngagementFactory, MilestoneFactory, NoticeFactory
from tests.feedback.factories import SurveyResponseFactory
from trustledger.clients.timeline import client_timeline
from trustledger.trust.models import Alert

pytestmark = pytest.mark.django_db


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def history(personas):
    client = personas.client_a
    engagement = EngagementFactory(
        client=client, name="Finance revamp", activated_on=dt.date(2026, 1, 5)
    )
    MilestoneFactory(
        engagement=engagement,
        name="Design",
        committed_date=dt.date(2026, 2, 2),
        buffer_days=2,
        status="delivered",
        delivered_on=dt.date(2026, 2, 10),
    )
    MilestoneFactory(
        engagement=engagement,
        name="Build",
        committed_date=dt.date(2026, 3, 2),
        status="delivered",
        delivered_on=dt.date(2026, 3, 2),
    )
    NoticeFactory(
        engagement=engagement,
        kind="slip",
        sent_on=dt.date(2026, 1, 28),
        new_date=dt.date(2026, 2, 10),
    )
    InteractionFactory(
        client=client,
        kind="check_in",
        subject="Monthly check-in",
        occurred_at=_at(dt.date(2026, 2, 20)),
    )
    InteractionFactory(
        client=client, kind="other", subject="Re: invoice", occurred_at=_at(dt.date(2026, 2, 21))
    )
    InquiryFactory(
        client=client,
        subject="Where is the report?",
        received_at=_at(dt.date(2026, 2, 23)),
        first_response_at=_at(dt.date(2026, 2, 25)),
    )
    CommitmentFactory(
        client=client,
        description="Send the plan",
        due_on=dt.date(2026, 2, 26),
        broken_on=dt.date(2026, 2, 27),
    )
    SurveyResponseFactory(
        client=client, score=4, comment="Late again.", answered_at=_at(dt.date(2026, 3, 5))
    )
    Alert.objects.create(
        workspace=personas.workspace_a,
        client=client,
        cause="band_drop",
        detail="Fell to at risk",
        suggested_step="Call them",
        evidence_date=dt.date(2026, 3, 6),
        created_at=_at(dt.date(2026, 3, 6)),
    )
    return client


def test_the_story_tells_every_capability_in_order(personas, history):
    events = client_timeline(personas.workspace_a, history)
    told = [(e.on, e.kind, e.title, e.tone) for e in events]
    assert told == [
        (dt.date(2026, 3, 6), "Alert", "Fell to at risk", "bad"),
        (dt.date(2026, 3, 5), "Survey", "Scored 4/10", "bad"),
        (dt.date(2026, 3, 2), "Milestone", "Delivered Build", "good"),
        (dt.date(2026, 2, 27), "Promise", "Broke a promise: Send the plan", "bad"),
        (dt.date(2026, 2, 23), "Late answer", "Where is the report?: answered late", "bad"),
        (dt.date(2026, 2, 20), "Check-in", "Monthly check-in", "neutral"),
        (dt.date(2026, 2, 10), "Slip", "Delivered Design late", "bad"),
        (
            dt.date(2026, 1, 28),
            "Notice",
            "Told the client of a schedule slip: Finance revamp to 10 Feb 2026",
            "neutral",
        ),
        (dt.date(2026, 1, 5), "Engagement", "Started Finance revamp", "neutral"),
    ]
    slip = next(e for e in events if e.kind == "Slip")
    assert "6 days past" in slip.detail  # 8 days late, 2 of them inside the buffer


def test_the_story_reads_a_fixed_number_of_queries(personas, history):
    with CaptureQueriesContext(connection) as few:
        client_timeline(personas.workspace_a, history)
    for n in range(5):
        InteractionFactory(client=history, kind="escalation", subject=f"Escalation {n}")
        SurveyResponseFactory(client=history, score=10)
    with CaptureQueriesContext(connection) as many:
        assert len(client_timeline(personas.workspace_a, history)) == 9 + 10
    assert len(many) == len(few)


def test_the_client_page_shows_the_latest_of_the_story_and_links_the_whole(
    client, personas, history
):
    client.force_login(personas.sam)
    page = client.get(reverse("clients:detail", args=[history.pk])).content.decode()
    assert "The story so far" in page and "Broke a promise: Send the plan" in page
    assert reverse("clients:story", args=[history.pk]) in page
    whole = client.get(
        reverse("clients:story", args=[history.pk]), {"kind": "Slip"}
    ).content.decode()
    assert "Delivered Design late" in whole and "Monthly check-in" not in whole


def test_a_new_client_has_an_empty_story_that_says_what_will_appear(client, personas):
    client.force_login(personas.alice)
    page = client.get(reverse("clients:detail", args=[personas.other_client_a.pk])).content.decode()
    assert "Nothing has happened with" in page
