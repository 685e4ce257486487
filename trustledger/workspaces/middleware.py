"""Attach the signed-in person's current workspace and membership to every request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from trustledger.workspaces.selectors import current_membership

SESSION_KEY = "workspace_id"


class CurrentWorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if request.user.is_authenticated:
            membership = current_membership(request.user, request.session.get(SESSION_KEY))
        request.membership = membership  # type: ignore[attr-defined]
        request.workspace = membership.workspace if membership else None  # type: ignore[attr-defined]
        return self.get_response(request)
