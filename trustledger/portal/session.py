"""The portal session: apart from the firm's Django sign-in, held in a few session keys.

A contact is never a ``User``; the session holds their contact id and workspace id, and expires
after an idle hour or twelve hours in all, whichever comes first. Every request re-checks that
the client still has the portal on and the contact may still sign in, so switching the portal
off ends every session at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from trustledger.clients.models import Contact
from trustledger.portal import services
from trustledger.portal.selectors import PortalUser

CONTACT = "portal_contact_id"
WORKSPACE = "portal_workspace_id"
STARTED = "portal_started_at"
SEEN = "portal_seen_at"
KEYS = (CONTACT, WORKSPACE, STARTED, SEEN)
IDLE_SECONDS = 60 * 60
ABSOLUTE_SECONDS = 12 * 60 * 60


def sign_in(request: HttpRequest, contact: Contact) -> None:
    request.session.cycle_key()  # a new session id: nobody can plant one beforehand
    now = time.time()
    request.session[CONTACT] = contact.pk
    request.session[WORKSPACE] = contact.workspace_id
    request.session[STARTED] = now
    request.session[SEEN] = now


def sign_out(request: HttpRequest) -> None:
    """Forget the contact only: a firm member signed in in the same browser stays signed in."""
    for key in KEYS:
        request.session.pop(key, None)
    request.session.cycle_key()


def current(request: HttpRequest) -> PortalUser | None:
    """The signed-in contact, or None (after clearing an expired or revoked session)."""
    session = request.session
    contact_id, workspace_id = session.get(CONTACT), session.get(WORKSPACE)
    if contact_id is None or workspace_id is None:
        return None
    now = time.time()
    started, seen = float(session.get(STARTED, 0)), float(session.get(SEEN, 0))
    if now - started > ABSOLUTE_SECONDS or now - seen > IDLE_SECONDS:
        sign_out(request)
        return None
    contact = (
        Contact.objects.filter(pk=contact_id, workspace_id=workspace_id)
        .select_related("client", "workspace")
        .first()
    )
    if contact is None or not services.may_sign_in(contact):
        sign_out(request)
        return None
    if now - seen > 60:  # a minute's precision spares a session write on every click
        session[SEEN] = now
    return PortalUser(contact=contact, client=contact.client, workspace=contact.workspace)


def portal_login_required[**P](view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """The view runs with ``request.portal`` set to the signed-in contact, or goes to sign-in."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        request: Any = args[0]
        who = current(request)
        if who is None:
            return redirect("portal:sign_in")
        request.portal = who
        response = view(*args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped
