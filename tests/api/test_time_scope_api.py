"""Imported time and scope in the API: what an engagement's hours count as, its unclassified
task names, and mapping them on the engagement or firm-wide."""

from decimal import Decimal

import pytest

from tests.api.test_engagements_api import Api, assert_refused, signed_in
from tests.engagements.factories import EngagementFactory, ScopeItemFactory, TimeEntryFactory
from trustledger.engagements.models import TaskMapping, TimeEntry
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagement(personas):
    engagement = EngagementFactory(client=personas.client_a, name="Finance Transformation")
    ScopeItemFactory(engagement=engagement, title="Discovery")
    return engagement


@pytest.fixture
def reader(client, personas):
    _, raw = create_api_key(personas.workspace_a, name="r", scope=ApiKeyScope.READ, by=None)
    return Api(client, raw)


def imported(engagement, task: str, hours: str = "2") -> TimeEntry:
    return TimeEntryFactory(
        engagement=engagement,
        task=task,
        hours=Decimal(hours),
        classification="unclassified",
        import_key=f"{engagement.pk}-{task}-{TimeEntry.objects.count()}",
    )


def test_the_time_scope_gives_hours_by_standing_and_the_unclassified_tasks(reader, engagement):
    imported(engagement, "Project Management", "3")
    TimeEntryFactory(engagement=engagement, hours=Decimal(1))  # on nothing agreed: creep
    TimeEntryFactory(engagement=engagement, scope_item=engagement.scope_items.get())

    body = reader.get(f"/engagements/{engagement.pk}/time-scope").json()

    hours = {k: Decimal(v) for k, v in body["hours"].items()}
    assert hours == {"approved": 8, "overhead": 0, "unapproved": 1, "unclassified": 3}
    (task,) = body["unclassified_tasks"]
    assert (task["task"], Decimal(task["hours"]), task["entries"]) == ("Project Management", 3, 1)


def test_time_entries_say_unclassified_and_are_not_scope_creep(reader, engagement):
    row = imported(engagement, "Project Management")
    creep = TimeEntryFactory(engagement=engagement)
    url = f"/engagements/{engagement.pk}/time-entries"

    items = {e["id"]: e for e in reader.get(url).json()["items"]}
    only = reader.get(url, standing="unclassified").json()["items"]
    creeping = reader.get(url, scope_creep="true").json()["items"]

    assert items[row.pk]["standing"] == "unclassified" and items[row.pk]["scope_creep"] is False
    assert items[row.pk]["task"] == "Project Management"
    assert [e["id"] for e in only] == [row.pk]
    assert [e["id"] for e in creeping] == [creep.pk]
    budget = reader.get(f"/engagements/{engagement.pk}").json()["budget"]
    assert Decimal(budget["unclassified_hours"]) == 2 and Decimal(budget["scope_creep_hours"]) == 8


def test_an_account_manager_maps_a_task_onto_a_scope_item(client, personas, engagement):
    row = imported(engagement, "Project Management")
    item = engagement.scope_items.get()
    amir = signed_in(client, personas.amir)

    response = amir.post(
        f"/engagements/{engagement.pk}/task-mappings",
        {"task": "project management", "target": "scope_item", "scope_item_id": item.pk},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["engagement_id"], body["counts_as"], body["applied_to"]) == (
        engagement.pk,
        "Discovery",
        1,
    )
    row.refresh_from_db()
    assert row.scope_item == item
    listed = amir.get(f"/engagements/{engagement.pk}/task-mappings").json()["items"]
    assert [m["id"] for m in listed] == [body["id"]]


def test_a_scope_item_of_another_engagement_is_refused_by_its_field(client, personas, engagement):
    other = ScopeItemFactory(engagement=EngagementFactory(client=personas.client_a))
    amir = signed_in(client, personas.amir)

    response = amir.post(
        f"/engagements/{engagement.pk}/task-mappings",
        {"task": "Design", "target": "scope_item", "scope_item_id": other.pk},
    )

    assert_refused(response, "scope_item_id")


def test_a_scope_item_target_without_a_scope_item_is_refused(client, personas, engagement):
    amir = signed_in(client, personas.amir)

    response = amir.post(
        f"/engagements/{engagement.pk}/task-mappings", {"task": "Design", "target": "scope_item"}
    )

    assert_refused(response, "scope_item_id")


def test_firm_wide_mappings_are_for_owners_and_leaders(client, personas, engagement):
    row = imported(engagement, "Internal")
    body = {"task": "Internal", "target": "overhead"}

    refused = signed_in(client, personas.amir).post("/task-mappings", body)
    saved = signed_in(client, personas.alice).post("/task-mappings", body)

    assert refused.status_code == 403
    assert saved.status_code == 200 and saved.json()["engagement_id"] is None
    row.refresh_from_db()
    assert row.classification == "overhead"
    assert [m["task"] for m in Api(client).get("/task-mappings").json()["items"]] == ["Internal"]


def test_a_firm_wide_mapping_names_no_scope_item(client, personas, engagement):
    alice = signed_in(client, personas.alice)
    item = engagement.scope_items.get()

    response = alice.post(
        "/task-mappings", {"task": "Design", "target": "scope_item", "scope_item_id": item.pk}
    )

    assert_refused(response, "scope_item_id")
    assert_refused(
        alice.post("/task-mappings", {"task": "Design", "target": "scope_item"}), "target"
    )


def test_a_read_only_key_cannot_map_a_task(reader, engagement):
    response = reader.post(
        f"/engagements/{engagement.pk}/task-mappings", {"task": "X", "target": "overhead"}
    )

    assert response.status_code == 403
    assert not TaskMapping.objects.exists()


def test_deleting_a_mapping_leaves_its_rows_unclassified(client, personas, engagement):
    row = imported(engagement, "Internal")
    alice = signed_in(client, personas.alice)
    mapping = alice.post("/task-mappings", {"task": "Internal", "target": "unapproved"}).json()

    response = client.delete(f"/api/task-mappings/{mapping['id']}")

    assert response.status_code == 204
    row.refresh_from_db()
    assert row.classification == "unclassified"


def test_unclassified_tasks_across_the_workspace(reader, personas, engagement):
    imported(engagement, "Internal", "2")
    imported(EngagementFactory(client=personas.other_client_a), "internal", "1")
    imported(EngagementFactory(client=personas.client_b), "Internal", "9")  # another firm's

    (task,) = reader.get("/unclassified-tasks").json()

    assert (Decimal(task["hours"]), task["engagements"], task["entries"]) == (3, 2, 2)
