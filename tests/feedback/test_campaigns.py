"""Campaigns: whom they invite, when, and whom they never invite (throttled, opted out, lost)."""

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from tests.engagements.factories import EngagementFactory
from tests.factories import ClientFactory, ContactFactory
from tests.feedback.factories import (
    SurveyCampaignFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
)
from trustledger.feedback import services
from trustledger.feedback.models import SurveyInvitation
from trustledger.workspaces.services import DomainError

NOW = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)  # a Monday


def invited(campaign):
    return set(
        SurveyInvitation.objects.filter(campaign=campaign).values_list("contact__name", flat=True)
    )


def campaign_for(personas, **data):
    data.setdefault("name", "Relationship NPS")
    data.setdefault("starts_on", NOW.date())
    return services.create_campaign(personas.workspace_a, by=personas.alice, **data)


@pytest.mark.django_db
def test_launching_invites_the_chosen_tier_and_queues_one_send_task_each(
    personas, django_capture_on_commit_callbacks
):
    key = ClientFactory(workspace=personas.workspace_a, name="Key Co", tier="key")
    ContactFactory(client=key, name="Kim Key")
    ContactFactory(client=key, name="Opted Out", survey_opt_out=True)
    ContactFactory(client=personas.other_client_a, name="Stan Standard")
    lost = ClientFactory(
        workspace=personas.workspace_a, tier="key", status="lost", lost_on=dt.date(2026, 1, 1)
    )
    ContactFactory(client=lost, name="Gone Key")
    campaign = campaign_for(personas, audience_tiers=["key"])

    with django_capture_on_commit_callbacks(execute=True):
        created = services.launch_campaign(campaign, by=personas.alice, now=NOW)

    assert invited(campaign) == {"Kim Key"}
    assert len(created) == 1
    tasks = DBTaskResult.objects.filter(task_path__endswith="send_invitation_task")
    assert [t.args_kwargs["args"] for t in tasks] == [[created[0].pk]]
    campaign.refresh_from_db()
    assert campaign.status == "active" and campaign.last_run_on == NOW.date()
    assert campaign.next_run_on is None  # a one-off is done


@pytest.mark.django_db
def test_an_audience_of_chosen_clients_and_no_choice_meaning_everyone(personas):
    ContactFactory(client=personas.other_client_a, name="Otto Other")
    chosen = campaign_for(personas, audience_clients=[personas.client_a])
    everyone = campaign_for(personas, name="Everyone")
    services.launch_campaign(chosen, by=personas.alice, now=NOW)
    assert invited(chosen) == {"Ada Contact"}
    services.launch_campaign(everyone, by=personas.alice, now=NOW + dt.timedelta(days=200))
    assert invited(everyone) == {"Ada Contact", "Otto Other"}


@pytest.mark.django_db
def test_no_contact_is_invited_more_often_than_the_workspace_allows(personas):
    ContactFactory(client=personas.client_a, name="Bea Recent")
    ContactFactory(client=personas.client_a, name="Cy Long Ago")
    ContactFactory(client=personas.client_a, name="Di Answered")
    other = SurveyCampaignFactory(workspace=personas.workspace_a)
    contacts = {c.name: c for c in personas.client_a.contacts.all()}
    SurveyInvitationFactory(
        contact=contacts["Bea Recent"], campaign=other, created_at=NOW - dt.timedelta(days=30)
    )
    SurveyInvitationFactory(
        contact=contacts["Cy Long Ago"], campaign=other, created_at=NOW - dt.timedelta(days=91)
    )
    SurveyResponseFactory(
        client=personas.client_a,
        contact=contacts["Di Answered"],
        answered_at=NOW - dt.timedelta(days=10),
    )
    campaign = campaign_for(personas)
    services.launch_campaign(campaign, by=personas.alice, now=NOW)
    assert invited(campaign) == {"Ada Contact", "Cy Long Ago"}


@pytest.mark.django_db
def test_the_throttle_window_is_the_workspace_setting(personas):
    services.update_survey_settings(personas.workspace_a, by=personas.alice, throttle_days=20)
    SurveyInvitationFactory(contact=personas.contact_a, created_at=NOW - dt.timedelta(days=30))
    campaign = campaign_for(personas)
    services.launch_campaign(campaign, by=personas.alice, now=NOW)
    assert invited(campaign) == {"Ada Contact"}


@pytest.mark.django_db
def test_an_opted_out_contact_is_never_invited_even_by_a_recurring_campaign(personas):
    personas.contact_a.survey_opt_out = True
    personas.contact_a.save()
    campaign = campaign_for(personas, schedule="recurring", interval_months=6)
    services.launch_campaign(campaign, by=personas.alice, now=NOW)
    services.run_due_surveys(now=NOW + dt.timedelta(days=190))
    assert invited(campaign) == set()


