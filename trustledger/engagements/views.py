"""Engagement pages: thin views over the engagement services and selectors.

Every form view works as a page of its own and, asked by HTMX, as an inline partial: a refusal
re-renders the form with the message by its field; success flashes and returns to the
engagement page (an ``HX-Location`` for HTMX, so the page updates in place).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseLocation

from trustledger.clients.models import Client
from trustledger.engagements import forms, selectors, services
from trustledger.engagements.models import (
    ChangeRequest,
    Deliverable,
    Engagement,
    EngagementStatus,
    Milestone,
    QualityIssue,
    SuccessCriterion,
)
from trustledger.engagements.page import engagement_page
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.permissions import Action, can, require, role_required
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import WorkspaceScoped, get_for_workspace_or_404

PAGE_SIZE = 25
# A service names the model field it refuses; these forms call some fields differently.
# Where a service's field is shown when the form names it otherwise (the date forms say "on").
FIELD_ALIASES = {
    "scope_item": "work",
    "change_request": "work",
    **dict.fromkeys(
        ("signed_off_on", "delivered_on", "submitted_on", "reviewed_on", "decided_on"), "on"
    ),
    "assessed_on": "on",
}


# --- lists and the engagement page -------------------------------------------------------------


@role_required(Action.VIEW)
def engagement_list(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    status, q = request.GET.get("status", ""), request.GET.get("q", "").strip()
    engagements = selectors.with_burned(selectors.list_engagements(workspace, status=status, q=q))
    page = Paginator(engagements, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "status": status,
        "q": q,
        "query": query.urlencode(),
        "statuses": EngagementStatus.choices,
        "filtered": bool(status or q),
    }
    htmx = bool(request.htmx)  # type: ignore[attr-defined]
    template = "engagements/partials/_engagement_table.html" if htmx else "engagements/list.html"
    return render(request, template, context)


@role_required(Action.VIEW)
def engagement_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    engagement = (
        Engagement.objects.for_workspace(workspace)
        .select_related("client", "lead", "signed_off_by")
        .filter(pk=engagement_id)
        .first()
    )
    if engagement is None:
        raise Http404("No engagement matches.")
    membership = getattr(request, "membership", None)
    context = engagement_page(
        engagement,
        can_manage=can(membership, Action.MANAGE_CLIENTS, engagement.client),
        can_log=can(membership, Action.LOG_WORK, engagement),
        can_override=can(membership, Action.OVERRIDE, engagement),
    )
    return render(request, "engagements/detail.html", context)


# --- shared plumbing ---------------------------------------------------------------------------


def _engagement(request: HttpRequest, engagement_id: int, action: Action) -> Engagement:
    engagement = get_for_workspace_or_404(Engagement, request_workspace(request), pk=engagement_id)
    _require(request, action, engagement)
    return engagement


def _child[M: WorkspaceScoped](request: HttpRequest, model: type[M], pk: int, action: Action) -> M:
    obj = get_for_workspace_or_404(model, request_workspace(request), pk=pk)
    _require(request, action, obj.engagement)  # type: ignore[attr-defined]
    return obj


def _require(request: HttpRequest, action: Action, engagement: Engagement) -> None:
    """Charter and decisions: the client's manager rule; delivery facts: any member."""
    require(request, action, engagement.client if action == Action.MANAGE_CLIENTS else engagement)


def _data(request: HttpRequest) -> Any:
    """The POST data to bind, or None for an unbound form (a POST with no fields still binds)."""
    return request.POST if request.method == "POST" else None


