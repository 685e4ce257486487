"""Tenancy: every firm's data lives in one workspace and no query crosses workspaces.

Every tenant model inherits ``WorkspaceScoped``; reads go through
``Model.objects.for_workspace(workspace)``, so forgetting the workspace is visible in review and
``get_for_workspace_or_404`` turns another firm's id into a 404, never a leak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from trustledger.workspaces.models import Workspace


class WorkspaceQuerySet[M: models.Model](models.QuerySet[M]):
    def for_workspace(self, workspace: Workspace) -> Self:
        return self.filter(workspace=workspace)


class WorkspaceScoped(models.Model):
    """Abstract base of every tenant table: a non-null workspace, indexed first in keys."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True


def get_for_workspace_or_404[M: WorkspaceScoped](
    model: type[M], workspace: Workspace, **lookup: Any
) -> M:
    """One object of ``workspace``; another workspace's object looks exactly like a missing one."""
    try:
        obj: M = model.objects.for_workspace(workspace).get(**lookup)
    except (model.DoesNotExist, ValueError) as exc:
        raise Http404(f"No {model._meta.verbose_name} matches.") from exc
    return obj
