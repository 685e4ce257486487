"""What the trust index reads from surveys: per client, set-based, only what was known by as_of;
and a campaign's NPS with its margin of error."""

import datetime as dt
import math

import pytest

from tests.factories import ClientFactory
from tests.feedback.factories import (
    FollowUpFactory,
    SurveyCampaignFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
)
from trustledger.feedback import selectors
from trustledger.scoring.indicators import DueItem, NpsAnswer

AS_OF = dt.date(2026, 3, 31)


def at(day, hour=12):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.mark.django_db
def test_nps_answers_per_client_count_from_when_they_were_recorded(
    personas, django_assert_num_queries
):
    other = ClientFactory(workspace=personas.workspace_a)
    march = at(dt.date(2026, 3, 10))
    SurveyResponseFactory(
        client=personas.client_a,
        contact=personas.contact_a,
        score=3,
        answered_at=march,
        recorded_at=march,
    )
    SurveyResponseFactory(client=other, respondent="Ola", score=10, answered_at=march)
    # answered in March but imported in April: unknown on 31 March
    SurveyResponseFactory(
        client=personas.client_a, score=9, answered_at=march, recorded_at=at(dt.date(2026, 4, 2))
    )
    SurveyResponseFactory(client=personas.client_b, score=0, answered_at=march)  # workspace B

    with django_assert_num_queries(1):
        answers = selectors.nps_answers_by_client(personas.workspace_a, AS_OF)
    assert answers[personas.client_a.pk] == [NpsAnswer("Ada Contact", dt.date(2026, 3, 10), 3)]
    assert answers[other.pk] == [NpsAnswer("Ola", dt.date(2026, 3, 10), 10)]
    assert personas.client_b.pk not in answers
    later = selectors.nps_answers_by_client(personas.workspace_a, dt.date(2026, 4, 2))
    assert len(later[personas.client_a.pk]) == 2
    only_other = selectors.nps_answers_by_client(
        personas.workspace_a, AS_OF, client_ids=[other.pk], since=dt.date(2026, 3, 1)
    )
    assert list(only_other) == [other.pk]


@pytest.mark.django_db
def test_remarks_carry_the_comment_sentiment(personas, django_assert_num_queries):
    day = at(dt.date(2026, 3, 3))
    SurveyResponseFactory(
        client=personas.client_a,
        respondent="Ada",
        comment="Late again",
        sentiment_label="negative",
        sentiment_score=-0.8,
        answered_at=day,
        recorded_at=day,
    )
    SurveyResponseFactory(client=personas.client_a, answered_at=day, recorded_at=day)
    with django_assert_num_queries(1):
        remarks = selectors.remarks_by_client(personas.workspace_a, AS_OF)
    [remark] = remarks[personas.client_a.pk]
    assert remark.day == dt.date(2026, 3, 3) and remark.sentiment == -0.8
    assert "Late again" in remark.description


@pytest.mark.django_db
def test_a_follow_up_counts_as_done_only_once_its_closing_was_recorded(
    personas, django_assert_num_queries
):
    opened = at(dt.date(2026, 3, 2))
    FollowUpFactory(
        client=personas.client_a,
        summary="Closed on time",
        created_at=opened,
        due_on=dt.date(2026, 3, 4),
        done_on=dt.date(2026, 3, 4),
        closed_at=at(dt.date(2026, 3, 4)),
    )
    FollowUpFactory(
        client=personas.client_a,
        summary="Back-dated in April",
        created_at=opened,
        due_on=dt.date(2026, 3, 4),
        done_on=dt.date(2026, 3, 4),
        closed_at=at(dt.date(2026, 4, 9)),
    )
    FollowUpFactory(
        client=personas.client_a,
        summary="Opened later",
        created_at=at(AS_OF, 23) + dt.timedelta(hours=2),
    )
    with django_assert_num_queries(1):
        items = selectors.follow_ups_by_client(personas.workspace_a, AS_OF)
    assert items[personas.client_a.pk] == [
        DueItem("Follow-up: Closed on time", dt.date(2026, 3, 4), dt.date(2026, 3, 4)),
        DueItem("Follow-up: Back-dated in April", dt.date(2026, 3, 4), None),
    ]


@pytest.mark.django_db
def test_a_campaign_shows_its_nps_with_the_margin_of_error(client, personas):
    campaign = SurveyCampaignFactory(workspace=personas.workspace_a, name="Spring")
    scores = [10, 9, 9, 10, 9, 8, 7, 7, 3, 6]  # 5 promoters, 3 passives, 2 detractors
    for score in scores:
        inv = SurveyInvitationFactory(
            contact=personas.contact_a,
            campaign=campaign,
            sent_at=at(dt.date(2026, 3, 1)),
            answered_at=at(dt.date(2026, 3, 2)),
        )
        SurveyResponseFactory(
            client=personas.client_a, campaign=campaign, invitation=inv, score=score
        )
    SurveyInvitationFactory(contact=personas.contact_a, campaign=campaign)  # queued, not sent

    [row] = selectors.list_campaigns(personas.workspace_a)
    stats = selectors.campaign_stats([row])[campaign.pk]
    # by hand: p = .5, d = .2; NPS = 30; var = (.5 + .2 - .3**2) / 10 = .061
    assert (stats.invited, stats.sent, stats.answered) == (11, 10, 10)
    assert stats.response_rate == 1.0
    assert stats.nps.nps == pytest.approx(30)
    assert stats.nps.margin_of_error == pytest.approx(1.96 * math.sqrt(0.061) * 100)  # 48.4

    client.force_login(personas.sam)
    page = client.get(f"/surveys/{campaign.pk}/").content.decode()
    assert '<span class="nps">+30</span>' in page and "± 48" in page and "(n = 10)" in page
    assert "5 promoters · 3 passives · 2 detractors" in page
    listing = client.get("/surveys/").content.decode()
    assert "Spring" in listing and "± 48" in listing and "100%" in listing


@pytest.mark.django_db
def test_the_client_page_shows_nps_by_half_year_and_open_follow_ups(client, personas):
    for day, score in [
        (dt.date(2025, 3, 20), 10),
        (dt.date(2025, 9, 20), 4),
        (dt.date(2025, 9, 21), 6),
    ]:
        SurveyResponseFactory(client=personas.client_a, score=score, answered_at=at(day))
    FollowUpFactory(client=personas.client_a, summary="Call Ada about the delays")
    voice = selectors.client_voice(personas.client_a, today=dt.date(2026, 3, 20))
    assert [(p.period, p.result.nps, p.change) for p in voice.history] == [
        ("2025 H1", 100.0, None),
        ("2025 H2", -100.0, -200.0),
    ]
    client.force_login(personas.alice)
    page = client.get(f"/clients/{personas.client_a.pk}/").content.decode()
    assert "Voice of the client" in page and "2025 H2" in page
    assert "Call Ada about the delays" in page and "Overdue since" in page
