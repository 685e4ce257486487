"""The relationship pages, the client page's panel and the roles that may use them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import ClientFactory
from tests.relationships.factories import BusinessReviewFactory
from trustledger.communications.models import Interaction
from trustledger.relationships import services
from trustledger.relationships.models import BusinessReview, HealthCheck, TierRoutine
from trustledger.workspaces.models import AuditEntry

NOW = dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(name, *args):
    return reverse(f"relationships:{name}", args=args)


def check_of(p, day, answers):
    return services.record_health_check(p.client_a, by=p.amir, held_on=day, answers=answers)


def test_the_client_page_shows_routine_latest_score_trend_and_weakest_areas(client, personas):
    p = personas
    p.client_a.tier = "key"
    p.client_a.save()
    check_of(p, dt.date(2025, 9, 1), {"delivers": (5, ""), "bad_news": (5, "")})
    check_of(
        p, dt.date(2025, 12, 1), {"delivers": (3, ""), "bad_news": (1, ""), "strategy": (4, "")}
    )
    client.force_login(p.sam)  # staff read
    page = client.get(reverse("clients:detail", args=[p.client_a.pk])).content.decode()
    assert "Relationship routines" in page
    assert "health check every 3 months" in page
    assert "Overdue since 1 Mar 2026" in page  # 1 Dec + 3 months
    assert "down 65" in page  # 100, then (results 50 * 2 + integrity 0 * 2 + strategy 75) / 5
    assert "Weakest:</strong> Integrity, Results" in page
    assert 'class="chart health-chart"' in page
    assert "+ Health check" not in page  # staff cannot record one


def test_the_client_page_panel_invites_a_first_check(client, personas):
    client.force_login(personas.amir)
    page = client.get(reverse("clients:detail", args=[personas.client_a.pk])).content.decode()
    assert "No health check yet" in page
    assert url("health_check_create", personas.client_a.pk) in page


def test_an_account_manager_fills_a_health_check_and_sees_its_score(client, personas):
    client.force_login(personas.amir)
    form = client.get(url("health_check_create", personas.client_a.pk))
    assert form.status_code == 200
    assert "Strategic thinking" in form.content.decode()
    response = client.post(
        url("health_check_create", personas.client_a.pk),
        {
            "held_on": "2026-03-10",
            "reviewer": personas.amir.pk,
            "q_delivers": "4",
            "n_delivers": "Two late milestones",
            "q_value_talk": "2",
            "summary": "Talk more about value.",
        },
        follow=True,
    )
    check = HealthCheck.objects.get()
    assert response.redirect_chain[-1][0] == url("health_check", check.pk)
    body = response.content.decode()
    assert "Health check recorded: 58 of 100." in body  # (results 75 * 2 + value 25) / 3
    assert "Two late milestones" in body
    assert "Talking about value" in body


def test_a_health_check_form_shows_errors_next_to_the_fields(client, personas):
    client.force_login(personas.amir)
    response = client.post(
        url("health_check_create", personas.client_a.pk), {"held_on": "2026-04-01"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "cannot be in the future" in body
    response = client.post(
        url("health_check_create", personas.client_a.pk), {"held_on": "2026-03-01"}
    )
    assert "Score at least one question." in response.content.decode()
    assert not HealthCheck.objects.exists()


def test_an_account_manager_cannot_record_for_another_managers_client(client, personas):
    other = ClientFactory(workspace=personas.workspace_a, account_manager=personas.alice)
    client.force_login(personas.amir)
    assert client.get(url("health_check_create", other.pk)).status_code == 403
    assert client.get(url("review_create", other.pk)).status_code == 403
    client.force_login(personas.sam)
    assert client.get(url("health_check_create", personas.client_a.pk)).status_code == 403
    assert client.get(url("client", personas.client_a.pk)).status_code == 200


def test_recording_a_held_review_through_the_form_logs_the_meeting(client, personas):
    client.force_login(personas.amir)
    response = client.post(
        url("review_create", personas.client_a.pk),
        {
            "status": "held",
            "held_on": "2026-03-12",
            "led_by": personas.amir.pk,
            "attendees": "Ada Contact\nAmir Manager",
            "agenda": "Year in review\nNext year",
            "next_steps": "Send roadmap",
            "summary": "",
            "currency": "eur",
            "goals-TOTAL_FORMS": "2",
            "goals-INITIAL_FORMS": "0",
            "goals-0-text": "Cut churn",
            "goals-0-goal_status": "achieved",
            "goals-1-text": "",
            "goals-1-goal_status": "on_track",
            "values-TOTAL_FORMS": "2",
            "values-INITIAL_FORMS": "0",
            "values-0-text": "Saved licence costs",
            "values-0-amount": "12000",
            "values-1-text": "",
            "values-1-amount": "",
        },
        follow=True,
    )
    review = BusinessReview.objects.get()
    body = response.content.decode()
    assert "Business review held." in body
    assert "€12,000" in body and "Cut churn" in body and "Send roadmap" in body
    assert review.currency == "EUR"
    assert Interaction.objects.get().kind == "business_review"


def test_the_due_page_lists_the_signed_in_managers_routines(client, personas):
    personas.client_a.tier = "key"
    personas.client_a.save()
    client.force_login(personas.amir)
    body = client.get(url("due")).content.decode()
    assert "Your clients" in body
    assert "Acme Secret Holdings" in body
    assert "Start health check" in body and "Plan or record a review" in body
    assert "Other Alpha Client" not in body  # a standard client nobody manages owes Amir nothing
    assert 'name="person"' not in body  # an account manager sees only their own list


def test_leaders_and_owners_choose_whose_list(client, personas):
    client.force_login(personas.alice)
    body = client.get(url("due")).content.decode()
    assert "Every client" in body  # Alice manages nobody: everyone's by default
    assert "Other Alpha Client" in body and "Acme Secret Holdings" in body
    body = client.get(url("due"), {"person": personas.amir.pk}).content.decode()
    assert "Amir Manager's clients" in body
    assert "Other Alpha Client" not in body
    charlie_id = personas.charlie.pk
    body = client.get(url("due"), {"person": charlie_id}).content.decode()
    assert "Every client" in body  # a stranger's id is ignored


def test_an_empty_due_page_says_what_to_do(client, personas):
    for c in (personas.client_a, personas.other_client_a):
        c.delete()
    client.force_login(personas.amir)
    body = client.get(url("due")).content.decode()
    assert "Nothing due this month" in body


def test_owners_change_the_routines_and_the_change_is_audited(client, personas):
    client.force_login(personas.alice)
    assert client.get(url("routines")).status_code == 200
    data = {
        "key-health_check_months": "2",
        "key-review_months": "3",
        "key-account_manager_required": "on",
        "growth-health_check_months": "6",
        "growth-review_months": "6",
        "standard-health_check_months": "12",
        "standard-review_months": "40",
    }
    response = client.post(url("routines"), data)
    assert response.status_code == 200  # 40 is out of range
    assert "less than or equal to 36" in response.content.decode()
    data["standard-review_months"] = "12"
    response = client.post(url("routines"), data, follow=True)
    assert "Routines saved." in response.content.decode()
    key = TierRoutine.objects.get(workspace=personas.workspace_a, tier="key")
    assert key.health_check_months == 2
    assert AuditEntry.objects.filter(action="tier_routine.updated").count() == 1


def test_account_managers_read_the_routines_but_cannot_change_them(client, personas):
    client.force_login(personas.amir)
    body = client.get(url("routines")).content.decode()
    assert "Owners and leaders set the routines." in body
    assert client.post(url("routines"), {"key-health_check_months": "1"}).status_code == 403


def test_deleting_a_review_needs_a_post_and_the_right_role(client, personas):
    review = BusinessReviewFactory(client=personas.client_a)
    client.force_login(personas.sam)
    assert client.post(url("review_delete", review.pk)).status_code == 403
    client.force_login(personas.amir)
    assert client.get(url("review_delete", review.pk)).status_code == 405
    response = client.post(url("review_delete", review.pk), follow=True)
    assert "Business review deleted." in response.content.decode()
    assert not BusinessReview.objects.exists()