def _back(request: HttpRequest, url: str, anchor: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseLocation(url)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _form_page(
    request: HttpRequest,
    engagement: Engagement | None,
    form: django_forms.BaseForm,
    save: Callable[[dict[str, Any]], object],
    *,
    title: str,
    success: str | Callable[[object], str],
    anchor: str,
    submit: str = "Save",
    intro: str = "",
    back: str = "",
) -> HttpResponse:
    """Validate, call the service, map its refusal to the field, or flash and go back (to the
    engagement page, or to ``back``)."""
    if not back:
        assert engagement is not None, "a form of no engagement says where to go back to"
        back = reverse("engagements:detail", args=[engagement.pk])
    if request.method == "POST" and form.is_valid():
        try:
            done = save(form.cleaned_data)
        except DomainError as error:
            field = error.field
            if field not in form.fields:
                field = FIELD_ALIASES.get(field or "", field)
            apply_domain_error(form, DomainError(error.message, field=field))
        else:
            messages.success(request, success(done) if callable(success) else success)
            return _back(request, back, anchor)
    context = {
        "form": form,
        "title": title,
        "engagement": engagement,
        "action": request.get_full_path(),
        "cancel": back + (f"#{anchor}" if anchor else ""),
        "submit": submit,
        "intro": intro,
    }
    htmx = bool(request.htmx)  # type: ignore[attr-defined]
    if htmx and form.visible_fields():  # the inline form takes the keyboard focus when it opens
        form.visible_fields()[0].field.widget.attrs.setdefault("autofocus", True)
    template = "engagements/partials/_form.html" if htmx else "engagements/form.html"
    return render(request, template, context)


# --- the engagement itself ---------------------------------------------------------------------


@role_required(Action.MANAGE_CLIENTS)
def engagement_create(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    client_id = request.GET.get("client", "")
    initial = {"lead": request.user.pk, "currency": "EUR"}
    if client_id.isdigit():
        initial["client"] = int(client_id)
    form = forms.EngagementForm(
        _data(request), workspace=workspace, with_client=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client: Client = data.pop("client")
        try:
            if not can(getattr(request, "membership", None), Action.MANAGE_CLIENTS, client):
                raise DomainError("You can start engagements for your own clients.", field="client")
            engagement = services.create_engagement(client, by=acting_user(request), **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{engagement.name} was proposed. Next: its charter.")
            return redirect("engagements:detail", engagement_id=engagement.pk)
    context = {"form": form, "title": "New engagement", "submit": "Propose engagement"}
    return render(request, "engagements/form.html", context)


@role_required(Action.MANAGE_CLIENTS)
def engagement_edit(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    form = forms.EngagementForm(
        _data(request),
        instance=Engagement.objects.get(pk=engagement.pk),
        workspace=engagement.workspace,
        with_client=False,
    )
    return _form_page(
        request,
        engagement,
        form,
        lambda data: services.update_engagement(engagement, by=acting_user(request), **data),
        title=f"Edit {engagement}",
        success="Changes saved.",
        anchor="",
    )


@role_required(Action.MANAGE_CLIENTS)
def engagement_status(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    form = forms.StatusForm(_data(request))

    def save(data: dict[str, Any]) -> object:
        return services.change_status(
            engagement,
            data["status"],
            by=acting_user(request),
            override_reason=data["override_reason"],
        )

    label = dict(EngagementStatus.choices).get(request.POST.get("status", ""), "changed").lower()
    return _form_page(
        request,
        engagement,
        form,
        save,
        title=f"Change the status of {engagement}",
        success=f"The engagement is now {label}.",
        anchor="status",
    )


# --- the charter --------------------------------------------------------------------------------


@role_required(Action.MANAGE_CLIENTS)
def scope_item_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        engagement,
        forms.ScopeItemForm(_data(request)),
        lambda data: services.add_scope_item(engagement, by=acting_user(request), **data),
        title="Add a scope item",
        success="Scope item added.",
        anchor="charter",
    )


@role_required(Action.MANAGE_CLIENTS)
def responsibility_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        engagement,
        forms.ResponsibilityForm(_data(request)),
        lambda data: services.add_responsibility(engagement, by=acting_user(request), **data),
        title="Add a role",
        success="Role added.",
        anchor="charter",
    )


@role_required(Action.MANAGE_CLIENTS)
def sign_off(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        engagement,
        forms.SignOffForm(_data(request), client=engagement.client),
        lambda data: services.sign_off_charter(
            engagement, contact=data["contact"], on=data["on"], by=acting_user(request)
        ),
        title="Record the client's sign-off",
        success="The charter is signed off.",
        anchor="charter",
        intro="Who at the client approved the charter, and when.",
    )


@role_required(Action.MANAGE_CLIENTS)
def criterion_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        engagement,
        forms.CriterionForm(_data(request)),
        lambda data: services.add_success_criterion(engagement, by=acting_user(request), **data),
        title="Add a success criterion",
        success="Success criterion added.",
        anchor="charter",
    )


@role_required(Action.MANAGE_CLIENTS)
def criterion_assess(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = _child(request, SuccessCriterion, criterion_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        criterion.engagement,
        forms.AssessForm(_data(request)),
        lambda data: services.assess_success_criterion(
            criterion, met=data["met"], on=data["on"], by=acting_user(request)
        ),
        title=f"Assess “{criterion}”",
        success="Assessment recorded.",
        anchor="charter",
    )


@role_required(Action.MANAGE_CLIENTS)
def assignment_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        engagement,
        forms.AssignmentForm(_data(request), workspace=engagement.workspace),
        lambda data: services.assign_person(engagement, by=acting_user(request), **data),
        title="Assign a person",
        success="Assignment saved. The capacity check is updated.",
        anchor="capacity",
        intro="Book someone for a number of hours a week over the engagement's dates. "
        "Assigning the same person again changes their hours.",
    )


# --- milestones and deliverables ---------------------------------------------------------------


@role_required(Action.MANAGE_CLIENTS)
def milestone_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        engagement,
        forms.MilestoneForm(_data(request)),
        lambda data: services.add_milestone(engagement, by=acting_user(request), **data),
        title="Add a milestone",
        success="Milestone added.",
        anchor="milestones",
        intro="The committed date is the promise to the client; the buffer is the slack "
        "planned after it.",
    )


@role_required(Action.LOG_WORK)
def milestone_deliver(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _child(request, Milestone, milestone_id, Action.LOG_WORK)
    return _form_page(
        request,
        milestone.engagement,
        forms.DeliverForm(_data(request)),
        lambda data: services.deliver_milestone(milestone, on=data["on"], by=acting_user(request)),
        title=f"Record the delivery of {milestone}",
        success=f"{milestone} is delivered.",
        anchor="milestones",
        submit="Record delivery",
    )


@role_required(Action.LOG_WORK)
def deliverable_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.LOG_WORK)
    return _form_page(
        request,
        engagement,
        forms.DeliverableForm(_data(request), engagement=engagement),
        lambda data: services.add_deliverable(engagement, by=acting_user(request), **data),
        title="Add a deliverable",
        success="Deliverable added.",
        anchor="deliverables",
    )


@role_required(Action.LOG_WORK)
def deliverable_submit(request: HttpRequest, deliverable_id: int) -> HttpResponse:
    deliverable = _child(request, Deliverable, deliverable_id, Action.LOG_WORK)
    return _form_page(
        request,
        deliverable.engagement,
        forms.SubmitForm(_data(request)),
        lambda data: services.submit_deliverable(
            deliverable, on=data["on"], by=acting_user(request)
        ),
        title=f"Send {deliverable} for review",
        success=f"{deliverable} is with the client for review.",
        anchor="deliverables",
        submit="Send for review",
    )


@role_required(Action.LOG_WORK)
def deliverable_review(request: HttpRequest, deliverable_id: int) -> HttpResponse:
    deliverable = _child(request, Deliverable, deliverable_id, Action.LOG_WORK)
    return _form_page(
        request,
        deliverable.engagement,
        forms.ReviewForm(_data(request)),
        lambda data: services.record_review(deliverable, by=acting_user(request), **data),
        title=f"Record the client's review of {deliverable}",
        success="Review recorded.",
        anchor="deliverables",
    )


# --- time, notices and quality -----------------------------------------------------------------


@role_required(Action.LOG_WORK)
def time_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.LOG_WORK)
    form = forms.TimeEntryForm(
        _data(request), engagement=engagement, initial={"person": request.user.pk}
    )
    return _form_page(
        request,
        engagement,
        form,
        lambda data: services.log_time(engagement, by=acting_user(request), **data),
        title="Log time",
        success="Time logged.",
        anchor="budget",
    )


@role_required(Action.LOG_WORK)
def notice_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.LOG_WORK)
    return _form_page(
        request,
        engagement,
        forms.NoticeForm(_data(request), engagement=engagement),
        lambda data: services.record_notice(engagement, by=acting_user(request), **data),
        title="Record a notice to the client",
        success="Notice recorded.",
        anchor="notices",
        intro="Telling the client of a slip or an overrun before it happens keeps trust; "
        "record when they were told.",
    )


