"""Engagement pages: thin views over the engagement services and selectors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trustledger.engagements.models import Engagement
from trustledger.web import request_workspace
from trustledger.workspaces.permissions import Action, role_required
from trustledger.workspaces.tenancy import get_for_workspace_or_404


@role_required(Action.VIEW)
def engagement_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = get_for_workspace_or_404(Engagement, request_workspace(request), pk=engagement_id)
    return render(request, "engagements/detail.html", {"engagement": engagement})
