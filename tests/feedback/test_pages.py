"""The firm's survey pages: campaigns, responses with themes, follow-ups, settings."""

import datetime as dt

import pytest

from tests.feedback.factories import (
    FollowUpFactory,
    SurveyCampaignFactory,
    SurveyResponseFactory,
)
from tests.smtp import delivered
from trustledger.feedback.models import FollowUp, SurveyCampaign, SurveyInvitation


@pytest.mark.django_db
def test_a_campaign_is_created_from_the_form_and_launched(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.amir)
    form = client.get("/surveys/new/").content.decode()
    assert 'name="audience_tiers"' in form and "Acme Secret Holdings" in form
    created = client.post(
        "/surveys/new/",
        {
            "name": "Spring check",
            "recommendation_question": "How likely are you to recommend us?",
            "reason_question": "Why?",
            "extra_questions": "What should we start doing?\n\n",
            "audience_clients": [personas.client_a.pk],
            "schedule": "once",
            "starts_on": dt.date.today().isoformat(),
            "interval_months": 6,
            "delay_days": 7,
        },
    )
    campaign = SurveyCampaign.objects.get()
    assert created.status_code == 302 and campaign.questions == ["What should we start doing?"]
    assert campaign.status == "draft"
    page = client.get(f"/surveys/{campaign.pk}/").content.decode()
    assert "Launch" in page and "Invitable now" in page

    with django_capture_on_commit_callbacks(execute=True):
        launched = client.post(f"/surveys/{campaign.pk}/launch/", follow=True)
    assert "1 invitations are on their way" in launched.content.decode()
    assert SurveyInvitation.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db
def test_staff_see_campaigns_but_cannot_create_or_launch(client, personas):
    campaign = SurveyCampaignFactory(workspace=personas.workspace_a)
    client.force_login(personas.sam)
    assert client.get("/surveys/").status_code == 200
    assert client.get("/surveys/new/").status_code == 403
    assert client.post(f"/surveys/{campaign.pk}/launch/").status_code == 403
    assert client.get(f"/surveys/{campaign.pk}/launch/").status_code == 405


