"""Members, API keys and the audit log through the API: owners only (signed in), like the
settings pages; the last owner stays."""

import datetime as dt

import pytest

from tests.api.keyring import bearer, field_named, send
from tests.smtp import delivered
from trustledger.cli import main
from trustledger.workspaces.models import ApiKey, AuditEntry, Membership, Role


@pytest.mark.django_db
def test_everyone_lists_the_members_of_their_own_workspace_only(client, personas, read_key):
    listed = send(client, "GET", "/api/members", key=read_key).json()
    assert {m["email"] for m in listed["items"]} == {
        personas.alice.email,
        personas.amir.email,
        personas.sam.email,
    }


@pytest.mark.django_db
def test_an_owner_invites_a_person_who_gets_the_set_password_email(client, personas):
    client.force_login(personas.alice)
    body = {"email": "New@Firm.example", "full_name": "Nia New", "role": "leader"}
    response = send(client, "POST", "/api/members", body)
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "leader" and response.json()["email"] == "new@firm.example"
    assert Membership.objects.get(user__email="new@firm.example").role == Role.LEADER
    assert delivered()[0].to == ["new@firm.example"]


@pytest.mark.django_db
def test_inviting_needs_an_owner_and_a_valid_address(client, personas, write_key):
    body = {"email": "x@firm.example", "role": "owner"}
    assert send(client, "POST", "/api/members", body, key=write_key).status_code == 403
    client.force_login(personas.amir)
    assert send(client, "POST", "/api/members", body).status_code == 403
    client.force_login(personas.alice)
    bad = send(client, "POST", "/api/members", {"email": "not an address"})
    assert bad.status_code == 422 and field_named(bad, "email")
    bad_role = send(client, "POST", "/api/members", {"email": "a@b.example", "role": "king"})
    assert bad_role.status_code == 422 and field_named(bad_role, "role")
    assert not Membership.objects.filter(user__email="x@firm.example").exists()


@pytest.mark.django_db
def test_an_owner_changes_a_role_and_it_is_audited(client, personas):
    client.force_login(personas.alice)
    response = send(client, "PATCH", f"/api/members/{personas.sam.pk}", {"role": "leader"})
    assert response.status_code == 200 and response.json()["role"] == "leader"
    entry = AuditEntry.objects.get(action="membership.role_changed")
    assert entry.changes == {"role": ["staff", "leader"]}


@pytest.mark.django_db
def test_the_last_owner_can_neither_be_demoted_nor_removed(client, personas):
    client.force_login(personas.alice)
    url = f"/api/members/{personas.alice.pk}"
    demoted = send(client, "PATCH", url, {"role": "staff"})
    assert demoted.status_code == 400 and field_named(demoted, "role")
    assert send(client, "DELETE", url).status_code == 400
    assert Membership.objects.get(user=personas.alice).role == Role.OWNER


@pytest.mark.django_db
def test_an_owner_removes_a_member_and_a_second_owner_may_leave(client, personas):
    client.force_login(personas.alice)
    assert send(client, "DELETE", f"/api/members/{personas.sam.pk}").status_code == 204
    assert not Membership.objects.filter(user=personas.sam).exists()
    assert AuditEntry.objects.filter(action="membership.removed").exists()
    send(client, "PATCH", f"/api/members/{personas.amir.pk}", {"role": "owner"})
    assert send(client, "DELETE", f"/api/members/{personas.alice.pk}").status_code == 204


@pytest.mark.django_db
def test_members_are_managed_by_owners_only_and_never_across_workspaces(
    client, personas, write_key
):
    url = f"/api/members/{personas.sam.pk}"
    assert send(client, "PATCH", url, {"role": "owner"}, key=write_key).status_code == 403
    client.force_login(personas.amir)
    assert send(client, "PATCH", url, {"role": "owner"}).status_code == 403
    assert send(client, "DELETE", url).status_code == 403
    client.force_login(personas.charlie)
    assert send(client, "PATCH", url, {"role": "owner"}).status_code == 404
    assert send(client, "DELETE", url).status_code == 404
    assert Membership.objects.get(user=personas.sam).role == Role.STAFF
    client.force_login(personas.alice)
    bad = send(client, "PATCH", url, {"role": "emperor"})
    assert bad.status_code == 422 and field_named(bad, "role")


