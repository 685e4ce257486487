"""The firm's portal panels, included in pages other apps own (client and engagement pages)."""

from __future__ import annotations

from typing import Any

from django import template

from trustledger.clients.models import Client
from trustledger.portal.selectors import client_panel

register = template.Library()


@register.inclusion_tag("portal/partials/_client_panel.html", takes_context=True)
def client_portal_panel(context: template.Context, client: Client) -> dict[str, Any]:
    """The client page's "Portal" panel: on or off, contacts' last sign-ins, invitations."""
    from trustledger.workspaces.permissions import Action, can

    request = context.get("request")
    return {
        "client": client,
        "panel": client_panel(client),
        "can_edit": can(getattr(request, "membership", None), Action.MANAGE_CLIENTS, client),
        "csrf_token": context.get("csrf_token"),
    }