@pytest.mark.django_db
def test_the_responses_list_shows_themes_and_sentiment_and_filters(client, personas):
    SurveyResponseFactory(
        client=personas.client_a,
        respondent="Ada",
        score=3,
        comment="Late again.",
        theme="deadlines",
        sentiment_label="negative",
        sentiment_score=-0.7,
    )
    SurveyResponseFactory(
        client=personas.other_client_a,
        respondent="Otto",
        score=10,
        comment="Wonderful.",
        theme="praise",
        sentiment_label="positive",
        sentiment_score=0.9,
    )
    client.force_login(personas.sam)
    page = client.get("/surveys/responses/").content.decode()
    assert "Late again." in page and "Wonderful." in page
    assert "Deadlines 1" in page and "Praise 1" in page
    filtered = client.get("/surveys/responses/?theme=deadlines").content.decode()
    assert "Late again." in filtered and "Wonderful." not in filtered
    detractors = client.get(
        "/surveys/responses/?category=detractor", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in detractors and "Late again." in detractors
    assert "Otto" not in client.get("/surveys/responses/?sentiment=negative").content.decode()


@pytest.mark.django_db
def test_the_follow_ups_page_puts_overdue_first_and_closes_the_loop(client, personas):
    FollowUpFactory(client=personas.client_a, summary="Not yet due", due_on=dt.date(2099, 1, 1))
    late = FollowUpFactory(
        client=personas.client_a, summary="Call about the delays", due_on=dt.date(2026, 1, 2)
    )
    client.force_login(personas.amir)
    page = client.get("/surveys/follow-ups/").content.decode()
    assert page.index("Call about the delays") < page.index("Not yet due")
    assert 'class="row-overdue"' in page and "1 overdue" in page
    overdue_only = client.get("/surveys/follow-ups/?status=overdue").content.decode()
    assert "Not yet due" not in overdue_only

    detail = client.get(f"/surveys/follow-ups/{late.pk}/").content.decode()
    assert "Close the loop" in detail and "Owner and due date" in detail
    refused = client.post(f"/surveys/follow-ups/{late.pk}/", {"close": "1", "outcome": ""})
    assert refused.status_code == 200 and not FollowUp.objects.get(pk=late.pk).done_on
    done = client.post(
        f"/surveys/follow-ups/{late.pk}/", {"close": "1", "outcome": "Spoke to Ada."}
    )
    assert done.status_code == 302
    assert FollowUp.objects.get(pk=late.pk).outcome == "Spoke to Ada."
    assert "Call about the delays" not in client.get("/surveys/follow-ups/").content.decode()


@pytest.mark.django_db
def test_staff_close_follow_ups_but_only_managers_reassign_them(client, personas):
    follow_up = FollowUpFactory(client=personas.client_a)
    client.force_login(personas.sam)
    page = client.get(f"/surveys/follow-ups/{follow_up.pk}/").content.decode()
    assert "Close the loop" in page and "Owner and due date" not in page
    refused = client.post(
        f"/surveys/follow-ups/{follow_up.pk}/",
        {"edit": "1", "owner": personas.sam.pk, "due_on": "2099-01-01"},
    )
    assert refused.status_code == 403


@pytest.mark.django_db
def test_only_the_owner_changes_survey_settings_and_it_is_audited(client, personas):
    client.force_login(personas.amir)
    assert client.get("/surveys/settings/").status_code == 403
    client.force_login(personas.alice)
    data = {
        "throttle_days": 120,
        "reminder_after_days": 7,
        "link_valid_days": 21,
        "follow_up_business_days": 3,
    }
    assert client.post("/surveys/settings/", data).status_code == 302
    bad = client.post("/surveys/settings/", {**data, "reminder_after_days": 30})
    assert "Remind before the link expires" in bad.content.decode()
    audit = client.get("/settings/audit/").content.decode()
    assert "survey_settings.updated" in audit
    assert delivered() == []


@pytest.mark.django_db
def test_the_main_pages_use_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    for n in range(5):
        campaign = SurveyCampaignFactory(workspace=personas.workspace_a, name=f"C{n}")
        for score in (3, 9):
            response = SurveyResponseFactory(
                client=personas.client_a, campaign=campaign, score=score, comment="x"
            )
            FollowUpFactory(client=personas.client_a, response=response)
    client.force_login(personas.alice)
    for url in ("/surveys/", "/surveys/responses/", "/surveys/follow-ups/"):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200
    # every capability adds a panel and a story source to the client page: the bound is that the
    # count does not grow with the data (one query or a few per table), not a small number
    with django_assert_max_num_queries(60):
        assert client.get(f"/clients/{personas.client_a.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_campaign_is_edited_and_paused_from_its_page(client, personas):
    campaign = SurveyCampaignFactory(
        workspace=personas.workspace_a, status="active", schedule="recurring"
    )
    client.force_login(personas.alice)
    form = client.get(f"/surveys/{campaign.pk}/edit/").content.decode()
    assert campaign.name in form
    edited = client.post(
        f"/surveys/{campaign.pk}/edit/",
        {
            "name": "Renamed",
            "recommendation_question": campaign.recommendation_question,
            "reason_question": campaign.reason_question,
            "audience_tiers": ["key", "growth"],
            "schedule": "recurring",
            "starts_on": "2026-04-01",
            "interval_months": 4,
            "delay_days": 7,
        },
    )
    assert edited.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.audience_tiers, campaign.interval_months) == (
        "Renamed",
        ["key", "growth"],
        4,
    )
    paused = client.post(f"/surveys/{campaign.pk}/pause/", follow=True).content.decode()
    assert "Paused" in paused and "Resume" in paused