@pytest.mark.django_db
def test_an_owner_creates_a_key_shown_once_that_then_works(client, personas):
    client.force_login(personas.alice)
    response = send(client, "POST", "/api/api-keys", {"name": "BI", "scope": "read_write"})
    assert response.status_code == 201
    raw = response.json()["key"]
    client.logout()
    assert client.get("/api/clients", headers=bearer(raw)).status_code == 200
    client.force_login(personas.alice)
    listed = send(client, "GET", "/api/api-keys").json()["items"]
    assert [k["name"] for k in listed] == ["BI"] and "key" not in listed[0]


@pytest.mark.django_db
def test_a_revoked_key_stops_working(client, personas, read_key):
    key = ApiKey.objects.get(name="read")
    client.force_login(personas.alice)
    response = send(client, "POST", f"/api/api-keys/{key.pk}/revoke")
    assert response.status_code == 200 and response.json()["revoked_at"]
    client.logout()
    assert client.get("/api/clients", headers=bearer(read_key)).status_code in (401, 403)


@pytest.mark.django_db
def test_keys_are_an_owners_business(client, personas, read_key, write_key):
    key = ApiKey.objects.get(name="read")
    assert send(client, "GET", "/api/api-keys", key=read_key).status_code == 403
    assert send(client, "POST", "/api/api-keys", {"name": "x"}, key=write_key).status_code == 403
    client.force_login(personas.amir)
    assert send(client, "POST", "/api/api-keys", {"name": "x"}).status_code == 403
    assert send(client, "POST", f"/api/api-keys/{key.pk}/revoke").status_code == 403
    client.force_login(personas.charlie)
    assert send(client, "POST", f"/api/api-keys/{key.pk}/revoke").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    client.force_login(personas.alice)
    bad = send(client, "POST", "/api/api-keys", {"name": " ", "scope": "everything"})
    assert bad.status_code == 422 and field_named(bad, "name") and field_named(bad, "scope")


@pytest.mark.django_db
def test_the_audit_log_is_filtered_by_object_and_date(client, personas):
    client.force_login(personas.alice)
    send(client, "PATCH", f"/api/members/{personas.sam.pk}", {"role": "leader"})
    send(client, "POST", "/api/api-keys", {"name": "BI"})
    everything = send(client, "GET", "/api/audit-log").json()
    assert {"membership.role_changed", "api_key.created"} <= {
        e["action"] for e in everything["items"]
    }
    keys = send(client, "GET", "/api/audit-log?object_type=workspaces.apikey").json()
    assert [e["action"] for e in keys["items"]] == ["api_key.created"]
    today = dt.date.today()
    later = send(client, "GET", f"/api/audit-log?since={today + dt.timedelta(days=2)}").json()
    assert later["count"] == 0
    until = send(client, "GET", f"/api/audit-log?until={today + dt.timedelta(days=1)}").json()
    assert until["count"] == everything["count"]
    bad = send(client, "GET", "/api/audit-log?since=yesterday")
    assert bad.status_code == 422 and field_named(bad, "since")


@pytest.mark.django_db
def test_the_audit_log_is_for_owners_and_their_workspace(client, personas, read_key):
    AuditEntry.objects.create(workspace=personas.workspace_b, action="secret.thing")
    assert send(client, "GET", "/api/audit-log", key=read_key).status_code == 403
    client.force_login(personas.amir)
    assert send(client, "GET", "/api/audit-log").status_code == 403
    client.force_login(personas.alice)
    actions = {e["action"] for e in send(client, "GET", "/api/audit-log").json()["items"]}
    assert "secret.thing" not in actions


@pytest.mark.django_db
def test_the_cli_prints_a_key_that_authenticates_with_its_scope(client, personas, capsys):
    slug = personas.workspace_a.slug
    assert main(["apikey", "create", "--scope", "read", "--workspace", slug]) == 0
    raw = capsys.readouterr().out.strip()
    assert client.get("/api/clients", headers=bearer(raw)).status_code == 200
    refused = send(client, "POST", "/api/clients", {"name": "Nope"}, key=raw)
    assert refused.status_code == 403
    args = ["apikey", "create", "--scope", "read-write", "--name", "CI", "--workspace", slug]
    assert main(args) == 0
    raw = capsys.readouterr().out.strip()
    created = send(client, "POST", "/api/clients", {"name": "Made by CI"}, key=raw)
    assert created.status_code == 201
    assert ApiKey.objects.get(name="CI").workspace == personas.workspace_a


@pytest.mark.django_db
def test_the_cli_asks_which_workspace_when_there_are_several(personas, capsys):
    assert main(["apikey", "create", "--scope", "read"]) == 2
    assert "--workspace" in capsys.readouterr().err
