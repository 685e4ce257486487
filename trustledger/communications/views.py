"""Communication pages: the inbox, the plan editor, and forms to record interactions, inquiries,
responses and commitments. Thin: parse, authorise, call one service, render.

Times are shown and entered in the firm's time zone (that of its business hours). The quick
commitment form and the done/broken buttons answer HTMX with the commitments section.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from trustledger.clients.models import Client
from trustledger.communications import forms, selectors, services, sla
from trustledger.communications.models import (
    Commitment,
    CommunicationPlan,
    Holiday,
    Inquiry,
    Interaction,
    InteractionKind,
)
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.models import Workspace
from trustledger.workspaces.permissions import Action, can, require, role_required
from trustledger.workspaces.selectors import people_of
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PAGE_SIZE = 30
PROMISE_FIELDS = ("commitment", "commitment_due_on", "commitment_owner")


def _zone(workspace: Workspace) -> ZoneInfo:
    return sla.business_calendar(workspace).zone


def _client(request: HttpRequest, client_id: int) -> Client:
    return get_for_workspace_or_404(Client, request_workspace(request), pk=client_id)


def _back(client: Client) -> str:
    return reverse("clients:detail", args=[client.pk]) + "#communications"


def _form_page(
    request: HttpRequest, form: Any, *, title: str, client: Client, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "client": client, "cancel": _back(client), **extra}
    return render(request, "communications/form.html", context)


# The inbox


@role_required(Action.VIEW)
def inbox(request: HttpRequest) -> HttpResponse:
    """Inquiries at or past their SLA for the signed-in account manager (or for everyone),
    and the commitments they owe within a week."""
    workspace = request_workspace(request)
    user = acting_user(request)
    scope = request.GET.get("scope", "")
    # Someone who manages no client (an owner, a leader) sees everyone's unless they ask.
    all_clients = scope == "all" or (
        scope != "mine"
        and not Client.objects.for_workspace(workspace).filter(account_manager=user).exists()
    )
    now = timezone.now()
    box = selectors.inbox(workspace, user, now=now, all_clients=all_clients)
    page = Paginator(box.inquiries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "box": box,
        "page": page,
        "query": "scope=all" if all_clients else "",
        "time_zone": _zone(workspace),
    }
    return render(request, "communications/inbox.html", context)


# The plan


@role_required(Action.MANAGE_CLIENTS)
def plan_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = _client(request, client_id)
    require(request, Action.MANAGE_CLIENTS, client)
    plan = CommunicationPlan.objects.filter(client=client).first()
    data = request.POST or None
    form = forms.PlanForm(data, plan=plan, client=client)
    members = forms.MemberFormSet(
        data, prefix="members", form_kwargs={"workspace": workspace}, initial=_members(plan)
    )
    escalations = forms.EscalationFormSet(
        data,
        prefix="escalations",
        form_kwargs={"workspace": workspace, "client": client},
        initial=_escalations(plan),
    )
    if request.method == "POST" and all(f.is_valid() for f in (form, members, escalations)):
        try:
            services.save_plan(
                client,
                by=acting_user(request),
                members=[
                    (f.cleaned_data["person"], f.cleaned_data["role"])
                    for f in members
                    if f.cleaned_data.get("person")
                ],
                escalations=_chosen_escalations(workspace, client, escalations),
                **form.plan_data(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Communication plan saved.")
            return redirect(_back(client))
    context = {
        "form": form,
        "members": members,
        "escalations": escalations,
        "client": client,
        "title": f"Communication plan for {client}",
    }
    return render(request, "communications/plan_form.html", context)


def _members(plan: CommunicationPlan | None) -> list[dict[str, Any]]:
    if plan is None:
        return []
    return [{"person": m.person_id, "role": m.role} for m in plan.members.all()]


def _escalations(plan: CommunicationPlan | None) -> list[dict[str, Any]]:
    if plan is None:
        return []
    return [
        {"level": e.level, "who": f"c{e.contact_id}" if e.contact_id else f"p{e.person_id}"}
        for e in plan.escalations.all()
    ]


def _chosen_escalations(
    workspace: Workspace, client: Client, formset: Any
) -> list[services.Escalation]:
    chosen: list[services.Escalation] = []
    contacts = {c.pk: c for c in client.contacts.all()}
    people = {u.pk: u for u in people_of(workspace)}
    for f in formset:
        who = f.cleaned_data.get("who") or ""
        if not who:
            continue
        pk = int(who[1:])
        contact, person = (contacts.get(pk), None) if who[0] == "c" else (None, people.get(pk))
        if contact or person:
            chosen.append((f.cleaned_data["level"], contact, person))
    return chosen


# Interactions and the timeline


@role_required(Action.VIEW)
def timeline(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = _client(request, client_id)
    kind = request.GET.get("kind", "")
    touches = selectors.list_interactions(workspace, client_id=client.pk, kind=kind)
    page = Paginator(touches, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "client": client,
        "page": page,
        "kind": kind,
        "kinds": InteractionKind.choices,
        "query": f"kind={kind}" if kind else "",
        "time_zone": _zone(workspace),
    }
    return render(request, "communications/timeline.html", context)


@role_required(Action.LOG_WORK)
def interaction_create(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = _client(request, client_id)
    with timezone.override(_zone(workspace)):
        form = forms.InteractionCreateForm(request.POST or None, client=client, workspace=workspace)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            promise = {
                k: data.pop(k) for k in ("commitment", "commitment_due_on", "commitment_owner")
            }
            try:
                _record_interaction(request, client, data, promise)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, "Interaction recorded.")
                return redirect(_back(client))
        return _form_page(
            request, form, title=f"Record an interaction with {client}", client=client
        )


def _record_interaction(
    request: HttpRequest, client: Client, data: dict[str, Any], promise: dict[str, Any]
) -> None:
    by = acting_user(request)
    interaction = services.record_interaction(client, by=by, **data)
    if promise["commitment"]:
        services.record_commitment(
            client,
            by=by,
            description=promise["commitment"],
            due_on=promise["commitment_due_on"],
            owner=promise["commitment_owner"],
            made_on=timezone.localdate(interaction.occurred_at),
            interaction=interaction,
        )


@role_required(Action.LOG_WORK)
def interaction_edit(request: HttpRequest, interaction_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    interaction = get_for_workspace_or_404(Interaction, workspace, pk=interaction_id)
    client = interaction.client
    fields = list(forms.InteractionForm.base_fields)
    with timezone.override(_zone(workspace)):
        initial = {name: getattr(interaction, name) for name in fields}
        initial["occurred_at"] = timezone.localtime(interaction.occurred_at).replace(tzinfo=None)
        form = forms.InteractionForm(
            request.POST or None, client=client, workspace=workspace, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.update_interaction(
                    interaction, by=acting_user(request), **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, "Interaction saved.")
                return redirect(_back(client))
        return _form_page(request, form, title=f"Edit “{interaction}”", client=client)


# Inquiries


@role_required(Action.LOG_WORK)
def inquiry_create(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = _client(request, client_id)
    with timezone.override(_zone(workspace)):
        form = forms.InquiryForm(request.POST or None, client=client, workspace=workspace)
        if request.method == "POST" and form.is_valid():
            try:
                inquiry = services.record_inquiry(
                    client, by=acting_user(request), **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                due = timezone.localtime(inquiry.sla_due)
                messages.success(request, f"Inquiry recorded: answer by {due:%a %d %b %H:%M}.")
                return redirect(_back(client))
        intro = "The SLA deadline is counted in business hours from when it was received."
        return _form_page(
            request, form, title=f"Record an inquiry from {client}", client=client, intro=intro
        )


def _inquiry_moment(request: HttpRequest, inquiry_id: int, *, resolve: bool) -> HttpResponse:
    workspace = request_workspace(request)
    inquiry = get_for_workspace_or_404(Inquiry, workspace, pk=inquiry_id)
    client = inquiry.client
    with timezone.override(_zone(workspace)):
        form = forms.MomentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            service = services.resolve_inquiry if resolve else services.record_inquiry_response
            try:
                service(inquiry, at=form.cleaned_data["at"], by=acting_user(request))
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request, "Resolution recorded." if resolve else "Response recorded."
                )
                return redirect(request.POST.get("next") or _back(client))
        verb = "Resolve" if resolve else "Record the first response to"
        return _form_page(
            request, form, title=f"{verb} “{inquiry}”", client=client, inquiry=inquiry
        )


@role_required(Action.LOG_WORK)
def inquiry_respond(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    return _inquiry_moment(request, inquiry_id, resolve=False)


@role_required(Action.LOG_WORK)
def inquiry_resolve(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    return _inquiry_moment(request, inquiry_id, resolve=True)


# Commitments


def _commitments_section(request: HttpRequest, client: Client, form: Any = None) -> HttpResponse:
    """The commitments section of the client page, with the quick form's errors if any."""
    context = {
        "client": client,
        "commitments": selectors.client_commitments(client, now=timezone.now()),
        "people": list(people_of(request_workspace(request))),
        "values": form.data if form is not None else {},
        "errors": form.errors if form is not None else {},
    }
    return render(request, "communications/partials/_commitments.html", context)


