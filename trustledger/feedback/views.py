"""Survey pages for the firm: campaigns, responses, follow-ups, settings. Thin: parse, authorise,
call one service or selector, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from trustledger.feedback import responses, selectors, services
from trustledger.feedback.forms import (
    CampaignForm,
    CloseFollowUpForm,
    FollowUpForm,
    SurveySettingsForm,
)
from trustledger.feedback.models import THEMES, FollowUp, SurveyCampaign
from trustledger.scoring.nps import compute_nps
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.permissions import Action, can, require, role_required
from trustledger.workspaces.selectors import people_of
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PAGE_SIZE = 25
SENTIMENTS = ("positive", "neutral", "negative")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _page(request: HttpRequest, items: Any) -> tuple[Any, str]:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# --- campaigns ---------------------------------------------------------------------------------


@role_required(Action.VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    campaigns = list(selectors.list_campaigns(workspace))
    stats = selectors.campaign_stats(campaigns)
    rows = [(c, stats[c.pk]) for c in campaigns]
    overdue = selectors.overdue_follow_ups(workspace, today=timezone.localdate()).count()
    context = {"rows": rows, "overdue": overdue}
    return render(request, "feedback/campaign_list.html", context)


@role_required(Action.VIEW)
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    campaign = selectors.campaign_with_stats(workspace, campaign_id)
    if campaign is None:
        raise Http404("No campaign matches.")
    invitations, query = _page(
        request, selectors.list_invitations(workspace, campaign_id=campaign.pk)
    )
    context = {
        "campaign": campaign,
        "stats": selectors.campaign_stats([campaign])[campaign.pk],
        "audience": list(selectors.audience_clients(campaign)),
        "invitations": invitations,
        "query": query,
        "recent": selectors.list_responses(
            workspace, selectors.ResponseFilter(campaign_id=campaign.pk)
        )[:10],
        "eligible": selectors.eligible_contacts(campaign, now=timezone.now()).count(),
        "can_manage": can(getattr(request, "membership", None), Action.MANAGE_CLIENTS),
    }
    return render(request, "feedback/campaign_detail.html", context)


def _campaign_data(form: CampaignForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["audience_clients"] = list(data["audience_clients"])
    return data


@role_required(Action.MANAGE_CLIENTS)
def campaign_create(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    form = CampaignForm(
        request.POST or None,
        workspace=workspace,
        initial={"schedule": "recurring", "starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(
                workspace, by=acting_user(request), **_campaign_data(form)
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Campaign saved as a draft. Launch it when it is ready.")
            return redirect("feedback:campaign", campaign_id=campaign.pk)
    return render(request, "feedback/form.html", {"form": form, "title": "New survey campaign"})


@role_required(Action.MANAGE_CLIENTS)
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    campaign = get_for_workspace_or_404(SurveyCampaign, workspace, pk=campaign_id)
    initial = CampaignForm.initial_from(campaign, list(selectors.audience_clients(campaign)))
    form = CampaignForm(request.POST or None, workspace=workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(campaign, by=acting_user(request), **_campaign_data(form))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("feedback:campaign", campaign_id=campaign.pk)
    context = {"form": form, "title": f"Edit {campaign}", "campaign": campaign}
    return render(request, "feedback/form.html", context)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def campaign_launch(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_for_workspace_or_404(SurveyCampaign, request_workspace(request), pk=campaign_id)
    try:
        invited = services.launch_campaign(campaign, by=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if invited:
            messages.success(request, f"Launched: {len(invited)} invitations are on their way.")
        else:
            messages.success(request, "Launched. Invitations go out on the scheduled date.")
    return redirect("feedback:campaign", campaign_id=campaign.pk)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def campaign_pause(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_for_workspace_or_404(SurveyCampaign, request_workspace(request), pk=campaign_id)
    try:
        services.pause_campaign(campaign, by=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Paused: nothing more is sent until you launch it again.")
    return redirect("feedback:campaign", campaign_id=campaign.pk)


# --- responses ---------------------------------------------------------------------------------


@role_required(Action.VIEW)
def response_list(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    g = request.GET
    filters = selectors.ResponseFilter(
        campaign_id=_int(g.get("campaign")),
        client_id=_int(g.get("client")),
        theme=g.get("theme", "") if g.get("theme") in THEMES else "",
        sentiment=g.get("sentiment", "") if g.get("sentiment") in SENTIMENTS else "",
        category=g.get("category", ""),
        q=g.get("q", "").strip()[:200],
    )
    found = selectors.list_responses(workspace, filters)
    page, query = _page(request, found)
    context = {
        "page": page,
        "query": query,
        "filters": filters,
        "themes": THEMES,
        "sentiments": SENTIMENTS,
        "theme_counts": selectors.theme_counts(found),
        "nps": compute_nps(found.values_list("score", flat=True)),
        "campaigns": selectors.list_campaigns(workspace).only("pk", "name"),
    }
    template = "feedback/partials/_responses.html" if request.htmx else "feedback/responses.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# --- follow-ups --------------------------------------------------------------------------------


@role_required(Action.VIEW)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    status = request.GET.get("status", "open")
    owner = request.GET.get("owner", "")
    filters = selectors.FollowUpFilter(
        status=status if status in ("open", "overdue", "done", "all") else "open",
        owner_id=request.user.pk if owner == "me" else _int(owner),
        client_id=_int(request.GET.get("client")),
    )
    today = timezone.localdate()
    page, query = _page(request, selectors.list_follow_ups(workspace, filters, today=today))
    context = {
        "page": page,
        "query": query,
        "filters": filters,
        "owner": owner,
        "today": today,
        "people": people_of(workspace),
        "overdue": selectors.overdue_follow_ups(workspace, today=today).count(),
    }
    return render(request, "feedback/follow_ups.html", context)


@role_required(Action.LOG_WORK)
def follow_up_detail(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """The follow-up, the answer behind it, and the forms to reassign it or close it."""
    workspace = request_workspace(request)
    follow_up = get_for_workspace_or_404(FollowUp, workspace, pk=follow_up_id)
    close_form = CloseFollowUpForm(request.POST if "close" in request.POST else None)
    edit_form = FollowUpForm(
        request.POST if "edit" in request.POST else None,
        workspace=workspace,
        initial={"owner": follow_up.owner_id, "due_on": follow_up.due_on},
    )
    can_edit = can(getattr(request, "membership", None), Action.MANAGE_CLIENTS, follow_up.client)
    if request.method == "POST" and "close" in request.POST and close_form.is_valid():
        try:
            responses.close_follow_up(
                follow_up,
                outcome=close_form.cleaned_data["outcome"],
                done_on=close_form.cleaned_data["done_on"],
                by=acting_user(request),
            )
        except DomainError as error:
            apply_domain_error(close_form, error)
        else:
            messages.success(request, "Follow-up closed. Thank you for closing the loop.")
            return redirect("feedback:follow_ups")
    if request.method == "POST" and "edit" in request.POST and edit_form.is_valid():
        require(request, Action.MANAGE_CLIENTS, follow_up.client)
        try:
            responses.update_follow_up(follow_up, by=acting_user(request), **edit_form.cleaned_data)
        except DomainError as error:
            apply_domain_error(edit_form, error)
        else:
            messages.success(request, "Follow-up updated.")
            return redirect("feedback:follow_up", follow_up_id=follow_up.pk)
    context = {
        "follow_up": follow_up,
        "close_form": close_form,
        "edit_form": edit_form,
        "can_edit": can_edit,
        "today": timezone.localdate(),
    }
    return render(request, "feedback/follow_up.html", context)


# --- settings ----------------------------------------------------------------------------------


@role_required(Action.MANAGE_WORKSPACE)
def survey_settings(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    current = selectors.survey_settings(workspace)
    form = SurveySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
        try:
            services.update_survey_settings(workspace, by=acting_user(request), **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Survey settings saved.")
            return redirect("feedback:campaigns")
    return render(request, "feedback/form.html", {"form": form, "title": "Survey settings"})
