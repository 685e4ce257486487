"""Keys and helpers the API coverage tests share: a read-only and a read-write key of
workspace A, and JSON requests with either a key or the signed-in session."""

from __future__ import annotations

import json
from typing import Any

import pytest

from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key


@pytest.fixture
def read_key(personas: Any) -> str:
    return create_api_key(personas.workspace_a, name="read", scope=ApiKeyScope.READ, by=None)[1]


@pytest.fixture
def write_key(personas: Any) -> str:
    scope = ApiKeyScope.READ_WRITE
    return create_api_key(personas.workspace_a, name="write", scope=scope, by=None)[1]


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def send(client: Any, method: str, url: str, body: Any = None, key: str | None = None) -> Any:
    """``method`` ``url`` with a JSON ``body``, as ``key`` (or the session when None)."""
    headers = bearer(key) if key else {}
    data = json.dumps(body) if body is not None else None
    call = getattr(client, method.lower())
    if data is None:
        return call(url, headers=headers)
    return call(url, data, content_type="application/json", headers=headers)


def field_named(response: Any, field: str) -> bool:
    """A 422 (or 400) whose detail names ``field`` in some error's location."""
    detail = response.json()["detail"]
    return isinstance(detail, list) and any(field in item["loc"] for item in detail)
