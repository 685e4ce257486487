import pytest
from django.utils import timezone

from trustledger.workspaces.models import ApiKey, ApiKeyScope, AuditEntry
from trustledger.workspaces.services import (
    authenticate_api_key,
    create_api_key,
    revoke_api_key,
)


@pytest.mark.django_db
def test_a_key_is_stored_only_as_a_hash_and_authenticates(personas):
    key, raw = create_api_key(
        personas.workspace_a, name="BI", scope=ApiKeyScope.READ, by=personas.alice
    )
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw not in (stored.key_hash, stored.prefix)
    assert raw.startswith(f"tl_{stored.prefix}_")
    assert authenticate_api_key(raw) == key
    assert authenticate_api_key(raw + "x") is None


@pytest.mark.django_db
def test_using_a_key_records_when_it_was_last_used(personas):
    key, raw = create_api_key(personas.workspace_a, name="BI", scope=ApiKeyScope.READ, by=None)
    before = timezone.now()
    authenticate_api_key(raw)
    key.refresh_from_db()
    assert key.last_used_at >= before


@pytest.mark.django_db
def test_a_revoked_key_no_longer_works_and_the_revocation_is_audited(personas):
    key, raw = create_api_key(personas.workspace_a, name="BI", scope=ApiKeyScope.READ, by=None)
    revoke_api_key(key, by=personas.alice)
    assert authenticate_api_key(raw) is None
    assert AuditEntry.objects.filter(action="api_key.revoked", object_id=str(key.pk)).exists()


@pytest.mark.django_db
def test_the_key_page_shows_a_new_key_once(client, personas):
    client.force_login(personas.alice)
    response = client.post("/settings/api-keys/", {"name": "Warehouse", "scope": "read"})
    body = response.content.decode()
    raw = body.split('id="new-key">')[1].split("<")[0]
    assert raw.startswith("tl_")
    assert raw not in client.get("/settings/api-keys/").content.decode()


@pytest.mark.django_db
def test_only_owners_manage_keys(client, personas):
    client.force_login(personas.amir)
    assert client.get("/settings/api-keys/").status_code == 403
    assert client.post("/settings/api-keys/", {"name": "x", "scope": "read"}).status_code == 403
