"""The engagements API: engagements and their charter, milestones, deliverables, time, change
requests, quality issues and notices. Lists filter and paginate, writes go through the services,
bad input is a 422 naming the field, a broken rule a 400 naming the field, never a 500."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.engagements.factories import (
    ChangeRequestFactory,
    DeliverableFactory,
    EngagementFactory,
    MilestoneFactory,
    NoticeFactory,
    QualityIssueFactory,
    ScopeItemFactory,
    TimeEntryFactory,
)
from tests.factories import ClientFactory, ContactFactory
from trustledger.engagements import selectors
from trustledger.engagements.models import Engagement, Milestone, ScopeItem
from trustledger.workspaces.models import ApiKeyScope, AuditEntry
from trustledger.workspaces.services import create_api_key

pytestmark = pytest.mark.django_db


class Api:
    """The Django test client speaking JSON, with an API key or a signed-in session."""

    def __init__(self, client, key=None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, url, **params):
        return self.client.get(f"/api{url}", params, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(
            f"/api{url}", body or {}, content_type="application/json", headers=self.headers
        )

    def patch(self, url, body):
        return self.client.patch(
            f"/api{url}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api(client, personas):
    _, raw = create_api_key(personas.workspace_a, name="rw", scope=ApiKeyScope.READ_WRITE, by=None)
    return Api(client, raw)


@pytest.fixture
def reader(client, personas):
    _, raw = create_api_key(personas.workspace_a, name="r", scope=ApiKeyScope.READ, by=None)
    return Api(client, raw)


def signed_in(client, user):
    client.force_login(user)
    return Api(client)


@pytest.fixture
def engagement(personas):
    return EngagementFactory(client=personas.client_a, name="Finance Transformation")


@pytest.fixture
def proposed(personas):
    return EngagementFactory(client=personas.client_a, status="proposed")


def loc(response):
    return response.json()["detail"][0]["loc"]


def assert_refused(response, field):
    assert response.status_code == 400, response.content
    assert loc(response) == ["body", field]


def assert_invalid(response, field):
    assert response.status_code == 422, response.content
    assert field in loc(response)


NEW_ENGAGEMENT = {
    "name": "Close faster",
    "type": "fixed_fee",
    "start_date": "2026-04-01",
    "end_date": "2026-09-30",
    "budget_hours": "320.5",
    "budget_amount": 48000,
    "currency": "EUR",
}


# Engagements


def test_engagements_are_listed_filtered_and_paginated(personas, reader):
    EngagementFactory(client=personas.client_a, name="Alpha audit", status="proposed")
    EngagementFactory(client=personas.client_a, name="Alpha tax", status="active")
    EngagementFactory(client=personas.other_client_a, name="Other rollout", status="active")
    EngagementFactory(client=personas.client_b, name="Beta secret", status="active")

    page = reader.get("/engagements", limit=2).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    by_client = reader.get("/engagements", client_id=personas.client_a.pk).json()["items"]
    assert {e["name"] for e in by_client} == {"Alpha audit", "Alpha tax"}
    active = reader.get("/engagements", status="active").json()["items"]
    assert {e["name"] for e in active} == {"Alpha tax", "Other rollout"}
    assert [e["name"] for e in reader.get("/engagements", q="TAX").json()["items"]] == ["Alpha tax"]
    assert reader.get("/engagements", q="Acme Secret").json()["count"] == 2  # by client name


def test_a_bad_filter_value_is_a_422_naming_it(reader):
    assert_invalid(reader.get("/engagements", status="sleeping"), "status")
    assert_invalid(reader.get("/engagements", client_id="one"), "client_id")


def test_creating_an_engagement_returns_it_proposed_whatever_is_asked(api, personas):
    body = {**NEW_ENGAGEMENT, "client_id": personas.client_a.pk, "lead_id": personas.amir.pk}
    response = api.post("/engagements", {**body, "status": "active"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "proposed" and data["lead_id"] == personas.amir.pk
    assert Decimal(data["budget_hours"]) == Decimal("320.5") and not data["charter_signed"]
    assert Engagement.objects.get(pk=data["id"]).workspace == personas.workspace_a
    assert AuditEntry.objects.filter(action="engagement.created").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "bad\u0000name"}, "name"),
        ({"name": "lone \ud800 surrogate"}, "name"),
        ({"type": "hourly"}, "type"),
        ({"start_date": "next week"}, "start_date"),
        ({"end_date": "2026-02-30"}, "end_date"),
        ({"budget_hours": -1}, "budget_hours"),
        ({"budget_amount": "12.345"}, "budget_amount"),
        ({"budget_amount": "NaN"}, "budget_amount"),
        ({"currency": "euro"}, "currency"),
        ({"client_id": "acme"}, "client_id"),
    ],
)
def test_invalid_engagement_input_is_a_422_naming_the_field(api, personas, change, field):
    body = {**NEW_ENGAGEMENT, "client_id": personas.client_a.pk, **change}
    assert_invalid(api.post("/engagements", body), field)


def test_ids_and_dates_the_rules_refuse_are_a_400_naming_the_field(api, personas):
    body = {**NEW_ENGAGEMENT, "client_id": personas.client_a.pk}
    assert_refused(
        api.post("/engagements", {**body, "client_id": personas.client_b.pk}), "client_id"
    )
    assert_refused(api.post("/engagements", {**body, "lead_id": personas.charlie.pk}), "lead_id")
    assert_refused(api.post("/engagements", {**body, "end_date": "2026-03-01"}), "end_date")
    assert not Engagement.objects.filter(name="Close faster").exists()


def test_patch_changes_only_what_is_sent(api, engagement, personas):
    response = api.patch(
        f"/engagements/{engagement.pk}", {"name": "Renamed", "lead_id": personas.sam.pk}
    )
    assert response.status_code == 200, response.content
    engagement.refresh_from_db()
    assert engagement.name == "Renamed" and engagement.lead == personas.sam
    assert engagement.budget_amount == Decimal(60000)
    assert_invalid(api.patch(f"/engagements/{engagement.pk}", {"name": None}), "name")
    assert_refused(
        api.patch(f"/engagements/{engagement.pk}", {"end_date": "2025-01-01"}), "end_date"
    )


def test_the_detail_shows_budget_burn_scope_creep_and_earned_value(reader, engagement):
    scope = ScopeItemFactory(engagement=engagement)
    TimeEntryFactory(engagement=engagement, scope_item=scope, hours=Decimal("7.5"))
    TimeEntryFactory(engagement=engagement, hours=Decimal(2))  # on no scope: creep
    TimeEntryFactory(engagement=engagement, date=dt.date(2026, 5, 1))  # after as_of
    MilestoneFactory(engagement=engagement, delivered_on=dt.date(2026, 3, 1), status="delivered")
    MilestoneFactory(engagement=engagement, committed_date=dt.date(2026, 6, 1))

    response = reader.get(f"/engagements/{engagement.pk}", as_of="2026-03-31")
    assert response.status_code == 200, response.content
    budget = response.json()["budget"]
    assert Decimal(budget["hours"]) == Decimal("9.5")
    assert Decimal(budget["cost"]) == Decimal("760.00")  # 9.5 h at 80
    assert Decimal(budget["billed"]) == Decimal("1425.00")
    assert Decimal(budget["hours_remaining"]) == Decimal("390.5")
    assert Decimal(budget["scope_creep_hours"]) == Decimal(2)
    assert Decimal(budget["scope_creep_cost"]) == Decimal(160)
    assert budget["percent_complete"] == 0.5
    figures = selectors.evm(engagement, dt.date(2026, 3, 31))  # EV: half of 60,000
    for name in ("cpi", "spi", "eac", "etc", "vac", "tcpi", "forecast_overrun"):
        assert budget[name] == pytest.approx(getattr(figures, name)), name
    assert budget["cpi"] is not None and budget["spi"] is not None


def test_earned_value_is_null_without_milestones(reader, engagement):
    budget = reader.get(f"/engagements/{engagement.pk}").json()["budget"]
    assert budget["percent_complete"] is None
    assert all(budget[k] is None for k in ("cpi", "spi", "eac", "vac", "forecast_overrun"))
    assert budget["as_of"] == timezone.localdate().isoformat()


def test_an_account_manager_cannot_start_work_without_the_clients_sign_off(
    client, personas, proposed
):
    amir = signed_in(client, personas.amir)
    refused = amir.post(f"/engagements/{proposed.pk}/status", {"status": "active"})
    assert_refused(refused, "status")
    proposed.refresh_from_db()
    assert proposed.status == "proposed"


def test_an_owner_overrides_a_missing_sign_off_only_with_a_reason(client, personas, proposed):
    alice = signed_in(client, personas.alice)
    url = f"/engagements/{proposed.pk}/status"
    assert_refused(alice.post(url, {"status": "active"}), "override_reason")
    response = alice.post(url, {"status": "active", "override_reason": "Client on holiday"})
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert AuditEntry.objects.filter(action="engagement.activated_without_signoff").exists()


def test_a_signed_off_charter_lets_the_work_start(api, personas, proposed):
    other_contact = ContactFactory(client=personas.other_client_a)
    ScopeItemFactory(engagement=proposed)  # a charter is signed for its scope
    url = f"/engagements/{proposed.pk}/sign-off"
    refused = api.post(url, {"contact_id": other_contact.pk, "signed_off_on": "2026-01-02"})
    assert_refused(refused, "contact_id")
    signed = api.post(url, {"contact_id": personas.contact_a.pk, "signed_off_on": "2026-01-02"})
    assert signed.status_code == 200 and signed.json()["charter_signed"]
    started = api.post(f"/engagements/{proposed.pk}/status", {"status": "active"})
    assert started.status_code == 200 and started.json()["activated_on"]
    assert_refused(api.post(f"/engagements/{proposed.pk}/status", {"status": "proposed"}), "status")
    assert_invalid(api.post(f"/engagements/{proposed.pk}/status", {"status": "done"}), "status")


def test_closing_needs_every_success_criterion_assessed(api, engagement):
    added = api.post(
        f"/engagements/{engagement.pk}/success-criteria",
        {"description": "Close in five days", "target": "5 days"},
    )
    assert added.status_code == 201 and added.json()["met"] is None
    assert_refused(api.post(f"/engagements/{engagement.pk}/status", {"status": "closed"}), "status")
    assessed = api.post(
        f"/success-criteria/{added.json()['id']}/assessment",
        {"met": True, "assessed_on": "2026-06-20"},
    )
    assert assessed.status_code == 200 and assessed.json()["met"] is True
    closed = api.post(
        f"/engagements/{engagement.pk}/status", {"status": "closed", "on": "2026-06-26"}
    )
    assert closed.status_code == 200 and closed.json()["closed_on"] == "2026-06-26"
    listed = api.get(f"/engagements/{engagement.pk}/success-criteria").json()
    assert listed["count"] == 1


def test_roles_decide_who_manages_an_engagement(client, personas, engagement):
    someone_elses = EngagementFactory(
        client=ClientFactory(workspace=personas.workspace_a, account_manager=personas.alice)
    )
    amir = signed_in(client, personas.amir)
    assert amir.patch(f"/engagements/{engagement.pk}", {"name": "Mine"}).status_code == 200
    assert amir.patch(f"/engagements/{someone_elses.pk}", {"name": "Not"}).status_code == 403
    sam = signed_in(client, personas.sam)
    body = {**NEW_ENGAGEMENT, "client_id": personas.client_a.pk}
    assert sam.post("/engagements", body).status_code == 403
    assert sam.get(f"/engagements/{engagement.pk}").status_code == 200
    milestone = {"name": "Kick-off", "committed_date": "2026-02-01"}
    assert sam.post(f"/engagements/{engagement.pk}/milestones", milestone).status_code == 201


def test_the_capacity_check_flags_over_commitment(api, personas, engagement):
    busy = EngagementFactory(client=personas.other_client_a, status="active")
    url = f"/engagements/{busy.pk}/assignments"
    assert api.post(url, {"person_id": personas.sam.pk, "weekly_hours": 30}).status_code == 200
    url = f"/engagements/{engagement.pk}/assignments"
    assert api.post(url, {"person_id": personas.sam.pk, "weekly_hours": 20}).status_code == 200
    assert_refused(
        api.post(url, {"person_id": personas.charlie.pk, "weekly_hours": 5}), "person_id"
    )
    assert_invalid(
        api.post(url, {"person_id": personas.sam.pk, "weekly_hours": 200}), "weekly_hours"
    )
    assert api.get(url).json()["count"] == 1

    report = api.get(f"/engagements/{engagement.pk}/capacity").json()
    assert report["over_committed"] is True
    [sam] = report["people"]
    assert sam["person_name"] == "Sam Staff" and sam["peak_hours"] == 50
    assert sam["capacity"] == 40 and sam["over_committed"] and sam["weeks_over"]


def test_a_scope_item_is_added_to_the_charter(api, engagement):
    response = api.post(f"/engagements/{engagement.pk}/scope-items", {"title": "Chart of accounts"})
    assert response.status_code == 201, response.content
    assert response.json()["change_request_id"] is None
    assert_invalid(api.post(f"/engagements/{engagement.pk}/scope-items", {"title": " "}), "title")
    assert api.get(f"/engagements/{engagement.pk}/scope-items").json()["count"] == 1


# Milestones


def test_milestones_are_listed_filtered_and_paginated(reader, engagement):
    MilestoneFactory(engagement=engagement, name="Design", committed_date=dt.date(2026, 2, 1))
    MilestoneFactory(engagement=engagement, name="Build", status="in_progress")
    MilestoneFactory(name="Someone else's")
    url = f"/engagements/{engagement.pk}/milestones"
    page = reader.get(url, limit=1).json()
    assert page["count"] == 2 and [m["name"] for m in page["items"]] == ["Design"]
    assert [m["name"] for m in reader.get(url, status="in_progress").json()["items"]] == ["Build"]
    assert_invalid(reader.get(url, status="late"), "status")


def test_a_milestone_is_created_edited_and_delivered(api, engagement):
    url = f"/engagements/{engagement.pk}/milestones"
    created = api.post(url, {"name": "Go-live", "committed_date": "2026-05-01", "buffer_days": 5})
    assert created.status_code == 201, created.content
    milestone = created.json()
    assert milestone["status"] == "planned" and milestone["days_late"] is None

    edited = api.patch(f"/milestones/{milestone['id']}", {"name": "Go live", "buffer_days": 3})
    assert edited.status_code == 200 and edited.json()["name"] == "Go live"
    delivered = api.post(f"/milestones/{milestone['id']}/deliver", {"delivered_on": "2026-05-04"})
    assert delivered.status_code == 200 and delivered.json()["days_late"] == 3
    again = api.post(f"/milestones/{milestone['id']}/deliver", {"delivered_on": "2026-05-05"})
    assert_refused(again, "status")
    assert api.get(f"/milestones/{milestone['id']}").json()["status"] == "delivered"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"committed_date": "2026-05-01"}, "name"),
        ({"name": "X"}, "committed_date"),
        ({"name": "X", "committed_date": "2026-05-01", "buffer_days": -2}, "buffer_days"),
        ({"name": "X", "committed_date": "9999-01-01"}, "committed_date"),
    ],
)
def test_invalid_milestone_input_is_a_422(api, engagement, body, field):
    assert_invalid(api.post(f"/engagements/{engagement.pk}/milestones", body), field)


def test_the_committed_date_moves_only_through_a_notice(api, engagement):
    milestone = MilestoneFactory(engagement=engagement)
    url = f"/milestones/{milestone.pk}"
    assert_refused(api.patch(url, {"committed_date": "2026-04-01"}), "committed_date")
    assert_refused(api.patch(url, {"status": "delivered"}), "delivered_on")
    assert_invalid(api.patch(url, {"status": None}), "status")


# Deliverables and reviews


def test_deliverables_are_listed_filtered_and_paginated(reader, engagement):
    milestone = MilestoneFactory(engagement=engagement)
    DeliverableFactory(engagement=engagement, name="Report", milestone=milestone)
    DeliverableFactory(engagement=engagement, name="Deck", status="accepted")
    DeliverableFactory(name="Elsewhere")
    url = f"/engagements/{engagement.pk}/deliverables"
    assert reader.get(url, limit=1).json()["count"] == 2
    assert [d["name"] for d in reader.get(url, status="accepted").json()["items"]] == ["Deck"]
    by_milestone = reader.get(url, milestone_id=milestone.pk).json()["items"]
    assert [d["name"] for d in by_milestone] == ["Report"]


def test_a_deliverable_needs_a_milestone_of_its_own_engagement(api, engagement):
    elsewhere = MilestoneFactory(engagement=EngagementFactory(client=engagement.client))
    url = f"/engagements/{engagement.pk}/deliverables"
    body = {"name": "Report", "due_date": "2026-03-01", "milestone_id": elsewhere.pk}
    assert_refused(api.post(url, body), "milestone_id")
    assert_invalid(api.post(url, {"name": "Report", "due_date": "soon"}), "due_date")
    own = MilestoneFactory(engagement=engagement)
    created = api.post(url, {**body, "milestone_id": own.pk})
    assert created.status_code == 201 and created.json()["milestone_id"] == own.pk


def test_a_deliverable_is_reviewed_only_after_it_is_submitted(api, engagement):
    deliverable = DeliverableFactory(engagement=engagement)
    url = f"/deliverables/{deliverable.pk}"
    review = {"outcome": "accepted", "reviewed_on": "2026-03-03"}
    assert_refused(api.post(f"{url}/reviews", review), "outcome")

    submitted = api.post(f"{url}/submit")  # no body: submitted today
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    returned = {"outcome": "returned", "reviewed_on": "2026-03-03"}
    assert_refused(api.post(f"{url}/reviews", returned), "reasons")
    sent_back = api.post(f"{url}/reviews", {**returned, "reasons": "Totals are off"})
    assert sent_back.status_code == 201 and sent_back.json()["outcome"] == "returned"
    api.post(f"{url}/submit", {"submitted_on": "2026-03-06"})
    assert api.post(f"{url}/reviews", {**review, "reviewed_on": "2026-03-09"}).status_code == 201

    data = api.get(url).json()
    assert data["status"] == "accepted" and data["accepted_on"] == "2026-03-09"
    assert [r["outcome"] for r in data["reviews"]] == ["returned", "accepted"]
    assert_invalid(api.post(f"{url}/reviews", {**review, "outcome": "maybe"}), "outcome")


# Time entries


def test_time_entries_filter_by_dates_person_and_scope_creep(reader, personas, engagement):
    scope = ScopeItemFactory(engagement=engagement)
    approved = ChangeRequestFactory(
        engagement=engagement, status="approved", decided_on=dt.date(2026, 2, 1)
    )
    pending = ChangeRequestFactory(engagement=engagement, status="submitted")
    covered = [
        TimeEntryFactory(engagement=engagement, scope_item=scope, date=dt.date(2026, 1, 10)),
        TimeEntryFactory(engagement=engagement, change_request=approved, person=personas.sam),
    ]
    creep = [
        TimeEntryFactory(engagement=engagement, date=dt.date(2026, 3, 1)),
        TimeEntryFactory(engagement=engagement, change_request=pending),
    ]
    TimeEntryFactory(note="another engagement")
    url = f"/engagements/{engagement.pk}/time-entries"

    def ids(**params):
        return {e["id"] for e in reader.get(url, **params).json()["items"]}

    assert ids(scope_creep="true") == {e.pk for e in creep}
    assert ids(scope_creep="false") == {e.pk for e in covered}
    assert ids(**{"from": "2026-02-01", "to": "2026-02-28"}) == {covered[1].pk, creep[1].pk}
    assert ids(person_id=personas.sam.pk) == {covered[1].pk}
    page = reader.get(url, limit=3).json()
    assert page["count"] == 4 and len(page["items"]) == 3
    flags = {e["id"]: e["scope_creep"] for e in reader.get(url).json()["items"]}
    assert flags == {e.pk: e in creep for e in covered + creep}
    assert_invalid(reader.get(url, to="yesterday"), "to")


def test_logging_time_defaults_to_the_signed_in_person(client, personas, engagement):
    sam = signed_in(client, personas.sam)
    url = f"/engagements/{engagement.pk}/time-entries"
    response = sam.post(url, {"date": "2026-02-03", "hours": "7.25", "cost_rate": 90})
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["person_id"] == personas.sam.pk and entry["person_name"] == "Sam Staff"
    assert Decimal(entry["hours"]) == Decimal("7.25") and entry["scope_creep"] is True
    assert sam.get(f"/time-entries/{entry['id']}").json()["scope_creep"] is True


def test_time_on_a_scope_item_is_not_scope_creep(api, personas, engagement):
    scope = ScopeItemFactory(engagement=engagement)
    body = {"date": "2026-02-03", "hours": 4, "person_id": personas.amir.pk}
    response = api.post(
        f"/engagements/{engagement.pk}/time-entries", {**body, "scope_item_id": scope.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["scope_creep"] is False
    assert response.json()["person_name"] == "Amir Manager"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": 0}, "hours"),
        ({"hours": "24.5"}, "hours"),
        ({"hours": "many"}, "hours"),
        ({"date": "2026-13-01"}, "date"),
        ({"cost_rate": -5}, "cost_rate"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_invalid_time_entries_are_a_422(api, engagement, change, field):
    body = {"date": "2026-02-03", "hours": 4, **change}
    assert_invalid(api.post(f"/engagements/{engagement.pk}/time-entries", body), field)


def test_time_must_be_booked_on_this_engagements_scope_and_changes(api, personas, engagement):
    other = EngagementFactory(client=personas.client_a)
    url = f"/engagements/{engagement.pk}/time-entries"
    body = {"date": "2026-02-03", "hours": 4}
    item = ScopeItemFactory(engagement=other)
    assert_refused(api.post(url, {**body, "scope_item_id": item.pk}), "scope_item_id")
    cr = ChangeRequestFactory(engagement=other)
    assert_refused(api.post(url, {**body, "change_request_id": cr.pk}), "change_request_id")
    assert_refused(api.post(url, {**body, "person_id": personas.charlie.pk}), "person_id")


# Change requests


def test_approving_a_change_moves_the_budget_and_the_end_date(api, personas, engagement):
    created = api.post(
        f"/engagements/{engagement.pk}/change-requests",
        {"title": "Extra entity", "effort_hours": 40, "cost_impact": "6000.00",
         "schedule_impact_days": 14},
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["status"] == "draft"
    url = f"/change-requests/{created.json()['id']}"
    decision = {
        "approve": True,
        "decided_by_contact_id": personas.contact_a.pk,
        "decided_on": "2026-02-10",
    }
    assert_refused(api.post(f"{url}/decision", decision), "status")  # still a draft

    assert api.post(f"{url}/submit", {"submitted_on": "2026-02-05"}).json()["status"] == "submitted"
    approved = api.post(f"{url}/decision", {**decision, "note": "Go ahead"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["decided_by_id"] == personas.contact_a.pk
    data = api.get(f"/engagements/{engagement.pk}").json()
    assert Decimal(data["budget_hours"]) == Decimal(440)
    assert Decimal(data["budget_amount"]) == Decimal(66000)
    assert data["end_date"] == "2026-07-10"
    assert ScopeItem.objects.filter(change_request_id=approved.json()["id"]).exists()
    assert_refused(api.post(f"{url}/withdraw"), "status")


def test_the_decision_must_come_from_this_clients_contact(api, personas, engagement):
    cr = ChangeRequestFactory(engagement=engagement, status="submitted")
    stranger = ContactFactory(client=personas.other_client_a)
    decision = {"approve": False, "decided_by_contact_id": stranger.pk, "decided_on": "2026-02-10"}
    url = f"/change-requests/{cr.pk}/decision"
    assert_refused(api.post(url, decision), "decided_by_contact_id")
    assert_invalid(api.post(url, {**decision, "approve": "perhaps"}), "approve")
    rejected = api.post(url, {**decision, "decided_by_contact_id": personas.contact_a.pk})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    engagement.refresh_from_db()
    assert engagement.budget_hours == Decimal(400)


def test_change_requests_are_listed_filtered_withdrawn_and_validated(api, engagement):
    draft = ChangeRequestFactory(engagement=engagement)
    ChangeRequestFactory(engagement=engagement, status="submitted")
    ChangeRequestFactory()
    url = f"/engagements/{engagement.pk}/change-requests"
    assert api.get(url, limit=1).json()["count"] == 2
    assert [c["id"] for c in api.get(url, status="draft").json()["items"]] == [draft.pk]
    assert api.post(f"/change-requests/{draft.pk}/withdraw").json()["status"] == "withdrawn"
    assert_invalid(api.post(url, {"title": "Less", "effort_hours": -8}), "effort_hours")
    assert_invalid(
        api.post(url, {"title": "Sooner", "schedule_impact_days": -3}), "schedule_impact_days"
    )
    assert api.get(f"/change-requests/{draft.pk}").json()["status"] == "withdrawn"


def test_staff_log_work_but_do_not_negotiate_changes(client, personas, engagement):
    sam = signed_in(client, personas.sam)
    url = f"/engagements/{engagement.pk}/change-requests"
    assert sam.post(url, {"title": "Mine"}).status_code == 403
    cr = ChangeRequestFactory(engagement=engagement, status="submitted")
    decision = {
        "approve": True,
        "decided_by_contact_id": personas.contact_a.pk,
        "decided_on": "2026-02-10",
    }
    assert sam.post(f"/change-requests/{cr.pk}/decision", decision).status_code == 403


# Quality issues


def test_quality_issues_are_recorded_filtered_and_resolved(api, engagement):
    deliverable = DeliverableFactory(engagement=engagement)
    url = f"/engagements/{engagement.pk}/quality-issues"
    body = {
        "title": "Wrong totals",
        "severity": "high",
        "found_by": "client",
        "opened_on": "2026-03-05",
        "deliverable_id": deliverable.pk,
    }
    created = api.post(url, body)
    assert created.status_code == 201, created.content
    QualityIssueFactory(engagement=engagement, severity="low", resolved_on=dt.date(2026, 3, 6))
    assert api.get(url, limit=1).json()["count"] == 2
    assert [i["title"] for i in api.get(url, open="true").json()["items"]] == ["Wrong totals"]
    assert api.get(url, severity="low", found_by="client").json()["count"] == 1

    resolve = f"/quality-issues/{created.json()['id']}/resolve"
    early = {"resolved_on": "2026-03-01", "root_cause": "Rounding"}
    assert_refused(api.post(resolve, early), "resolved_on")
    assert_invalid(api.post(resolve, {"resolved_on": "2026-03-08"}), "root_cause")
    resolved = api.post(resolve, {**early, "resolved_on": "2026-03-08"})
    assert resolved.status_code == 200 and resolved.json()["root_cause"] == "Rounding"
    assert_refused(api.post(resolve, {**early, "resolved_on": "2026-03-09"}), "resolved_on")
    assert api.get(url, open="false").json()["count"] == 2


def test_a_quality_issue_names_a_deliverable_of_its_engagement(api, engagement):
    url = f"/engagements/{engagement.pk}/quality-issues"
    elsewhere = DeliverableFactory(engagement=EngagementFactory(client=engagement.client))
    body = {"title": "T", "severity": "low", "found_by": "internal", "opened_on": "2026-03-05"}
    assert_refused(api.post(url, {**body, "deliverable_id": elsewhere.pk}), "deliverable_id")
    assert_invalid(api.post(url, {**body, "severity": "urgent"}), "severity")
    assert_invalid(api.post(url, {**body, "found_by": None}), "found_by")


# Notices


def test_a_slip_notice_moves_the_forecast_not_the_promise(api, engagement):
    milestone = MilestoneFactory(engagement=engagement)
    url = f"/engagements/{engagement.pk}/notices"
    body = {"kind": "slip", "sent_on": "2026-02-20", "milestone_id": milestone.pk}
    assert_refused(api.post(url, body), "new_date")
    created = api.post(url, {**body, "new_date": "2026-03-16", "message": "Data late"})
    assert created.status_code == 201, created.content
    milestone.refresh_from_db()
    assert milestone.forecast_date == dt.date(2026, 3, 16)
    assert milestone.committed_date == dt.date(2026, 3, 2)
    assert api.get(f"/notices/{created.json()['id']}").json()["message"] == "Data late"


def test_notices_are_validated_listed_and_filtered(api, engagement):
    url = f"/engagements/{engagement.pk}/notices"
    assert_refused(api.post(url, {"kind": "overrun", "sent_on": "2026-02-20"}), "new_cost")
    assert_invalid(api.post(url, {"kind": "delay", "sent_on": "2026-02-20"}), "kind")
    assert_invalid(
        api.post(url, {"kind": "overrun", "sent_on": "2026-02-20", "new_cost": -1}), "new_cost"
    )
    elsewhere = Milestone.objects.create(
        workspace=engagement.workspace,
        engagement=EngagementFactory(client=engagement.client),
        name="Other",
        committed_date=dt.date(2026, 3, 1),
    )
    slip = {"kind": "slip", "sent_on": "2026-02-20", "new_date": "2026-03-20"}
    assert_refused(api.post(url, {**slip, "milestone_id": elsewhere.pk}), "milestone_id")
    overrun = api.post(url, {"kind": "overrun", "sent_on": "2026-02-21", "new_cost": "65000.00"})
    assert overrun.status_code == 201
    NoticeFactory(engagement=engagement)
    assert api.get(url, limit=1).json()["count"] == 2
    assert [n["kind"] for n in api.get(url, kind="overrun").json()["items"]] == ["overrun"]


# Tenancy, keys and the schema


def test_another_workspaces_objects_are_a_404(api, personas):
    theirs = EngagementFactory(client=personas.client_b)
    milestone = MilestoneFactory(engagement=theirs)
    deliverable = DeliverableFactory(engagement=theirs)
    paths = [
        f"/engagements/{theirs.pk}",
        f"/engagements/{theirs.pk}/milestones",
        f"/engagements/{theirs.pk}/time-entries",
        f"/engagements/{theirs.pk}/capacity",
        f"/milestones/{milestone.pk}",
        f"/deliverables/{deliverable.pk}",
        f"/time-entries/{TimeEntryFactory(engagement=theirs).pk}",
        f"/change-requests/{ChangeRequestFactory(engagement=theirs).pk}",
        f"/quality-issues/{QualityIssueFactory(engagement=theirs).pk}",
        f"/notices/{NoticeFactory(engagement=theirs).pk}",
    ]
    for path in paths:
        assert api.get(path).status_code == 404, path
    too_big = api.get(f"/engagements/{10**30}")  # past any database id: a 422 naming it
    assert too_big.status_code == 422
    assert too_big.json()["detail"][0]["loc"] == ["path", "engagement_id"]
    assert api.patch(f"/engagements/{theirs.pk}", {"name": "Mine"}).status_code == 404
    assert (
        api.post(f"/milestones/{milestone.pk}/deliver", {"delivered_on": "2026-03-01"}).status_code
        == 404
    )
    assert api.post(f"/deliverables/{deliverable.pk}/submit").status_code == 404


def test_ids_of_another_workspace_in_a_body_are_refused(api, personas, engagement):
    theirs = EngagementFactory(client=personas.client_b)
    contact_b = ContactFactory(client=personas.client_b)
    assert_refused(
        api.post(
            f"/engagements/{engagement.pk}/sign-off",
            {"contact_id": contact_b.pk, "signed_off_on": "2026-01-02"},
        ),
        "contact_id",
    )
    body = {
        "name": "D",
        "due_date": "2026-03-01",
        "milestone_id": MilestoneFactory(engagement=theirs).pk,
    }
    assert_refused(api.post(f"/engagements/{engagement.pk}/deliverables", body), "milestone_id")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/engagements", {**NEW_ENGAGEMENT, "client_id": 1}),
        ("/engagements/{e}", {"name": "X"}),
        ("/engagements/{e}/status", {"status": "on_hold"}),
        ("/engagements/{e}/milestones", {"name": "X", "committed_date": "2026-05-01"}),
        ("/engagements/{e}/time-entries", {"date": "2026-02-03", "hours": 1}),
        ("/engagements/{e}/change-requests", {"title": "X"}),
        ("/engagements/{e}/quality-issues", {"title": "X"}),
        ("/engagements/{e}/notices", {"kind": "slip"}),
    ],
)
def test_a_read_only_key_cannot_write(client, reader, engagement, path, body):
    url = "/api" + path.format(e=engagement.pk)
    method = client.patch if path == "/engagements/{e}" else client.post
    response = method(url, body, content_type="application/json", headers=reader.headers)
    assert response.status_code == 403
    engagement.refresh_from_db()
    assert engagement.name == "Finance Transformation" and engagement.status == "active"
    assert not AuditEntry.objects.exclude(action__startswith="api_key.").exists()


def test_listing_needs_authentication(client, engagement):
    assert client.get("/api/engagements").status_code == 401
    assert client.get(f"/api/engagements/{engagement.pk}/milestones").status_code == 401


def test_every_engagement_route_declares_its_errors(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    ours = {
        path: ops
        for path, ops in paths.items()
        if not path.startswith(("/api/clients", "/api/contacts"))
    }
    assert "/api/engagements/{engagement_id}/change-requests" in ours
    assert len([op for ops in ours.values() for op in ops]) >= 35
    for path, operations in ours.items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "422"} <= declared, f"{method} {path}"
