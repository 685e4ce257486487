"""Reads about workspaces and people, shared by views, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError
from django.db.models import QuerySet

from trustledger.core.clock import day_starts
from trustledger.workspaces.models import AuditEntry, Membership, User, Workspace


def current_membership(user: Any, workspace_id: int | None) -> Membership | None:
    """The membership for the workspace chosen in the session, else the person's first one."""
    memberships = Membership.objects.filter(user=user).select_related("workspace", "user")
    if workspace_id is not None and (
        chosen := memberships.filter(workspace_id=workspace_id).first()
    ):
        return chosen
    return memberships.order_by("created_at", "id").first()


def members_of(workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def people_of(workspace: Workspace) -> QuerySet[User]:
    return User.objects.filter(memberships__workspace=workspace).order_by("full_name", "email")


def audit_trail(
    workspace: Workspace,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    object_type: str = "",
    object_id: str = "",
    action: str = "",
) -> QuerySet[AuditEntry]:
    """The workspace's audit entries, newest first; days are the workspace's calendar days."""
    entries = AuditEntry.objects.for_workspace(workspace).select_related("actor")
    if since is not None:
        entries = entries.filter(created_at__gte=day_starts(workspace, since))
    if until is not None:
        entries = entries.filter(created_at__lt=day_starts(workspace, until + dt.timedelta(days=1)))
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action=action)
    return entries


def resolve_workspace(slug: str | None) -> Workspace:
    """The workspace a command acts on: the one named, or the only one there is."""
    if slug:
        try:
            return Workspace.objects.get(slug=slug)
        except Workspace.DoesNotExist:
            raise CommandError(f"No workspace with slug {slug!r}.") from None
    workspaces = list(Workspace.objects.order_by("id")[:2])
    if len(workspaces) == 1:
        return workspaces[0]
    if not workspaces:
        raise CommandError("There is no workspace yet: run `trustledger demo` or create one.")
    raise CommandError("There are several workspaces: choose one with --workspace SLUG.")
