"""Authentication over real HTTP: a live server and the ``requests`` client, no shortcuts.

Django's test client skips CSRF, which hid that a read-write key could not write anything
(``403 CSRF check Failed``). Every write route of the OpenAPI document is tried, so a route added
later is covered without touching this file.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from tests.factories import PASSWORD
from trustledger.api.urls import api
from trustledger.clients.models import Client
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key, revoke_api_key

pytestmark = pytest.mark.django_db(transaction=True)

WRITE_METHODS = {"post", "put", "patch", "delete"}
NO_SUCH_ID = "999999999"  # every write route is tried on an object that does not exist


def write_routes() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        (method.upper(), re.sub(r"\{[^}]+\}", NO_SUCH_ID, path))
        for path, operations in paths.items()
        for method in operations
        if method in WRITE_METHODS
    )


WRITE_ROUTES = write_routes()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(personas: Any) -> dict[str, str]:
    _, read = create_api_key(personas.workspace_a, name="r", scope=ApiKeyScope.READ, by=None)
    _, rw = create_api_key(personas.workspace_a, name="rw", scope=ApiKeyScope.READ_WRITE, by=None)
    revoked_key, revoked = create_api_key(
        personas.workspace_a, name="old", scope=ApiKeyScope.READ_WRITE, by=None
    )
    revoke_api_key(revoked_key, by=None)
    return {"read": read, "rw": rw, "revoked": revoked}


def answers(base: str, headers: dict[str, str], session: Any = requests) -> list[tuple[Any, ...]]:
    """(method, path, status, JSON body) of every write route called with an empty JSON object."""
    results = []
    for method, path in WRITE_ROUTES:
        response = session.request(method, base + path, json={}, headers=headers, timeout=30)
        assert response.headers["Content-Type"].startswith("application/json"), (path, response)
        results.append((method, path, response.status_code, response.json()))
    return results


def test_every_write_route_is_found_in_the_document():
    assert len(WRITE_ROUTES) > 50
    assert ("POST", "/api/clients") in WRITE_ROUTES
    assert ("PATCH", f"/api/clients/{NO_SUCH_ID}") in WRITE_ROUTES


# Owner-only routes (members, keys, trust settings) refuse every key after authentication.
NOT_FOR_KEYS = {"detail": "API keys cannot manage the workspace."}


def test_a_read_write_key_passes_authentication_on_every_write_route(live_server, keys):
    refused = [
        r
        for r in answers(live_server.url, bearer(keys["rw"]))
        if r[2] == 401 or (r[2] == 403 and r[3] != NOT_FOR_KEYS)
    ]
    assert refused == []


def test_a_read_write_key_creates_and_updates_a_client_over_http(live_server, personas, keys):
    url = f"{live_server.url}/api/clients"
    created = requests.post(url, json={"name": "Delta"}, headers=bearer(keys["rw"]), timeout=30)
    assert created.status_code == 201, created.text
    client_url = f"{url}/{created.json()['id']}"
    patched = requests.patch(client_url, json={"tier": "key"}, headers=bearer(keys["rw"]))
    assert patched.status_code == 200, patched.text
    assert Client.objects.get(name="Delta").tier == "key"


def test_a_read_only_key_is_forbidden_on_every_write_route(live_server, keys):
    results = answers(live_server.url, bearer(keys["read"]))
    assert {r[2] for r in results} == {403}
    assert {r[3]["detail"] for r in results} == {"This API key is read-only."}


def test_a_read_only_key_still_reads(live_server, keys):
    response = requests.get(f"{live_server.url}/api/clients", headers=bearer(keys["read"]))
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer tl_nope_nope"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
    ids=["no credentials", "unknown key", "another scheme", "empty bearer"],
)
def test_no_or_bad_credentials_get_401_with_json_on_every_write_route(live_server, headers):
    results = answers(live_server.url, headers)
    assert {r[2] for r in results} == {401}
    assert all(isinstance(r[3]["detail"], str) for r in results)


def test_a_revoked_key_gets_401(live_server, keys):
    response = requests.post(
        f"{live_server.url}/api/clients", json={"name": "X"}, headers=bearer(keys["revoked"])
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "This API key is unknown or revoked."}


def signed_in(base: str, email: str) -> requests.Session:
    """A browser-like session: the login form, its CSRF cookie, the session cookie."""
    session = requests.Session()
    session.get(f"{base}/login/", timeout=30)
    login = session.post(
        f"{base}/login/",
        data={
            "username": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert login.status_code == 302, login.text[:500]
    return session


def test_a_session_write_without_the_csrf_token_is_forbidden(live_server, personas):
    session = signed_in(live_server.url, personas.alice.email)
    results = answers(live_server.url, {}, session)
    assert {r[2] for r in results} == {403}
    assert not Client.objects.filter(name="No token").exists()


def test_a_session_write_with_the_csrf_token_works(live_server, personas):
    session = signed_in(live_server.url, personas.alice.email)
    token = {"X-CSRFToken": session.cookies["csrftoken"]}
    refused = [r for r in answers(live_server.url, token, session) if r[2] in (401, 403)]
    assert refused == []
    created = session.post(
        f"{live_server.url}/api/clients", json={"name": "With token"}, headers=token, timeout=30
    )
    assert created.status_code == 201, created.text


def test_a_session_reads_without_a_csrf_token(live_server, personas):
    session = signed_in(live_server.url, personas.alice.email)
    assert session.get(f"{live_server.url}/api/clients", timeout=30).status_code == 200


def test_a_key_header_wins_over_a_session_and_needs_no_csrf_token(live_server, personas, keys):
    session = signed_in(live_server.url, personas.alice.email)
    created = session.post(
        f"{live_server.url}/api/clients", json={"name": "By key"}, headers=bearer(keys["rw"])
    )
    assert created.status_code == 201, created.text
    read_only = session.post(
        f"{live_server.url}/api/clients", json={"name": "Nope"}, headers=bearer(keys["read"])
    )
    assert read_only.status_code == 403


def test_a_staff_members_forbidden_write_is_a_json_403(live_server, personas):
    session = signed_in(live_server.url, personas.sam.email)
    response = session.post(
        f"{live_server.url}/api/clients",
        json={"name": "Staff client"},
        headers={"X-CSRFToken": session.cookies["csrftoken"]},
        timeout=30,
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this."}


def test_an_unknown_api_path_is_a_json_404(live_server, keys):
    response = requests.get(f"{live_server.url}/api/no-such-thing", headers=bearer(keys["rw"]))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
