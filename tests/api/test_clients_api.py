import pytest

from trustledger.clients.models import Client
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key, revoke_api_key


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def keys(personas):
    _, read = create_api_key(personas.workspace_a, name="r", scope=ApiKeyScope.READ, by=None)
    rw_key, rw = create_api_key(
        personas.workspace_a, name="rw", scope=ApiKeyScope.READ_WRITE, by=None
    )
    return {"read": read, "rw": rw, "rw_key": rw_key}


@pytest.mark.django_db
def test_listing_needs_authentication(client, personas):
    assert client.get("/api/clients").status_code == 401


@pytest.mark.django_db
def test_a_key_lists_its_own_workspace_with_pagination(client, personas, keys):
    data = client.get("/api/clients?limit=1", headers=bearer(keys["read"])).json()
    assert data["count"] == 2 and len(data["items"]) == 1
    names = {
        c["name"] for c in client.get("/api/clients", headers=bearer(keys["read"])).json()["items"]
    }
    assert names == {"Acme Secret Holdings", "Other Alpha Client"}


@pytest.mark.django_db
def test_filters_apply(client, personas, keys):
    url = f"/api/clients?account_manager={personas.amir.pk}&q=acme"
    items = client.get(url, headers=bearer(keys["read"])).json()["items"]
    assert [c["name"] for c in items] == ["Acme Secret Holdings"]


@pytest.mark.django_db
def test_a_bad_filter_value_is_a_422_naming_the_field(client, personas, keys):
    response = client.get("/api/clients?tier=platinum", headers=bearer(keys["read"]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "tier"


@pytest.mark.django_db
def test_a_read_only_key_cannot_write(client, personas, keys):
    response = client.post(
        "/api/clients",
        {"name": "Nope"},
        content_type="application/json",
        headers=bearer(keys["read"]),
    )
    assert response.status_code == 403
    assert not Client.objects.filter(name="Nope").exists()


@pytest.mark.django_db
def test_a_read_write_key_creates_a_client(client, personas, keys):
    response = client.post(
        "/api/clients",
        {"name": "Delta", "tier": "key", "account_manager_id": personas.amir.pk},
        content_type="application/json",
        headers=bearer(keys["rw"]),
    )
    assert response.status_code == 201, response.content
    assert response.json()["account_manager_id"] == personas.amir.pk
    assert Client.objects.get(name="Delta").workspace == personas.workspace_a


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "X", "tier": "gold"}, "tier"),
        ({"name": "X", "relationship_start": "yesterday"}, "relationship_start"),
        ({"name": "bad\u0000name"}, "name"),
    ],
)
def test_invalid_input_is_a_422_with_field_errors(client, personas, keys, payload, field):
    response = client.post(
        "/api/clients", payload, content_type="application/json", headers=bearer(keys["rw"])
    )
    assert response.status_code == 422
    assert field in response.json()["detail"][0]["loc"]


@pytest.mark.django_db
def test_breaking_a_rule_is_a_400_naming_the_field(client, personas, keys):
    response = client.post(
        "/api/clients",
        {"name": "acme secret holdings"},
        content_type="application/json",
        headers=bearer(keys["rw"]),
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    response = client.post(
        "/api/clients",
        {"name": "New", "account_manager_id": personas.charlie.pk},
        content_type="application/json",
        headers=bearer(keys["rw"]),
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_patch_changes_only_what_is_sent(client, personas, keys):
    url = f"/api/clients/{personas.client_a.pk}"
    response = client.patch(
        url, {"tier": "key"}, content_type="application/json", headers=bearer(keys["rw"])
    )
    assert response.status_code == 200
    personas.client_a.refresh_from_db()
    assert personas.client_a.tier == "key" and personas.client_a.name == "Acme Secret Holdings"


@pytest.mark.django_db
def test_another_workspaces_client_is_a_404(client, personas, keys):
    url = f"/api/clients/{personas.client_b.pk}"
    assert client.get(url, headers=bearer(keys["read"])).status_code == 404
    assert (
        client.patch(
            url, {"tier": "key"}, content_type="application/json", headers=bearer(keys["rw"])
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_revoked_key_is_refused(client, personas, keys):
    revoke_api_key(keys["rw_key"], by=None)
    assert client.get("/api/clients", headers=bearer(keys["rw"])).status_code == 401


@pytest.mark.django_db
def test_session_auth_respects_roles(client, personas):
    client.force_login(personas.sam)
    assert client.get("/api/clients").status_code == 200
    response = client.post("/api/clients", {"name": "Staff made"}, content_type="application/json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_contacts_are_created_listed_and_validated(client, personas, keys):
    url = f"/api/clients/{personas.client_a.pk}/contacts"
    bad = client.post(
        url,
        {"name": "Bo", "email": "bo-at-example"},
        content_type="application/json",
        headers=bearer(keys["rw"]),
    )
    assert bad.status_code == 422 and "email" in bad.json()["detail"][0]["loc"]
    ok = client.post(
        url,
        {"name": "Bo", "email": "Bo@Client.example", "is_primary": True},
        content_type="application/json",
        headers=bearer(keys["rw"]),
    )
    assert ok.status_code == 201 and ok.json()["email"] == "bo@client.example"
    listed = client.get(
        f"/api/contacts?client_id={personas.client_a.pk}", headers=bearer(keys["read"])
    )
    assert listed.json()["count"] == 2


@pytest.mark.django_db
def test_the_schema_and_docs_are_served_locally(client, db):
    schema = client.get("/api/openapi.json").json()
    assert "/api/clients" in schema["paths"]
    docs = client.get("/api/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/ninja/" in docs
