"""The API's contract: the OpenAPI document names each schema once and lists every status a route
answers; malformed input is a 422 naming the field; errors are JSON; lists cost a bounded number
of queries. Tests walk the document or the operations, so routes added later are held to it too.
"""

from __future__ import annotations

import enum
import json
import logging
from collections import defaultdict
from typing import Any, get_args

import pytest
from django.core.exceptions import PermissionDenied
from pydantic import BaseModel

from tests.communications.factories import InteractionFactory
from tests.engagements.factories import EngagementFactory, MilestoneFactory
from tests.factories import ClientFactory, ContactFactory
from tests.relationships.factories import BusinessReviewFactory
from trustledger.api.contract import operations
from trustledger.api.urls import api
from trustledger.clients import selectors as client_selectors
from trustledger.clients.models import Client
from trustledger.workspaces.models import ApiKeyScope
from trustledger.workspaces.services import create_api_key

TOO_BIG = "9223372036854775808"  # 2**63: past any database integer


@pytest.fixture
def rw(client, personas):
    _, key = create_api_key(personas.workspace_a, name="rw", scope=ApiKeyScope.READ_WRITE, by=None)
    return {"Authorization": f"Bearer {key}"}


def document() -> dict[str, Any]:
    return api.get_openapi_schema()


def named_types(annotation: Any, found: set[type]) -> None:
    """The schema classes and enums an annotation refers to, nested ones included."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        if annotation in found:
            return
        found.add(annotation)
        if issubclass(annotation, BaseModel):
            for field in annotation.model_fields.values():
                named_types(field.annotation, found)
        return
    for arg in get_args(annotation):
        named_types(arg, found)


def test_no_two_schema_classes_share_a_name():
    """Same-named classes overwrite each other in the document's components (issue 15)."""
    found: set[type] = set()
    for operation in operations(api):
        for model in [*operation.models, *operation.response_models.values()]:
            if isinstance(model, type):
                named_types(model, found)
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in found:
        if cls.__module__.startswith("trustledger."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert len(by_name) > 100
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_the_uniqueness_check_sees_a_clash():
    """The walk above would catch two apps' ``PlanIn``: it sees classes of every app."""
    found: set[type] = set()
    for operation in operations(api):
        for model in operation.models:
            named_types(model, found)
    names = {cls.__name__ for cls in found}
    assert {"CommunicationPlanIn", "RecoveryPlanIn", "ClientPatch"} <= names


def test_every_operation_documents_its_error_responses():
    undocumented = [
        (method, path, sorted({400, 401, 403, 404, 422, 500} - set(op["responses"])))
        for path, ops in document()["paths"].items()
        for method, op in ops.items()
        if not {400, 401, 403, 404, 422, 500} <= set(op["responses"])
    ]
    assert undocumented == []


def list_routes() -> list[str]:
    return [
        path
        for path, ops in document()["paths"].items()
        if "get" in ops
        and "{" not in path
        and any(p["name"] == "offset" for p in ops["get"].get("parameters", []))
    ]


@pytest.mark.django_db
def test_an_out_of_range_offset_is_a_422_on_every_list_route(client, personas, rw):
    routes = list_routes()
    assert len(routes) >= 12
    for path in routes:
        response = client.get(f"{path}?offset={TOO_BIG}", headers=rw)
        assert response.status_code == 422, (path, response.content)
        assert ["query", "offset"] in [e["loc"] for e in response.json()["detail"]], path


@pytest.mark.django_db
@pytest.mark.parametrize("value", [TOO_BIG, "-" + TOO_BIG + "1"])
def test_an_out_of_range_id_filter_or_path_id_is_a_422_naming_it(client, personas, rw, value):
    response = client.get(f"/api/clients?account_manager={value}", headers=rw)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "account_manager"]
    response = client.get(f"/api/clients/{value}", headers=rw)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "client_id"]


@pytest.mark.django_db
def test_an_unknown_query_parameter_is_a_422_naming_it(client, personas, rw):
    response = client.get("/api/clients?search=Alder&q=acme", headers=rw)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["query", "search"], "msg": "Unknown query parameter.", "type": "extra_forbidden"}
    ]
    on_a_detail = client.get(f"/api/clients/{personas.client_a.pk}?expand=all", headers=rw)
    assert on_a_detail.status_code == 422
    assert client.get("/api/clients?q=acme&limit=1&offset=0", headers=rw).status_code == 200