@role_required(Action.LOG_WORK)
def commitment_create(request: HttpRequest, client_id: int) -> HttpResponse:
    """The full form as a page; the quick form on the client page posts here through HTMX."""
    workspace = request_workspace(request)
    client = _client(request, client_id)
    htmx = bool(request.htmx)  # type: ignore[attr-defined]
    form_class = forms.QuickCommitmentForm if htmx else forms.CommitmentForm
    form = form_class(request.POST or None, client=client, workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_commitment(client, by=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if htmx:
                return _commitments_section(request, client)
            messages.success(request, "Commitment recorded.")
            return redirect(_back(client))
    if htmx:
        return _commitments_section(request, client, form)
    return _form_page(request, form, title=f"Record a promise to {client}", client=client)


def _settle(request: HttpRequest, commitment_id: int, *, kept: bool) -> HttpResponse:
    commitment = get_for_workspace_or_404(Commitment, request_workspace(request), pk=commitment_id)
    by = acting_user(request)
    try:
        if kept:
            services.complete_commitment(commitment, by=by)
        else:
            services.break_commitment(commitment, by=by, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
    if request.htmx:  # type: ignore[attr-defined]
        return _commitments_section(request, commitment.client)
    return redirect(request.POST.get("next") or _back(commitment.client))


@role_required(Action.LOG_WORK)
@require_POST
def commitment_done(request: HttpRequest, commitment_id: int) -> HttpResponse:
    return _settle(request, commitment_id, kept=True)


@role_required(Action.LOG_WORK)
@require_POST
def commitment_broken(request: HttpRequest, commitment_id: int) -> HttpResponse:
    return _settle(request, commitment_id, kept=False)


# The firm's business hours and holidays


@role_required(Action.VIEW)
def business_hours(request: HttpRequest) -> HttpResponse:
    """Everyone may see the hours SLAs are counted in; only an owner changes them."""
    workspace = request_workspace(request)
    calendar = sla.business_calendar(workspace)
    may_edit = can(getattr(request, "membership", None), Action.MANAGE_WORKSPACE)
    posted = request.POST if request.method == "POST" and may_edit else None
    hours_form = forms.BusinessHoursForm(
        posted if posted and "time_zone" in posted else None, calendar=calendar
    )
    holiday_form = forms.HolidayForm(posted if posted and "date" in posted else None)
    if request.method == "POST":
        require(request, Action.MANAGE_WORKSPACE)
        if _save_calendar(request, workspace, hours_form, holiday_form):
            return redirect("communications:business_hours")
    context = {
        "hours_form": hours_form,
        "holiday_form": holiday_form,
        "holidays": Holiday.objects.for_workspace(workspace).order_by("date"),
        "may_edit": may_edit,
    }
    return render(request, "communications/business_hours.html", context)


def _save_calendar(
    request: HttpRequest, workspace: Workspace, hours_form: Any, holiday_form: Any
) -> bool:
    by = acting_user(request)
    try:
        if hours_form.is_bound and hours_form.is_valid():
            sla.update_business_calendar(
                workspace,
                by=by,
                time_zone=hours_form.cleaned_data["time_zone"],
                hours=hours_form.hours(),
            )
            messages.success(request, "Business hours saved.")
            return True
        if holiday_form.is_bound and holiday_form.is_valid():
            sla.add_holiday(workspace, by=by, **holiday_form.cleaned_data)
            messages.success(request, "Holiday added.")
            return True
    except DomainError as error:
        apply_domain_error(hours_form if hours_form.is_bound else holiday_form, error)
    return False


@role_required(Action.MANAGE_WORKSPACE)
@require_POST
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = get_for_workspace_or_404(Holiday, request_workspace(request), pk=holiday_id)
    sla.remove_holiday(holiday, by=acting_user(request))
    messages.success(request, "Holiday removed.")
    return redirect("communications:business_hours")