@role_required(Action.LOG_WORK)
def quality_issue_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.LOG_WORK)
    return _form_page(
        request,
        engagement,
        forms.QualityIssueForm(_data(request), engagement=engagement),
        lambda data: services.record_quality_issue(engagement, by=acting_user(request), **data),
        title="Record a quality issue",
        success="Quality issue recorded.",
        anchor="quality",
    )


@role_required(Action.LOG_WORK)
def quality_issue_resolve(request: HttpRequest, quality_issue_id: int) -> HttpResponse:
    issue = _child(request, QualityIssue, quality_issue_id, Action.LOG_WORK)
    return _form_page(
        request,
        issue.engagement,
        forms.ResolveForm(_data(request)),
        lambda data: services.resolve_quality_issue(
            issue, on=data["resolved_on"], root_cause=data["root_cause"], by=acting_user(request)
        ),
        title=f"Resolve “{issue}”",
        success="Issue resolved.",
        anchor="quality",
    )


# --- change requests ---------------------------------------------------------------------------


@role_required(Action.LOG_WORK)
def change_request_create(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id, Action.LOG_WORK)
    return _form_page(
        request,
        engagement,
        forms.ChangeRequestForm(_data(request)),
        lambda data: services.create_change_request(engagement, by=acting_user(request), **data),
        title="New change request",
        success="Change request drafted. Submit it to the client when it is ready.",
        anchor="changes",
        intro="Any change to the scope is a change request: the client approves it before "
        "the work, and approval moves the budget and end date by its impact.",
    )


