"""Workspace settings pages: members, API keys, the audit log, switching workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trustledger.core.http import absolute_url, public_address
from trustledger.web import acting_user, request_workspace
from trustledger.workspaces import selectors, services
from trustledger.workspaces.forms import ApiKeyForm, MemberForm
from trustledger.workspaces.middleware import SESSION_KEY
from trustledger.workspaces.models import ApiKey, ApiKeyScope, Membership, Role
from trustledger.workspaces.permissions import Action, require, role_required
from trustledger.workspaces.tenancy import get_for_workspace_or_404


@role_required(Action.VIEW)
def home(request: HttpRequest) -> HttpResponse:
    return redirect("trust:portfolio")


@role_required(Action.MANAGE_WORKSPACE)
def api_keys(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.create_api_key(
            workspace,
            name=form.cleaned_data["name"],
            scope=ApiKeyScope(form.cleaned_data["scope"]),
            by=acting_user(request),
        )
        form = ApiKeyForm()
    keys = ApiKey.objects.for_workspace(workspace).select_related("created_by")
    context = {"form": form, "keys": keys, "new_key": new_key}
    return render(request, "workspaces/api_keys.html", context)


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_for_workspace_or_404(ApiKey, request_workspace(request), pk=key_id)
    services.revoke_api_key(key, by=acting_user(request))
    messages.success(request, f"The key “{key.name}” was revoked; it no longer works.")
    return redirect("workspaces:api_keys")


@role_required(Action.VIEW)
def members(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        require(request, Action.MANAGE_WORKSPACE)
        if form.is_valid():
            membership = services.invite_member(
                workspace,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=Role(form.cleaned_data["role"]),
                by=acting_user(request),
                base_url=absolute_url("/"),
            )
            messages.success(request, f"{membership.user} can now sign in to {workspace}.")
            return redirect("workspaces:members")
    context = {"form": form, "members": selectors.members_of(workspace)}
    return render(request, "workspaces/members.html", context)


@role_required(Action.MANAGE_WORKSPACE)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = selectors.audit_trail(request_workspace(request))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "workspaces/audit_log.html", {"page": page})


@require_POST
@role_required(Action.VIEW)
def switch_workspace(request: HttpRequest, workspace_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, user=acting_user(request), workspace_id=workspace_id)
    request.session[SESSION_KEY] = membership.workspace_id
    messages.info(request, f"Now working in {membership.workspace}.")
    return redirect("home")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the link on the site's public address, not the request's Host header
    (which a client chooses, and which behind a proxy is the proxy's)."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = public_address()
        return super().form_valid(form)
