"""One pass over every API operation that makes the contract hold for routes written later too.

``harden(api)`` runs once, after every app has registered its router. For each operation it
- bounds the integer parameters and body fields that have no bound of their own to the range a
  database integer holds, so ``?account_manager=9223372036854775808`` is a 422 naming the
  parameter instead of a database error (500);
- refuses query parameters the operation does not declare (``?search=Alder`` was silently
  ignored and returned every client), with a 422 naming each one, after authentication, and a
  body that is not a JSON object where the route takes one;
- answers a method a path does not serve with a JSON 405 (ninja's is plain text);
- documents the error responses every operation can give (401 and 403 from authentication, 404,
  400 and 422 from validation, 500), so the OpenAPI document lists every status the API returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from types import UnionType
from typing import Any, Union, get_args, get_origin

import annotated_types
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.operation import Operation, PathView
from pydantic import BaseModel

from trustledger.api.errors import ERRORS, ErrorOut

DB_INT_MIN, DB_INT_MAX = -(2**63), 2**63 - 1


def path_views(api: NinjaAPI) -> Iterator[PathView]:
    """Every path the API serves (the bound copies that answer requests)."""
    for bound_router in api._get_bound_routers():
        yield from bound_router.path_operations.values()


def operations(api: NinjaAPI) -> Iterator[Operation]:
    for path_view in path_views(api):
        yield from path_view.operations


def harden(api: NinjaAPI) -> None:
    for path_view in path_views(api):
        _answer_405_in_json(path_view)
    bounded: dict[type[BaseModel], bool] = {}
    for operation in operations(api):
        for model in operation.models:
            _bound_integers(model, bounded)
        _check_request_shape(operation)
        _document_errors(operation)


def _bound_integers(model: type[BaseModel], bounded: dict[type[BaseModel], bool]) -> bool:
    """Give every unbounded int field (nested models included) the database integer range.

    Returns whether the model changed; a model embedding a changed one is rebuilt too.
    """
    if model in bounded:
        return bounded[model]
    bounded[model] = False
    changed = False
    for field in model.model_fields.values():
        for nested in _models_in(field.annotation):
            changed |= _bound_integers(nested, bounded)
        if not _is_integer(field.annotation):
            continue
        kinds = {type(m) for m in field.metadata}
        if not kinds & {annotated_types.Ge, annotated_types.Gt, annotated_types.Interval}:
            field.metadata.append(annotated_types.Ge(DB_INT_MIN))
            changed = True
        if not kinds & {annotated_types.Le, annotated_types.Lt, annotated_types.Interval}:
            field.metadata.append(annotated_types.Le(DB_INT_MAX))
            changed = True
    if changed:
        model.model_rebuild(force=True)
    bounded[model] = changed
    return changed


def _is_integer(annotation: Any) -> bool:
    """``int`` or ``int | None`` (not ``bool``; not ``list[int]``, whose items stay as they are)."""
    if get_origin(annotation) in (Union, UnionType):
        members = set(get_args(annotation))
        return int in members and members <= {int, type(None)}
    return annotation is int


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _query_names(operation: Operation) -> set[str]:
    names: set[str] = set()
    for model in operation.models:
        if model.__ninja_param_source__ != "query":
            continue
        flatten_map = getattr(model, "__ninja_flatten_map__", None)
        if flatten_map:
            names.update(flatten_map)
        else:
            names.update(f.alias or name for name, f in model.model_fields.items())
    return names


def _takes_object_body(operation: Operation) -> bool:
    for model in operation.models:
        if model.__ninja_param_source__ == "body":
            for field in model.model_fields.values():
                if any(True for _ in _models_in(field.annotation)):
                    return True
    return False


def _body_is_not_an_object(request: HttpRequest) -> bool:
    """A JSON body that parses to something other than an object (ninja's schemas would read a
    list's missing attributes as unset fields: ``[null, null]`` was a 200 that did nothing)."""
    try:
        return not isinstance(json.loads(request.body or b"{}"), dict)
    except ValueError:
        return False  # not JSON at all: ninja answers that itself


def _check_request_shape(operation: Operation) -> None:
    """After ninja's checks (authentication), refuse what the route's schemas would not see: query
    parameters it does not declare, and a body that is not a JSON object. Both are a 422."""
    known = _query_names(operation)
    object_body = _takes_object_body(operation)
    checks: Callable[[HttpRequest], HttpResponse | None] = operation._run_checks

    def run_checks(request: HttpRequest) -> HttpResponse | None:
        refused = checks(request)
        if refused is not None:
            return refused
        errors = [
            {"loc": ["query", name], "msg": "Unknown query parameter.", "type": "extra_forbidden"}
            for name in sorted(set(request.GET) - known)
        ]
        if object_body and _body_is_not_an_object(request):
            errors.append({"loc": ["body"], "msg": "Send a JSON object.", "type": "dict_type"})
        if not errors:
            return None
        return operation.api.on_exception(request, ValidationError(errors))

    operation._run_checks = run_checks  # type: ignore[method-assign]


def _answer_405_in_json(path_view: PathView) -> None:
    """ninja answers a method the path does not serve in plain text: keep its Allow header."""
    not_allowed = path_view._not_allowed

    def json_not_allowed() -> HttpResponse:
        response = JsonResponse({"detail": "Method not allowed."}, status=405)
        response["Allow"] = not_allowed()["Allow"]
        return response

    path_view._not_allowed = json_not_allowed  # type: ignore[method-assign]


def _document_errors(operation: Operation) -> None:
    models = operation.response_models
    for status in (*ERRORS, 500):
        if status not in models:
            models[status] = operation._create_response_model(ErrorOut)
