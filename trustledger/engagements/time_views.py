"""Time and scope pages: an engagement's time by what it counts as, the task names nobody has
classified, and mapping them (on the engagement, or firm-wide) to scope, overhead or creep.

Thin like the other engagement views: the rule and its re-application live in ``time_scope``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trustledger.engagements import forms, selectors, time_scope
from trustledger.engagements.models import Engagement, TaskMapping
from trustledger.engagements.page import time_page
from trustledger.engagements.views import _data, _engagement, _form_page
from trustledger.web import acting_user, request_workspace
from trustledger.workspaces.permissions import Action, can, require, role_required
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

# Owners and leaders set what a task counts as for the whole firm.
CONFIGURE = Action.OVERRIDE
# The service names its fields after the model; the form asks one question, "counts as".
FORM_FIELDS = {"target": "maps_to", "scope_item": "maps_to", "engagement": "firm_wide"}


@role_required(Action.VIEW)
def engagement_time(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.VIEW)
    membership = getattr(request, "membership", None)
    context = time_page(
        engagement,
        can_map=can(membership, Action.MANAGE_CLIENTS, engagement.client),
        can_map_firm_wide=can(membership, CONFIGURE),
    )
    return render(request, "engagements/time.html", context)


@role_required(Action.VIEW)
def firm_tasks(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    context = {
        "unclassified": selectors.unclassified_tasks(workspace),
        "mappings": list(selectors.task_mappings(workspace)),
        "can_map_firm_wide": can(getattr(request, "membership", None), CONFIGURE),
    }
    return render(request, "engagements/tasks.html", context)


def _save(
    request: HttpRequest, engagement: Engagement | None
) -> Callable[[dict[str, Any]], time_scope.Mapped]:
    def save(data: dict[str, Any]) -> time_scope.Mapped:
        firm_wide = engagement is None or data.get("firm_wide", False)
        try:
            return time_scope.map_task(
                request_workspace(request),
                engagement=None if firm_wide else engagement,
                task=data["task"],
                target=data["target"],
                scope_item=data["scope_item"],
                by=acting_user(request),
            )
        except DomainError as error:
            raise DomainError(error.message, field=FORM_FIELDS.get(error.field or "")) from error

    return save


def _mapped(done: object) -> str:
    assert isinstance(done, time_scope.Mapped)
    m = done.mapping
    where = "on this engagement" if m.engagement_id else "firm-wide"
    entries = f"{done.applied_to} imported {'entry' if done.applied_to == 1 else 'entries'}"
    return f"“{m.task or '(no task)'}” now counts as {m.target_label} {where}: {entries} changed."


@role_required(Action.MANAGE_CLIENTS)
def map_engagement_task(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    form = forms.TaskMappingForm(
        _data(request),
        engagement=engagement,
        firm_wide=can(getattr(request, "membership", None), CONFIGURE),
        initial={"task": request.GET.get("task", "")},
    )
    return _form_page(
        request,
        engagement,
        form,
        _save(request, engagement),
        title="Map a task name",
        success=_mapped,
        anchor="unclassified",
        submit="Save mapping",
        intro="Say what time imported under this task counts as. It applies to the entries "
        "already imported and to every later import.",
        back=reverse("engagements:time", args=[engagement.pk]),
    )


@role_required(CONFIGURE)
def map_firm_task(request: HttpRequest) -> HttpResponse:
    form = forms.TaskMappingForm(
        _data(request),
        engagement=None,
        firm_wide=True,
        initial={"task": request.GET.get("task", "")},
    )
    return _form_page(
        request,
        None,
        form,
        _save(request, None),
        title="Map a task name for every engagement",
        success=_mapped,
        anchor="mappings",
        submit="Save mapping",
        intro="A firm-wide task (Project Management, internal meetings) counts the same on "
        "every engagement, unless an engagement maps it itself or has a scope item of that name.",
        back=reverse("engagements:tasks"),
    )


@require_POST
@role_required(Action.VIEW)
def remove_task_mapping(request: HttpRequest, task_mapping_id: int) -> HttpResponse:
    mapping = get_for_workspace_or_404(TaskMapping, request_workspace(request), pk=task_mapping_id)
    engagement = mapping.engagement
    if engagement is None:
        require(request, CONFIGURE)
    else:
        require(request, Action.MANAGE_CLIENTS, engagement.client)
    changed = time_scope.unmap_task(mapping, by=acting_user(request))
    messages.success(request, f"Mapping removed: {changed} imported entries changed.")
    if engagement is None:
        return redirect(reverse("engagements:tasks") + "#mappings")
    return redirect(reverse("engagements:time", args=[engagement.pk]) + "#mappings")
