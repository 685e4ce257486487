"""The recovery pages: open from an alert, each step's form, errors next to fields, roles."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.recovery.conftest import TODAY, alert
from tests.recovery.factories import RecoveryPlanFactory, RootCauseFactory
from trustledger.recovery import services
from trustledger.recovery.models import RecoveryPlan

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def plan(personas):
    return services.open_plan(
        personas.client_a,
        by=personas.amir,
        trigger="Go-live missed",
        title="Win Acme back",
        opened_on=TODAY - dt.timedelta(days=10),
    )


@pytest.mark.django_db
def test_an_alert_opens_a_prefilled_plan(client, personas):
    a = alert(personas.client_a)
    client.force_login(personas.amir)
    alerts_page = client.get("/trust/alerts/?who=all").content.decode()
    assert f"/recovery/new/?alert={a.pk}" in alerts_page
    form = client.get(f"/recovery/new/?alert={a.pk}").content.decode()
    assert "Go-live missed on 20 Feb without notice." in form
    response = client.post(
        "/recovery/new/",
        {
            "alert": a.pk,
            "client": personas.client_a.pk,
            "title": "",
            "trigger": "",
            "owner": "",
            "update_every_days": 7,
        },
    )
    plan = RecoveryPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/recovery/{plan.pk}/"
    assert plan.alert == a and plan.trigger == a.detail and plan.owner == personas.amir
    page = client.get(response["Location"]).content.decode()
    assert "Recovery plan opened for Acme Secret Holdings" in page
    assert "Record the acknowledge meeting" in page


@pytest.mark.django_db
def test_each_step_posts_and_comes_back_with_a_message(client, personas, plan):
    client.force_login(personas.amir)
    base = f"/recovery/{plan.pk}/"
    steps = [
        (
            "acknowledge/",
            {
                "meeting_held_on": TODAY.isoformat(),
                "people": [personas.amir.pk],
                "contacts": [personas.contact_a.pk],
                "responsibility_taken": "yes",
                "responsibility_wording": "Our fault.",
                "notes": "",
            },
            "Acknowledgement saved.",
        ),
        (
            "chains/",
            {"problem": "Go-live slipped", "why": "Why?", "answer": "No test env"},
            "Why chain started.",
        ),
        (
            "causes/",
            {
                "description": "Environments booked late",
                "category": "process",
                "factor": "on_time",
                "chain": "",
            },
            "Root cause recorded.",
        ),
        (
            "actions/",
            {
                "title": "Book environments at kickoff",
                "due_on": TODAY.isoformat(),
                "owner": "",
                "cause": "",
            },
            "Action added.",
        ),
        (
            "goals/",
            {"measure": "Milestones on time", "target": "3 of 3", "current": "1"},
            "Goal added.",
        ),
        (
            "updates/",
            {
                "summary": "We booked the environments.",
                "sent_on": "",
                "channel": "email",
                "shared_in_portal": "on",
            },
            "Update recorded",
        ),
        ("wins/", {"what": "Demo accepted first time", "on": ""}, "Small win recorded."),
        (
            "settings/",
            {
                "title": "Win Acme back",
                "trigger": "Go-live missed",
                "owner": personas.amir.pk,
                "update_every_days": 14,
                "shared_with_client": "on",
            },
            "Plan saved.",
        ),
    ]
    for path, data, message in steps:
        response = client.post(base + path, data, follow=True)
        assert response.status_code == 200, path
        assert message in response.content.decode(), path
    plan.refresh_from_db()
    assert plan.is_acknowledged and plan.update_every_days == 14 and plan.shared_with_client
    action = plan.actions.get()
    chain = plan.chains.get()
    assert (
        client.post(
            f"/recovery/chains/{chain.pk}/whys/", {"why": "Why no env?", "answer": "Not booked"}
        ).status_code
        == 302
    )
    assert (
        client.post(f"/recovery/actions/{action.pk}/status/", {"status": "done"}).status_code == 302
    )
    goal = plan.goals.get()
    assert (
        client.post(
            f"/recovery/goals/{goal.pk}/progress/", {"current": "3", "met": "yes"}
        ).status_code
        == 302
    )
    response = client.post(
        base + "close/",
        {"outcome": "recovered", "lessons": "Book early.", "closed_on": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "Plan closed." in page and "Lessons learned" in page
    action.refresh_from_db()
    goal.refresh_from_db()
    assert action.status == "done" and goal.met is True and chain.steps.count() == 2
    # The timeline shows it all, in order
    timeline = page[page.index('id="timeline"') :]
    assert timeline.index("Opened") < timeline.index("Acknowledged") < timeline.index("Closed")


@pytest.mark.django_db
def test_a_refused_step_shows_its_error_next_to_the_field(client, personas, plan):
    client.force_login(personas.amir)
    response = client.post(
        f"/recovery/{plan.pk}/acknowledge/",
        {"responsibility_taken": "yes", "responsibility_wording": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Write down how the firm took responsibility" in page
    assert "Please correct the errors below." in page
    response = client.post(f"/recovery/{plan.pk}/actions/", {"title": "", "due_on": "soon"})
    page = response.content.decode()
    assert "This field is required." in page and "Enter a valid date." in page


@pytest.mark.django_db
def test_staff_read_but_do_not_act_and_managers_act_only_on_their_clients(client, personas, plan):
    p = personas
    client.force_login(p.sam)
    assert client.get(f"/recovery/{plan.pk}/").status_code == 200
    assert (
        "Record the acknowledge meeting" not in client.get(f"/recovery/{plan.pk}/").content.decode()
    )
    assert client.post(f"/recovery/{plan.pk}/wins/", {"what": "x"}).status_code == 403
    assert client.get("/recovery/new/").status_code == 403
    # Amir manages client A, not the other client's plan
    others = RecoveryPlanFactory(client=p.other_client_a)
    others.client.account_manager = p.alice
    others.client.save()
    client.force_login(p.amir)
    assert client.post(f"/recovery/{others.pk}/wins/", {"what": "x"}).status_code == 403
    assert client.post(f"/recovery/{plan.pk}/wins/", {"what": "x"}).status_code == 302
    # Deleting is for leaders and owners
    assert client.post(f"/recovery/{plan.pk}/delete/").status_code == 403
    client.force_login(p.alice)
    assert client.post(f"/recovery/{plan.pk}/delete/").status_code == 302
    assert not RecoveryPlan.objects.filter(pk=plan.pk).exists()


@pytest.mark.django_db
def test_the_list_filters_paginates_and_says_what_to_do_when_empty(client, personas):
    client.force_login(personas.alice)
    empty = client.get("/recovery/").content.decode()
    assert "No open recovery plans" in empty and "alerts page" in empty
    for n in range(30):
        RecoveryPlanFactory(client=personas.client_a, title=f"Plan {n:02}")
    first = client.get("/recovery/").content.decode()
    assert "Page 1 of 2" in first
    assert "Plan 29" in first
    closed = client.get("/recovery/?status=closed").content.decode()
    assert "No closed recovery plans" in closed


@pytest.mark.django_db
def test_the_systemic_issues_page_counts_and_drills_down(client, personas):
    one = RecoveryPlanFactory(client=personas.client_a, title="First plan")
    two = RecoveryPlanFactory(client=personas.other_client_a, title="Second plan")
    RootCauseFactory(plan=one, factor="quality", category="tools")
    RootCauseFactory(plan=two, factor="quality", category="tools")
    client.force_login(personas.sam)
    page = client.get("/recovery/systemic/").content.decode()
    assert "Recurs" in page and "/recovery/?status=all&amp;factor=quality" in page
    drill = client.get("/recovery/?status=all&factor=quality&category=tools").content.decode()
    assert "First plan" in drill and "Second plan" in drill and "Quality" in drill


@pytest.mark.django_db
def test_the_portal_partial_shows_only_client_facing_content(personas, plan):
    from django.template.loader import render_to_string

    p = personas
    services.acknowledge(plan, by=p.amir, meeting_held_on=TODAY, notes="INTERNAL NOTE")
    services.add_cause(
        plan,
        by=p.amir,
        description="Root cause text",
        category="people",
        factor="quality",
        detail="INTERNAL DETAIL",
    )
    services.add_goal(plan, by=p.amir, measure="Answers within a day", target="95%")
    services.add_action(plan, by=p.amir, title="Daily stand-up with the client", due_on=TODAY)
    services.send_update(plan, by=p.amir, summary="Shared progress", shared_in_portal=True)
    services.send_update(plan, by=p.amir, summary="PRIVATE UPDATE")
    services.record_win(plan, by=p.amir, what="Shared win", shared=True)
    services.record_win(plan, by=p.amir, what="PRIVATE WIN")
    plan.index_before = 41.5
    html = render_to_string("recovery/_portal_plan.html", {"plan": plan})
    for shown in (
        "Answers within a day",
        "Daily stand-up with the client",
        "Shared progress",
        "Shared win",
    ):
        assert shown in html
    for hidden in ("INTERNAL", "Root cause text", "PRIVATE", "41", "Trust", "trust index"):
        assert hidden not in html