@role_required(Action.MANAGE_CLIENTS)
def change_request_submit(request: HttpRequest, change_request_id: int) -> HttpResponse:
    cr = _child(request, ChangeRequest, change_request_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        cr.engagement,
        forms.SubmitForm(_data(request)),
        lambda data: services.submit_change_request(cr, on=data["on"], by=acting_user(request)),
        title=f"Submit “{cr}” to the client",
        success="Change request submitted to the client.",
        anchor="changes",
        submit="Submit",
    )


@role_required(Action.MANAGE_CLIENTS)
def change_request_decide(request: HttpRequest, change_request_id: int) -> HttpResponse:
    cr = _child(request, ChangeRequest, change_request_id, Action.MANAGE_CLIENTS)
    engagement = cr.engagement

    def save(data: dict[str, Any]) -> object:
        return services.decide_change_request(
            cr,
            approve=data["decision"],
            decided_by=data["decided_by"],
            on=data["on"],
            note=data["note"],
            by=acting_user(request),
        )

    return _form_page(
        request,
        engagement,
        forms.DecisionForm(_data(request), client=engagement.client),
        save,
        title=f"Record the client's decision on “{cr}”",
        success="Decision recorded.",
        anchor="changes",
        intro="Approval adds its effort and cost to the budget, its days to the end date, "
        "and a scope item for the work.",
    )


@role_required(Action.MANAGE_CLIENTS)
def change_request_withdraw(request: HttpRequest, change_request_id: int) -> HttpResponse:
    cr = _child(request, ChangeRequest, change_request_id, Action.MANAGE_CLIENTS)
    return _form_page(
        request,
        cr.engagement,
        forms.ConfirmForm(_data(request)),
        lambda data: services.withdraw_change_request(cr, by=acting_user(request)),
        title=f"Withdraw “{cr}”?",
        success="Change request withdrawn.",
        anchor="changes",
        submit="Withdraw",
        intro="A withdrawn request stays on record but can no longer be decided.",
    )