@pytest.mark.django_db
def test_a_recurring_campaign_runs_again_every_n_months(personas):
    campaign = campaign_for(personas, schedule="recurring", interval_months=6)
    services.launch_campaign(campaign, by=personas.alice, now=NOW)
    campaign.refresh_from_db()
    assert campaign.next_run_on == dt.date(2026, 9, 16)

    assert services.run_due_surveys(now=NOW + dt.timedelta(days=100)) == (0, 0)
    invitations, _ = services.run_due_surveys(now=dt.datetime(2026, 9, 16, 7, 0, tzinfo=dt.UTC))
    assert invitations == 1
    assert SurveyInvitation.objects.filter(campaign=campaign).count() == 2
    campaign.refresh_from_db()
    assert campaign.next_run_on == dt.date(2027, 3, 16)


@pytest.mark.django_db
def test_a_campaign_starting_later_waits_for_its_date(personas):
    campaign = campaign_for(personas, starts_on=dt.date(2026, 4, 1))
    assert services.launch_campaign(campaign, by=personas.alice, now=NOW) == []
    assert services.run_due_surveys(now=dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC))[0] == 1
    assert services.run_due_surveys(now=dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC))[0] == 0


@pytest.mark.django_db
def test_after_an_engagement_closes_its_clients_contacts_are_asked_once(personas):
    closed = EngagementFactory(
        client=personas.client_a, status="closed", closed_on=dt.date(2026, 3, 6)
    )
    EngagementFactory(
        client=personas.other_client_a, status="closed", closed_on=dt.date(2026, 3, 13)
    )
    ContactFactory(client=personas.other_client_a, name="Too Soon")
    campaign = campaign_for(
        personas, schedule="after_engagement", delay_days=7, starts_on=dt.date(2026, 3, 1)
    )
    services.launch_campaign(campaign, by=personas.alice, now=NOW)
    assert invited(campaign) == {"Ada Contact"}
    assert SurveyInvitation.objects.get(campaign=campaign).engagement == closed
    services.run_due_surveys(now=NOW + dt.timedelta(days=1))
    assert invited(campaign) == {"Ada Contact"}  # not again for the same engagement
    services.run_due_surveys(now=NOW + dt.timedelta(days=4))
    assert invited(campaign) == {"Ada Contact", "Too Soon"}


@pytest.mark.django_db
def test_a_paused_campaign_sends_nothing(personas):
    campaign = campaign_for(personas, schedule="recurring", starts_on=dt.date(2026, 4, 1))
    services.launch_campaign(campaign, by=personas.alice, now=NOW)
    services.pause_campaign(campaign, by=personas.alice)
    assert services.run_due_surveys(now=dt.datetime(2026, 4, 2, tzinfo=dt.UTC)) == (0, 0)
    with pytest.raises(DomainError):
        services.pause_campaign(campaign, by=personas.alice)


@pytest.mark.django_db
def test_a_one_off_campaign_cannot_be_sent_twice(personas):
    campaign = campaign_for(personas)
    services.launch_campaign(campaign, by=personas.alice, now=NOW)
    services.pause_campaign(campaign, by=personas.alice)
    with pytest.raises(DomainError, match="already been sent"):
        services.launch_campaign(campaign, by=personas.alice, now=NOW)


@pytest.mark.django_db
def test_campaign_rules_are_checked(personas):
    with pytest.raises(DomainError) as error:
        campaign_for(personas, extra_questions=["a", "b", "c", "d"])
    assert error.value.field == "extra_questions"
    with pytest.raises(DomainError) as error:
        campaign_for(personas, audience_tiers=["platinum"])
    assert error.value.field == "audience_tiers"
    with pytest.raises(DomainError) as error:
        campaign_for(personas, audience_clients=[personas.client_b])
    assert error.value.field == "audience_clients"


@pytest.mark.django_db
def test_months_are_added_without_overflowing(personas):
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert services.add_months(dt.date(2027, 11, 15), 2) == dt.date(2028, 1, 15)


@pytest.mark.django_db
def test_settings_keep_the_reminder_before_the_expiry(personas):
    with pytest.raises(DomainError) as error:
        services.update_survey_settings(
            personas.workspace_a, by=personas.alice, reminder_after_days=30, link_valid_days=30
        )
    assert error.value.field == "reminder_after_days"
    row = services.update_survey_settings(
        personas.workspace_a, by=personas.alice, reminder_after_days=0, link_valid_days=10
    )
    assert (row.reminder_after_days, row.link_valid_days) == (0, 10)
