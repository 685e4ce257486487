"""Engagement pages: the list, the engagement page, and every form's happy path and refusal."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    NoticeFactory,
    QualityIssueFactory,
    ScopeItemFactory,
    SuccessCriterionFactory,
    TimeEntryFactory,
)
from tests.factories import ContactFactory
from trustledger.engagements.models import (
    Assignment,
    ChangeRequest,
    Deliverable,
    Engagement,
    Milestone,
    QualityIssue,
    Responsibility,
    SuccessCriterion,
    TimeEntry,
)
from trustledger.workspaces.models import AuditEntry

D = dt.date


@pytest.fixture
def engagement(personas):
    """An active engagement of Client A (managed by Amir), signed off by Ada."""
    return EngagementFactory(
        client=personas.client_a,
        name="ERP selection",
        signed_off_by=personas.contact_a,
        signed_off_on=D(2026, 1, 2),
        lead=personas.amir,
    )


def page_of(client, engagement) -> str:
    response = client.get(f"/engagements/{engagement.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, headers=headers)


# --- the list ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_filters_by_status_and_searches_names_and_clients(client, personas, engagement):
    EngagementFactory(client=personas.other_client_a, name="Cloud move", status="proposed")
    client.force_login(personas.alice)
    assert "Cloud move" not in client.get("/engagements/?status=active").content.decode()
    found = client.get("/engagements/?q=other alpha").content.decode()
    assert "Cloud move" in found and "ERP selection" not in found
    everything = client.get("/engagements/").content.decode()
    assert "ERP selection" in everything and "Cloud move" in everything


@pytest.mark.django_db
def test_the_list_paginates_and_shows_the_budget_burned(client, personas):
    for n in range(30):
        EngagementFactory(client=personas.client_a, name=f"Bulk {n:02d}")
    burning = EngagementFactory(
        client=personas.client_a, name="Burning", budget_amount=Decimal(1000)
    )
    TimeEntryFactory(engagement=burning, hours=Decimal(5), bill_rate=Decimal(100))
    client.force_login(personas.alice)
    body = client.get("/engagements/?q=burning").content.decode()
    assert "50%" in body
    assert "Page 1 of 2" in client.get("/engagements/?q=bulk").content.decode()


@pytest.mark.django_db
def test_an_htmx_filter_gets_only_the_table(client, personas, engagement):
    client.force_login(personas.alice)
    body = client.get("/engagements/?q=erp", headers={"HX-Request": "true"}).content.decode()
    assert "<table" in body and "<html" not in body


@pytest.mark.django_db
def test_empty_states_say_what_to_do(client, personas, engagement):
    client.force_login(personas.alice)
    assert "No engagement matches" in client.get("/engagements/?q=zzz").content.decode()
    client.force_login(personas.charlie)
    assert "Propose an engagement" in client.get("/engagements/").content.decode()


@pytest.mark.django_db
def test_the_client_page_lists_its_engagements_with_status_and_burn(client, personas, engagement):
    engagement.budget_amount = Decimal(1000)
    engagement.save()
    TimeEntryFactory(engagement=engagement, hours=Decimal(4), bill_rate=Decimal(100))
    EngagementFactory(client=personas.other_client_a, name="Not this client's")
    client.force_login(personas.amir)
    body = client.get(f"/clients/{personas.client_a.pk}/").content.decode()
    assert "ERP selection" in body and "Not this client's" not in body
    assert f"/engagements/{engagement.pk}/" in body
    assert "40%" in body and "Active" in body
    assert f"/engagements/new/?client={personas.client_a.pk}" in body


@pytest.mark.django_db
def test_a_client_without_engagements_says_what_to_do(client, personas):
    client.force_login(personas.alice)
    body = client.get(f"/clients/{personas.other_client_a.pk}/").content.decode()
    assert "No engagements yet" in body


# --- the engagement page -----------------------------------------------------------------------


def _fill(engagement, personas, n: int) -> None:
    """n of every kind of fact, so that a per-row query would show as a growing count."""
    for i in range(n):
        milestone = MilestoneFactory(
            engagement=engagement,
            committed_date=D(2026, 2, 1) + dt.timedelta(days=10 * i),
            delivered_on=D(2026, 2, 5) + dt.timedelta(days=10 * i),
            status="delivered",
        )
        NoticeFactory(engagement=engagement, milestone=milestone, sent_on=D(2026, 1, 20))
        deliverable = DeliverableFactory(engagement=engagement, milestone=milestone)
        QualityIssueFactory(engagement=engagement, deliverable=deliverable)
        scope = ScopeItemFactory(engagement=engagement)
        cr = ChangeRequestFactory(
            engagement=engagement,
            status="approved",
            decided_by=personas.contact_a,
            decided_on=D(2026, 2, 1),
        )
        TimeEntryFactory(engagement=engagement, scope_item=scope, date=D(2026, 2, 2 + i))
        TimeEntryFactory(engagement=engagement, change_request=cr, date=D(2026, 2, 2 + i))
        TimeEntryFactory(engagement=engagement, date=D(2026, 2, 2 + i))  # scope creep
        SuccessCriterionFactory(engagement=engagement)
        Responsibility.objects.create(
            workspace=engagement.workspace, engagement=engagement, side="firm", person="P", role="R"
        )


@pytest.mark.django_db
def test_the_engagement_page_takes_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    small = EngagementFactory(client=personas.client_a)
    large = EngagementFactory(client=personas.client_a)
    _fill(small, personas, 1)
    _fill(large, personas, 8)
    for person in (personas.amir, personas.sam):
        for e in (small, large):
            Assignment.objects.create(
                workspace=e.workspace, engagement=e, person=person, weekly_hours=10
            )
    client.force_login(personas.alice)
    page_of(client, small)  # warm up the session and caches
    counts = []
    for e in (small, large):
        with CaptureQueriesContext(connection) as queries:
            page_of(client, e)
        counts.append(len(queries))
    assert counts[0] == counts[1], "a query per row somewhere"
    with django_assert_max_num_queries(30):
        page_of(client, large)


@pytest.mark.django_db
def test_the_page_shows_the_charter_milestones_budget_and_decisions(client, personas, engagement):
    ScopeItemFactory(engagement=engagement, title="Vendor shortlist")
    SuccessCriterionFactory(engagement=engagement, description="Chosen by June", met=True)
    late = MilestoneFactory(
        engagement=engagement,
        name="Longlist",
        committed_date=D(2026, 2, 2),
        buffer_days=2,
        delivered_on=D(2026, 2, 12),
        status="delivered",
    )
    NoticeFactory(engagement=engagement, milestone=late, sent_on=D(2026, 1, 28))
    TimeEntryFactory(engagement=engagement, hours=Decimal(6))  # on nothing agreed
    ChangeRequestFactory(
        engagement=engagement,
        title="Extra demo",
        status="approved",
        decided_by=personas.contact_a,
        decided_on=D(2026, 2, 20),
    )
    QualityIssueFactory(engagement=engagement, title="Scores do not add up", severity="critical")
    client.force_login(personas.sam)
    body = page_of(client, engagement)
    for text in (
        "Acme Secret Holdings",
        "Vendor shortlist",
        "Chosen by June",
        "Signed off",
        "Ada Contact",
        "Longlist",
        "10 d late",
        "Milestone timeline: 1 milestones, 1 late beyond their buffer",
        "Budget burn:",
        "Work on unapproved scope: 6 h",
        "Extra demo",
        "Approved by Ada Contact",
        "Scores do not add up",
        "Critical",
    ):
        assert text in body, text


@pytest.mark.django_db
def test_a_new_engagement_shows_empty_states_that_say_what_to_do(client, personas):
    engagement = EngagementFactory(client=personas.client_a, status="proposed")
    client.force_login(personas.alice)
    body = page_of(client, engagement)
    assert "No milestones yet" in body
    assert "No time logged yet" in body
    assert "Nothing in scope yet" in body
    assert "Capacity check: can we take this on?" in body
    assert "Add the scope first" in body  # nothing to sign yet


@pytest.mark.django_db
def test_a_proposal_flags_an_over_committed_team(client, personas):
    busy = EngagementFactory(client=personas.client_a, status="active")
    proposal = EngagementFactory(client=personas.client_a, status="proposed")
    for e, hours in ((busy, 30), (proposal, 20)):
        Assignment.objects.create(
            workspace=e.workspace, engagement=e, person=personas.sam, weekly_hours=hours
        )
    client.force_login(personas.alice)
    body = page_of(client, proposal)
    assert "1 of 1 person would be over-committed" in body
    assert "50 of 40 h" in body


@pytest.mark.django_db
def test_staff_see_the_page_without_charter_buttons(client, personas, engagement):
    client.force_login(personas.sam)
    body = page_of(client, engagement)
    assert "+ Add milestone" not in body and "Put on hold" not in body
    assert "+ Log time" in body


# --- status ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_starts_work_without_sign_off_giving_a_reason(client, personas):
    engagement = EngagementFactory(client=personas.client_a, status="proposed")
    client.force_login(personas.alice)
    body = page_of(client, engagement)
    assert "Start without sign-off" in body
    url = f"/engagements/{engagement.pk}/status/"
    refused = post(client, url, {"status": "active", "override_reason": ""})
    assert refused.status_code == 200
    assert "Say why the work starts without" in refused.content.decode()
    response = post(client, url, {"status": "active", "override_reason": "Client is travelling"})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "active"
    assert AuditEntry.objects.filter(action="engagement.activated_without_signoff").exists()


@pytest.mark.django_db
def test_an_account_manager_cannot_override_a_missing_sign_off(client, personas):
    engagement = EngagementFactory(client=personas.client_a, status="proposed")
    client.force_login(personas.amir)
    assert "Only a leader or owner can start the work" in page_of(client, engagement)
    response = post(
        client,
        f"/engagements/{engagement.pk}/status/",
        {"status": "active", "override_reason": "Trust me"},
    )
    assert "Only a leader or owner can start the work without it." in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == "proposed"


@pytest.mark.django_db
def test_putting_on_hold_flashes_and_returns_to_the_page(client, personas, engagement):
    client.force_login(personas.amir)
    response = client.post(
        f"/engagements/{engagement.pk}/status/", {"status": "on_hold"}, follow=True
    )
    assert "The engagement is now on hold." in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/engagements/{engagement.pk}/#status"


@pytest.mark.django_db
def test_an_unknown_status_is_refused_by_the_field(client, personas, engagement):
    client.force_login(personas.alice)
    response = post(client, f"/engagements/{engagement.pk}/status/", {"status": "bogus"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_closing_with_unassessed_criteria_is_refused_with_the_reason(client, personas, engagement):
    SuccessCriterionFactory(engagement=engagement)
    client.force_login(personas.alice)
    response = post(client, f"/engagements/{engagement.pk}/status/", {"status": "closed"})
    assert "Record whether each success criterion was met" in response.content.decode()


# --- the engagement itself ---------------------------------------------------------------------


def engagement_data(personas, **overrides):
    data = {
        "client": personas.client_a.pk,
        "name": "Data platform",
        "type": "time_materials",
        "start_date": "2026-03-02",
        "end_date": "2026-09-30",
        "budget_hours": "300",
        "budget_amount": "45000",
        "currency": "usd",
        "lead": personas.amir.pk,
    }
    return data | overrides


@pytest.mark.django_db
def test_proposing_an_engagement_from_the_client_page(client, personas):
    client.force_login(personas.amir)
    form = client.get(f"/engagements/new/?client={personas.client_a.pk}").content.decode()
    assert f'<option value="{personas.client_a.pk}" selected>' in form
    response = post(client, "/engagements/new/", engagement_data(personas))
    engagement = Engagement.objects.get(name="Data platform")
    assert response.status_code == 302
    assert response["Location"] == f"/engagements/{engagement.pk}/"
    assert engagement.status == "proposed" and engagement.currency == "USD"


@pytest.mark.django_db
def test_an_end_before_the_start_is_shown_by_the_end_date(client, personas):
    client.force_login(personas.alice)
    response = post(client, "/engagements/new/", engagement_data(personas, end_date="2026-01-01"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "The end date must not be before the start date." in body
    error = body.index("The end date must not be before")
    assert body.rindex('for="id_end_date"', 0, error) > body.rindex('for="id_start_date"', 0, error)


@pytest.mark.django_db
def test_an_account_manager_proposes_only_for_their_own_clients(client, personas):
    personas.other_client_a.account_manager = personas.alice
    personas.other_client_a.save()
    client.force_login(personas.amir)
    response = post(
        client, "/engagements/new/", engagement_data(personas, client=personas.other_client_a.pk)
    )
    assert "You can start engagements for your own clients." in response.content.decode()
    assert not Engagement.objects.filter(name="Data platform").exists()


@pytest.mark.django_db
def test_staff_cannot_propose_engagements(client, personas):
    client.force_login(personas.sam)
    assert client.get("/engagements/new/").status_code == 403


@pytest.mark.django_db
def test_editing_an_engagement(client, personas, engagement):
    client.force_login(personas.amir)
    data = engagement_data(personas, name="ERP selection, phase 1")
    del data["client"]
    response = post(client, f"/engagements/{engagement.pk}/edit/", data)
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.name == "ERP selection, phase 1"
    bad = post(client, f"/engagements/{engagement.pk}/edit/", data | {"currency": "E1R"})
    assert "Use the three-letter code" in bad.content.decode()


@pytest.mark.django_db
def test_an_account_manager_cannot_edit_another_managers_engagement(client, personas):
    theirs = EngagementFactory(client=personas.other_client_a)
    theirs.client.account_manager = personas.alice
    theirs.client.save()
    client.force_login(personas.amir)
    assert client.get(f"/engagements/{theirs.pk}/edit/").status_code == 403


# --- the charter -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_a_scope_item_and_a_refusal(client, personas, engagement):
    client.force_login(personas.amir)
    url = f"/engagements/{engagement.pk}/scope/new/"
    assert "This field is required." in post(client, url, {"title": ""}).content.decode()
    response = client.post(url, {"title": "Vendor demos"}, follow=True)
    assert "Scope item added." in response.content.decode()
    assert engagement.scope_items.get().title == "Vendor demos"


@pytest.mark.django_db
def test_adding_a_role_on_either_side(client, personas, engagement):
    client.force_login(personas.amir)
    url = f"/engagements/{engagement.pk}/roles/new/"
    bad = post(client, url, {"side": "firm", "person": " ", "role": "Lead"})
    assert "This field is required." in bad.content.decode()
    post(client, url, {"side": "client", "person": "Ada", "role": "Sponsor"})
    role = Responsibility.objects.get(engagement=engagement)
    assert (role.side, role.person, role.role) == ("client", "Ada", "Sponsor")
    assert AuditEntry.objects.filter(action="responsibility.added").exists()


@pytest.mark.django_db
def test_recording_the_sign_off_needs_a_contact_of_this_client(client, personas):
    engagement = EngagementFactory(client=personas.client_a, status="proposed")
    ScopeItemFactory(engagement=engagement)  # a charter is signed for its scope
    stranger = ContactFactory(client=personas.other_client_a)
    client.force_login(personas.amir)
    url = f"/engagements/{engagement.pk}/sign-off/"
    bad = post(client, url, {"contact": stranger.pk, "on": "2026-01-02"})
    assert "Select a valid choice" in bad.content.decode()
    post(client, url, {"contact": personas.contact_a.pk, "on": "2026-01-02"})
    engagement.refresh_from_db()
    assert engagement.signed_off_by == personas.contact_a
    assert "by Ada Contact on 2 Jan 2026" in page_of(client, engagement)


@pytest.mark.django_db
def test_adding_and_assessing_a_success_criterion(client, personas, engagement):
    client.force_login(personas.amir)
    post(
        client,
        f"/engagements/{engagement.pk}/criteria/new/",
        {"description": "Adoption above 80%", "target": "80%"},
    )
    criterion = SuccessCriterion.objects.get(engagement=engagement)
    url = f"/engagements/criteria/{criterion.pk}/assess/"
    assert "This field is required." in post(client, url, {"on": "2026-06-30"}).content.decode()
    post(client, url, {"met": "no", "on": "2026-06-30"})
    criterion.refresh_from_db()
    assert criterion.met is False and criterion.assessed_on == D(2026, 6, 30)


@pytest.mark.django_db
def test_assigning_a_person_checks_they_are_in_the_workspace(client, personas, engagement):
    client.force_login(personas.amir)
    url = f"/engagements/{engagement.pk}/team/new/"
    bad = post(client, url, {"person": personas.charlie.pk, "weekly_hours": "10"})
    assert "Select a valid choice" in bad.content.decode()
    post(client, url, {"person": personas.sam.pk, "weekly_hours": "12.5"})
    assert Assignment.objects.get(engagement=engagement).weekly_hours == Decimal("12.5")


# --- milestones and deliverables ---------------------------------------------------------------


@pytest.mark.django_db
def test_adding_a_milestone(client, personas, engagement):
    client.force_login(personas.amir)
    url = f"/engagements/{engagement.pk}/milestones/new/"
    bad = post(client, url, {"name": "Go-live", "committed_date": "", "buffer_days": "5"})
    assert "This field is required." in bad.content.decode()
    post(client, url, {"name": "Go-live", "committed_date": "2026-05-01", "buffer_days": "5"})
    assert Milestone.objects.get(engagement=engagement).buffer_days == 5


@pytest.mark.django_db
def test_staff_record_a_delivery_and_a_second_one_is_refused(client, personas, engagement):
    milestone = MilestoneFactory(engagement=engagement, name="Go-live")
    client.force_login(personas.sam)
    url = f"/engagements/milestones/{milestone.pk}/deliver/"
    response = client.post(url, {"on": "2026-03-04"}, follow=True)
    assert "Go-live is delivered." in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.delivered_on == D(2026, 3, 4)
    again = post(client, url, {"on": "2026-03-05"})
    assert "This milestone is already delivered." in again.content.decode()


@pytest.mark.django_db
def test_inline_delivery_over_htmx(client, personas, engagement):
    milestone = MilestoneFactory(engagement=engagement, name="Go-live")
    client.force_login(personas.sam)
    url = f"/engagements/milestones/{milestone.pk}/deliver/"
    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in form and f'hx-post="{url}"' in form
    bad = post(client, url, {"on": ""}, HX_Request="true")
    assert bad.status_code == 200 and "This field is required." in bad.content.decode()
    assert "<html" not in bad.content.decode()
    good = post(client, url, {"on": "2026-03-04"}, HX_Request="true")
    assert json.loads(good["HX-Location"])["path"] == f"/engagements/{engagement.pk}/"


@pytest.mark.django_db
def test_deliverables_go_to_review_and_a_return_needs_its_reasons(client, personas, engagement):
    client.force_login(personas.sam)
    other = MilestoneFactory(engagement=EngagementFactory(client=personas.client_a))
    url = f"/engagements/{engagement.pk}/deliverables/new/"
    bad = post(client, url, {"name": "Report", "milestone": other.pk, "due_date": "2026-03-01"})
    assert "Select a valid choice" in bad.content.decode()
    post(client, url, {"name": "Report", "due_date": "2026-03-01"})
    deliverable = Deliverable.objects.get(engagement=engagement)
    post(client, f"/engagements/deliverables/{deliverable.pk}/submit/", {"on": "2026-03-01"})
    review = f"/engagements/deliverables/{deliverable.pk}/review/"
    refused = post(client, review, {"outcome": "returned", "on": "2026-03-03"})
    body = refused.content.decode()
    assert "Say why the client sent it back." in body
    assert body.index("Say why the client sent it back.") > body.index('for="id_reasons"')
    post(client, review, {"outcome": "returned", "on": "2026-03-03", "reasons": "Typos"})
    deliverable.refresh_from_db()
    assert deliverable.status == "returned"
    assert "Sent back 1×" in page_of(client, engagement)


# --- time, notices and quality -----------------------------------------------------------------


@pytest.mark.django_db
def test_logging_time_on_nothing_agreed_shows_as_unapproved_scope(client, personas, engagement):
    item = ScopeItemFactory(engagement=engagement, title="Demos")
    client.force_login(personas.sam)
    url = f"/engagements/{engagement.pk}/time/new/"
    form = client.get(url).content.decode()
    assert "Nothing agreed: unapproved scope" in form and "Demos" in form
    data = {"person": personas.sam.pk, "date": "2026-02-03", "cost_rate": "80", "bill_rate": "150"}
    too_many = post(client, url, data | {"hours": "30", "work": f"s{item.pk}"})
    assert "Hours must be more than 0 and at most 24." in too_many.content.decode()
    post(client, url, data | {"hours": "3", "work": f"s{item.pk}"})
    post(client, url, data | {"hours": "2", "work": ""})
    entries = TimeEntry.objects.filter(engagement=engagement)
    assert entries.count() == 2 and entries.filter(scope_item=item).count() == 1
    assert entries.first().person_name == "Sam Staff"
    assert "Work on unapproved scope: 2 h" in page_of(client, engagement)


@pytest.mark.django_db
def test_a_slip_notice_needs_its_new_date_and_moves_the_forecast(client, personas, engagement):
    milestone = MilestoneFactory(engagement=engagement, committed_date=D(2026, 3, 2))
    client.force_login(personas.sam)
    url = f"/engagements/{engagement.pk}/notices/new/"
    data = {"kind": "slip", "milestone": milestone.pk, "sent_on": "2026-02-20"}
    body = post(client, url, data).content.decode()
    assert "A slip notice gives the new date." in body
    assert body.index("A slip notice gives the new date.") > body.index('for="id_new_date"')
    post(client, url, data | {"new_date": "2026-03-16"})
    milestone.refresh_from_db()
    assert milestone.forecast_date == D(2026, 3, 16)


@pytest.mark.django_db
def test_recording_and_resolving_a_quality_issue(client, personas, engagement):
    client.force_login(personas.sam)
    post(
        client,
        f"/engagements/{engagement.pk}/quality-issues/new/",
        {"title": "Totals", "severity": "high", "found_by": "client", "opened_on": "2026-03-05"},
    )
    issue = QualityIssue.objects.get(engagement=engagement)
    url = f"/engagements/quality-issues/{issue.pk}/resolve/"
    early = post(client, url, {"resolved_on": "2026-03-01", "root_cause": "No check"})
    assert "It cannot be resolved before it was opened." in early.content.decode()
    post(client, url, {"resolved_on": "2026-03-09", "root_cause": "No check"})
    issue.refresh_from_db()
    assert issue.resolved_on == D(2026, 3, 9)


# --- change requests ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_change_request_from_draft_to_the_clients_approval(client, personas, engagement):
    client.force_login(personas.sam)
    post(
        client,
        f"/engagements/{engagement.pk}/change-requests/new/",
        {
            "title": "Third demo round",
            "effort_hours": "40",
            "cost_impact": "6000",
            "schedule_impact_days": "14",
        },
    )
    cr = ChangeRequest.objects.get(engagement=engagement)
    client.force_login(personas.amir)
    post(client, f"/engagements/change-requests/{cr.pk}/submit/", {"on": "2026-02-10"})
    url = f"/engagements/change-requests/{cr.pk}/decide/"
    stranger = ContactFactory(client=personas.other_client_a)
    data = {"decision": "approve", "decided_by": stranger.pk, "on": "2026-02-12"}
    assert "Select a valid choice" in post(client, url, data).content.decode()
    post(client, url, data | {"decided_by": personas.contact_a.pk})
    cr.refresh_from_db()
    engagement.refresh_from_db()
    assert cr.status == "approved" and cr.decided_by == personas.contact_a
    assert engagement.budget_amount == Decimal(66000)
    assert "Approved by Ada Contact" in page_of(client, engagement)


@pytest.mark.django_db
def test_staff_cannot_approve_a_change_request(client, personas, engagement):
    cr = ChangeRequestFactory(engagement=engagement, status="submitted")
    client.force_login(personas.sam)
    url = f"/engagements/change-requests/{cr.pk}/decide/"
    data = {"decision": "approve", "decided_by": personas.contact_a.pk, "on": "2026-02-12"}
    assert client.post(url, data).status_code == 403
    assert client.get(url).status_code == 403
    cr.refresh_from_db()
    assert cr.status == "submitted"


@pytest.mark.django_db
def test_an_account_manager_cannot_decide_for_another_managers_client(client, personas):
    cr = ChangeRequestFactory(
        engagement=EngagementFactory(client=personas.other_client_a), status="submitted"
    )
    cr.engagement.client.account_manager = personas.alice
    cr.engagement.client.save()
    client.force_login(personas.amir)
    assert client.get(f"/engagements/change-requests/{cr.pk}/decide/").status_code == 403


@pytest.mark.django_db
def test_withdrawing_and_a_decided_request_cannot_be(client, personas, engagement):
    draft = ChangeRequestFactory(engagement=engagement)
    decided = ChangeRequestFactory(engagement=engagement, status="rejected")
    client.force_login(personas.amir)
    response = client.post(f"/engagements/change-requests/{draft.pk}/withdraw/", follow=True)
    assert "Change request withdrawn." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    refused = post(client, f"/engagements/change-requests/{decided.pk}/withdraw/")
    assert "A decided change request cannot be withdrawn." in refused.content.decode()


@pytest.mark.django_db
def test_forms_are_refused_to_another_workspace(client, personas, engagement):
    milestone = MilestoneFactory(engagement=engagement)
    client.force_login(personas.charlie)
    assert client.get(f"/engagements/{engagement.pk}/").status_code == 404
    assert client.post(f"/engagements/milestones/{milestone.pk}/deliver/").status_code == 404
