"""The charter's roles through the API: listed by everyone, added and removed by whoever manages
the client, audited; another workspace's engagement or role is a 404."""

import pytest

from tests.api.keyring import field_named, send
from tests.engagements.factories import EngagementFactory
from trustledger.engagements.models import Responsibility
from trustledger.workspaces.models import AuditEntry


@pytest.fixture
def engagement(personas):
    return EngagementFactory(client=personas.client_a)


@pytest.mark.django_db
def test_roles_are_added_listed_and_removed(client, personas, write_key, engagement):
    url = f"/api/engagements/{engagement.pk}/charter-roles"
    body = {"side": "client", "person": "Ada Contact", "role": "Sponsor"}
    added = send(client, "POST", url, body, key=write_key)
    assert added.status_code == 201 and added.json()["side"] == "client"
    listed = send(client, "GET", url, key=write_key).json()
    assert [(r["person"], r["role"]) for r in listed["items"]] == [("Ada Contact", "Sponsor")]
    role_id = added.json()["id"]
    assert send(client, "DELETE", f"/api/charter-roles/{role_id}", key=write_key).status_code == 204
    assert not Responsibility.objects.exists()
    assert {"responsibility.added", "responsibility.removed"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_a_role_needs_a_side_and_a_person(client, personas, write_key, engagement):
    url = f"/api/engagements/{engagement.pk}/charter-roles"
    no_side = send(client, "POST", url, {"side": "both", "person": "X"}, key=write_key)
    assert no_side.status_code == 422 and field_named(no_side, "side")
    no_person = send(client, "POST", url, {"side": "firm", "person": "  "}, key=write_key)
    assert no_person.status_code == 422 and field_named(no_person, "person")


@pytest.mark.django_db
def test_roles_are_changed_by_those_who_manage_the_client(client, personas, read_key, engagement):
    url = f"/api/engagements/{engagement.pk}/charter-roles"
    body = {"side": "firm", "person": "Sam Staff", "role": "Analyst"}
    assert send(client, "POST", url, body, key=read_key).status_code == 403
    client.force_login(personas.sam)
    assert send(client, "POST", url, body).status_code == 403
    role = Responsibility.objects.create(
        workspace=personas.workspace_a, engagement=engagement, side="firm", person="P", role="R"
    )
    assert send(client, "DELETE", f"/api/charter-roles/{role.pk}").status_code == 403
    client.force_login(personas.amir)
    assert send(client, "POST", url, body).status_code == 201


@pytest.mark.django_db
def test_another_workspaces_engagement_and_roles_are_404(client, personas, engagement):
    role = Responsibility.objects.create(
        workspace=personas.workspace_a, engagement=engagement, side="firm", person="P", role="R"
    )
    client.force_login(personas.charlie)
    url = f"/api/engagements/{engagement.pk}/charter-roles"
    assert send(client, "GET", url).status_code == 404
    assert send(client, "POST", url, {"side": "firm", "person": "X"}).status_code == 404
    assert send(client, "DELETE", f"/api/charter-roles/{role.pk}").status_code == 404
    assert Responsibility.objects.filter(pk=role.pk).exists()
