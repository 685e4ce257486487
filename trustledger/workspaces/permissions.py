"""Who may do what: the one place that maps roles to actions.

Views call ``require(request, action)`` (or the ``role_required`` decorator); the API calls the
same ``can``. Object-level rules (an account manager edits only their own clients) live here too.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from trustledger.workspaces.models import Membership, Role

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


class Action(StrEnum):
    VIEW = "view"  # read the workspace's clients, engagements, trust pages
    LOG_WORK = "log_work"  # time, milestones, deliverables, quality issues, inquiries
    MANAGE_CLIENTS = "manage_clients"  # create clients; edit (account managers: their own)
    MANAGE_WORKSPACE = "manage_workspace"  # members, API keys, configuration
    OVERRIDE = "override"  # override a rule (e.g. activate without a signed charter)
    VIEW_FINANCIALS = "view_financials"  # margins, revenue, the analytics dashboard


_ALLOWED: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset(Role),
    Action.LOG_WORK: frozenset(Role),
    Action.MANAGE_CLIENTS: frozenset({Role.OWNER, Role.LEADER, Role.ACCOUNT_MANAGER}),
    Action.MANAGE_WORKSPACE: frozenset({Role.OWNER}),
    Action.OVERRIDE: frozenset({Role.OWNER, Role.LEADER}),
    Action.VIEW_FINANCIALS: frozenset({Role.OWNER, Role.LEADER}),
}


def can(membership: Membership | None, action: Action, obj: Any = None) -> bool:
    """Whether the member may perform ``action`` (on ``obj`` when given)."""
    if membership is None or membership.role not in _ALLOWED[action]:
        return False
    if obj is not None and getattr(obj, "workspace_id", membership.workspace_id) != (
        membership.workspace_id
    ):
        return False
    if action == Action.MANAGE_CLIENTS and membership.role == Role.ACCOUNT_MANAGER and obj:
        manager_id = getattr(obj, "account_manager_id", membership.user_id)
        return manager_id in (None, membership.user_id)
    return True


def require(request: HttpRequest, action: Action, obj: Any = None) -> None:
    if not can(getattr(request, "membership", None), action, obj):
        raise PermissionDenied("Your role does not allow this.")


def role_required[**P](
    action: Action,
) -> Callable[[Callable[P, HttpResponse]], Callable[P, HttpResponse]]:
    """View decorator: signed in, a member of the current workspace, and allowed ``action``."""

    def decorator(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            request: HttpRequest = args[0]  # type: ignore[assignment]
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            require(request, action)
            return view(*args, **kwargs)

        return wrapped

    return decorator
