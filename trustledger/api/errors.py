"""Error shapes shared by every route, so clients handle one format.

Ninja's own validation errors are ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`` with
status 422; domain refusals use the same shape with status 400.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

from trustledger.workspaces.models import User, Workspace
from trustledger.workspaces.services import DomainError


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    detail: list[ErrorItem] | str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def ok(schema: Any) -> dict[int, Any]:
    """The responses of a route that answers ``schema`` with 200, or one of the errors."""
    return {200: schema, **ERRORS}


def created(schema: Any) -> dict[int, Any]:
    """The responses of a route that creates ``schema`` (201), or one of the errors."""
    return {201: schema, **ERRORS}


def workspace_member(workspace: Workspace, pk: int | None, field: str) -> User | None:
    """The member of ``workspace`` with id ``pk`` (None for None); another id is a field error."""
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, memberships__workspace=workspace).first()
    if user is None:
        raise DomainError("No member of this workspace has this id.", field=field)
    return user
