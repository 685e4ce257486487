"""API authentication: a browser session or a workspace API key, both resolving to an ApiCaller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

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


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer tl_…``; a read-only key cannot change anything.

    Listed first: a request that sends an ``Authorization`` header is judged by it alone (a bad
    or unknown credential is a 401, never a fall-back to the session), and never asks for a CSRF
    token, because a browser never adds that header by itself.
    """

    def __call__(self, request: HttpRequest) -> ApiCaller | None:
        if self.header not in request.headers:
            return None  # no header: the session decides
        scheme, _, token = request.headers[self.header].partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise AuthenticationError(401, "Send the API key as `Authorization: Bearer <key>`.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiCaller:
        key = authenticate_api_key(token)
        if key is None:
            raise AuthenticationError(401, "This API key is unknown or revoked.")
        can_write = key.scope == ApiKeyScope.READ_WRITE
        if not can_write and request.method not in SAFE_METHODS:
            raise AuthorizationError(403, "This API key is read-only.")
        return ApiCaller(key.workspace, None, None, can_write=can_write)


class WorkspaceSessionAuth(SessionAuth):
    """The signed-in person's current workspace; a write must carry Django's CSRF token.

    ninja's cookie auth checks CSRF before it knows whether anyone is signed in, so a request
    without credentials got "CSRF check Failed" (403) instead of 401: here the session is looked
    at first, and the CSRF check (403) only applies to a signed-in member.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)  # CSRF waits until a member is known

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiCaller | None:
        membership: Membership | None = getattr(request, "membership", None)
        if membership is None or not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise AuthorizationError(403, "CSRF check failed: send the X-CSRFToken header.")
        return ApiCaller(membership.workspace, membership.user, membership, can_write=True)


def caller(request: HttpRequest) -> ApiCaller:
    auth: ApiCaller = request.auth  # type: ignore[attr-defined]
    return auth