@pytest.mark.django_db
def test_an_unknown_query_parameter_does_not_hide_a_missing_key(client, personas):
    assert client.get("/api/clients?search=Alder").status_code == 401


def patch(client, url, body, headers):
    return client.patch(url, body, content_type="application/json", headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "tier", "industry", "status", "relationship_start"])
def test_null_on_a_required_client_field_is_a_422_naming_it(client, personas, rw, field):
    url = f"/api/clients/{personas.client_a.pk}"
    response = patch(client, url, {field: None}, rw)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field
    assert Client.objects.get(pk=personas.client_a.pk).name == "Acme Secret Holdings"


@pytest.mark.django_db
def test_null_clears_a_clearable_client_field(client, personas, rw):
    url = f"/api/clients/{personas.client_a.pk}"
    response = patch(client, url, {"account_manager_id": None}, rw)
    assert response.status_code == 200, response.content
    assert response.json()["account_manager_id"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "is_primary", "email", "role", "survey_opt_out"])
def test_null_on_a_contact_field_is_a_422_naming_it(client, personas, rw, field):
    response = patch(client, f"/api/contacts/{personas.contact_a.pk}", {field: None}, rw)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field"),
    [("engagements/{e}", "type"), ("engagements/{e}", "name"), ("milestones/{m}", "status")],
)
def test_null_on_a_required_engagement_field_is_a_422(client, personas, rw, path, field):
    engagement = EngagementFactory(client=personas.client_a)
    milestone = MilestoneFactory(engagement=engagement)
    url = "/api/" + path.format(e=engagement.pk, m=milestone.pk)
    response = patch(client, url, {field: None}, rw)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field


@pytest.mark.django_db
@pytest.mark.parametrize("body", [[None, None], [], "name", 3, None])
def test_a_body_that_is_not_an_object_is_a_422(client, personas, rw, body):
    response = patch(client, f"/api/clients/{personas.client_a.pk}", json.dumps(body), rw)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body"]


@pytest.mark.django_db
def test_a_goal_without_a_status_takes_the_default(client, personas, rw):
    review = BusinessReviewFactory(client=personas.client_a)
    url = f"/api/business-reviews/{review.pk}"
    response = patch(client, url, {"goals": [{"text": "x"}]}, rw)
    assert response.status_code == 200, response.content
    assert response.json()["goals"] == [{"text": "x", "status": "on_track"}]


@pytest.mark.django_db
def test_a_method_a_path_does_not_serve_is_a_json_405(client, personas, rw):
    response = client.put("/api/clients", {}, content_type="application/json", headers=rw)
    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed."}
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


@pytest.mark.django_db
def test_an_unexpected_error_is_a_logged_json_500(client, personas, rw, monkeypatch, caplog):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(client_selectors, "list_clients", broken)
    with caplog.at_level(logging.ERROR, logger="trustledger.api"):
        response = client.get("/api/clients", headers=rw)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json() and "a bug" not in response.json()["detail"]
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.django_db
def test_djangos_permission_denied_is_a_json_403(client, personas, rw, monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionDenied("Your role does not allow this.")

    monkeypatch.setattr(client_selectors, "list_clients", refuse)
    response = client.get("/api/clients", headers=rw)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this."}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/api/clients", 4),
        ("/api/contacts", 4),
        ("/api/engagements", 6),
        ("/api/interactions", 6),
        ("/api/business-reviews", 6),
    ],
)
def test_a_list_costs_a_bounded_number_of_queries(
    client, personas, rw, django_assert_max_num_queries, path, budget
):
    for _ in range(20):
        other = ClientFactory(workspace=personas.workspace_a)
        ContactFactory(client=other)
        EngagementFactory(client=other)
        InteractionFactory(client=other)
        BusinessReviewFactory(client=other)
    with django_assert_max_num_queries(budget + 2):  # + the key lookup and its last-used stamp
        response = client.get(f"{path}?limit=100", headers=rw)
    assert response.status_code == 200
    assert response.json()["count"] >= 20
