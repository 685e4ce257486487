from typing import Any

from django.http import HttpRequest

from trustledger.workspaces.permissions import Action, can


def workspace(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": membership,
        "can_manage_workspace": can(membership, Action.MANAGE_WORKSPACE),
        "can_manage_clients": can(membership, Action.MANAGE_CLIENTS),
        "can_view_financials": can(membership, Action.VIEW_FINANCIALS),
    }
