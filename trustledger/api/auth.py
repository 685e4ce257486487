"""API authentication: a browser session or a workspace API key, both resolving to an ApiCaller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from trustledger.workspaces.models import ApiKeyScope, Membership, User, Workspace
from trustledger.workspaces.permissions import Action, can
from trustledger.workspaces.services import authenticate_api_key

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling: a member through their session, or an API key acting for the workspace."""

    workspace: Workspace
    user: User | None
    membership: Membership | None
    can_write: bool

    def require(self, action: Action, obj: Any = None) -> None:
        """Refuse with 403 unless the caller may do ``action``."""
        if self.membership is not None:
            if not can(self.membership, action, obj):
                raise HttpError(403, "Your role does not allow this.")
        elif not self.can_write and action != Action.VIEW:
            raise HttpError(403, "This API key is read-only.")
        elif action == Action.MANAGE_WORKSPACE:
            raise HttpError(403, "API keys cannot manage the workspace.")


class WorkspaceSessionAuth(SessionAuth):
    """The signed-in person's current workspace (CSRF-checked for writes, as Django does)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiCaller | None:
        membership: Membership | None = getattr(request, "membership", None)
        if membership is None or not request.user.is_authenticated:
            return None
        return ApiCaller(membership.workspace, membership.user, membership, can_write=True)


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer tl_…``; a read-only key cannot change anything."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiCaller | None:
        key = authenticate_api_key(token)
        if key is None:
            return None
        can_write = key.scope == ApiKeyScope.READ_WRITE
        if not can_write and request.method not in SAFE_METHODS:
            raise HttpError(403, "This API key is read-only.")
        return ApiCaller(key.workspace, None, None, can_write=can_write)


def caller(request: HttpRequest) -> ApiCaller:
    auth: ApiCaller = request.auth  # type: ignore[attr-defined]
    return auth
