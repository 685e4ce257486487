"""Recovery pages: the list of plans, a plan's page with its steps and timeline, opening a plan
(from an alert or by hand) and the systemic-issues view. Thin: parse, authorise, call one
service, render. Everyone reads; the client's account manager, leaders and owners act.

Each step's form posts to its own URL; a refusal re-renders the plan's page with that form
bound and its errors next to the fields, success redirects back to the step with a message.
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
from django.views.decorators.http import require_POST

from trustledger.clients.models import Client
from trustledger.core.clock import local_today
from trustledger.recovery import forms, selectors, services
from trustledger.recovery.models import (
    FACTOR_CHOICES,
    PILLAR_OF,
    Action,
    Fishbone,
    Goal,
    PlanStatus,
    RecoveryPlan,
    WhyChain,
)
from trustledger.scoring.index import PILLARS
from trustledger.trust.forms import LABELS
from trustledger.trust.models import Alert
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.permissions import Action as Perm
from trustledger.workspaces.permissions import can, require, role_required
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PAGE_SIZE = 25


def _can_act(request: HttpRequest, client: Client) -> bool:
    return can(getattr(request, "membership", None), Perm.MANAGE_CLIENTS, client)


def _plan(request: HttpRequest, plan_id: int) -> RecoveryPlan:
    workspace = request_workspace(request)
    plan = selectors.plan_for_page(workspace, plan_id).first()
    if plan is None:
        raise Http404("No recovery plan matches.")
    return plan


def _url(plan: RecoveryPlan, anchor: str = "") -> str:
    return reverse("recovery:detail", args=[plan.pk]) + (f"#{anchor}" if anchor else "")


# The list


@role_required(Perm.VIEW)
def plan_list(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    g = request.GET
    status = g.get("status", "open")
    whose = g.get("who", "all")
    factor = g.get("factor", "") if g.get("factor", "") in LABELS else ""
    category = g.get("category", "") if g.get("category", "") in Fishbone.values else ""
    q = g.get("q", "").strip()[:100]
    plans = selectors.list_plans(
        workspace,
        status="" if status == "all" else status,
        owner_id=acting_user(request).pk if whose == "mine" else None,
        factor=factor,
        category=category,
        q=q,
    )
    page = Paginator(plans, PAGE_SIZE).get_page(g.get("page"))
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("status", status),
            ("who", whose),
            ("factor", factor),
            ("category", category),
            ("q", q),
        )
        if v
    )
    context = {
        "page": page,
        "status": status,
        "who": whose,
        "factor": factor,
        "category": category,
        "q": q,
        "query": query,
        "factor_label": LABELS.get(factor, ""),
        "category_label": dict(Fishbone.choices).get(category, ""),
        "filtered": bool(factor or category or q or whose == "mine"),
        "today": local_today(workspace),
    }
    return render(request, "recovery/list.html", context)


# Opening a plan


@role_required(Perm.MANAGE_CLIENTS)
def plan_create(request: HttpRequest) -> HttpResponse:
    """Open a plan; ``?alert=`` prefills it from an alert, ``?client=`` picks the client."""
    workspace = request_workspace(request)
    source = request.POST if request.method == "POST" else request.GET
    alert = None
    if (alert_id := source.get("alert", "")).isdigit():
        alert = get_for_workspace_or_404(Alert, workspace, pk=int(alert_id))
    clients = Client.objects.for_workspace(workspace).filter(status="active")
    initial: dict[str, Any] = {}
    if alert is not None:
        initial = {"client": alert.client_id, "trigger": alert.detail}
    elif (client_id := request.GET.get("client", "")).isdigit():
        initial = {"client": int(client_id)}
    form = forms.OpenPlanForm(
        request.POST or None, workspace=workspace, clients=clients, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        client = form.cleaned_data["client"]
        require(request, Perm.MANAGE_CLIENTS, client)
        try:
            plan = services.open_plan(
                client,
                by=acting_user(request),
                alert=alert,
                title=form.cleaned_data["title"],
                trigger=form.cleaned_data["trigger"],
                owner=form.cleaned_data["owner"],
                update_every_days=form.cleaned_data["update_every_days"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"Recovery plan opened for {client}. Start by acknowledging.")
            return redirect(_url(plan))
    return render(request, "recovery/open.html", {"form": form, "alert": alert})


# A plan's page


def _detail(
    request: HttpRequest, plan: RecoveryPlan, bound: dict[str, django_forms.Form] | None = None
) -> HttpResponse:
    workspace = request_workspace(request)
    today = local_today(workspace)
    updates = list(plan.updates.all())
    alerts = list(selectors.plan_alerts(plan))
    evidence = plan.evidence or {}
    context = {
        "plan": plan,
        "today": today,
        "can_act": _can_act(request, plan.client) and plan.is_open,
        "cadence": selectors.cadence(plan, updates[0].sent_on if updates else None, today),
        "timeline": selectors.plan_timeline(plan, alerts),
        "alert_evidence": evidence.get("alert") or {},
        "snapshot": evidence.get("snapshot") or {},
        "labels": LABELS,
        "window_days": selectors.NPS_WINDOW_DAYS,
        "settings_form": forms.PlanSettingsForm(
            workspace=workspace,
            initial={
                "title": plan.title,
                "trigger": plan.trigger,
                "owner": plan.owner_id,
                "update_every_days": plan.update_every_days,
                "shared_with_client": plan.shared_with_client,
            },
        ),
        "acknowledge_form": forms.AcknowledgeForm(plan=plan),
        "chain_form": forms.ChainForm(),
        "why_form": forms.WhyForm(),
        "cause_form": forms.CauseForm(plan=plan),
        "action_form": forms.ActionForm(plan=plan),
        "goal_form": forms.GoalForm(),
        "update_form": forms.UpdateForm(),
        "win_form": forms.WinForm(),
        "close_form": forms.CloseForm(),
        "bound_chain": None,
        **(bound or {}),
    }
    return render(request, "recovery/detail.html", context)


@role_required(Perm.VIEW)
def plan_detail(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    return _detail(request, _plan(request, recovery_plan_id))


def _step(
    request: HttpRequest,
    plan: RecoveryPlan,
    *,
    name: str,
    form: django_forms.Form,
    call: Callable[[dict[str, Any]], object],
    message: str,
    anchor: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Validate ``form``, call the service, redirect with ``message``; else show the errors."""
    require(request, Perm.MANAGE_CLIENTS, plan.client)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, message)
            return redirect(_url(plan, anchor))
    messages.error(request, "Please correct the errors below.")
    return _detail(request, plan, {name: form, **(extra or {})})


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def plan_settings(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    form = forms.PlanSettingsForm(request.POST, workspace=plan.workspace)
    return _step(
        request,
        plan,
        name="settings_form",
        form=form,
        anchor="settings",
        call=lambda d: services.update_plan(plan, by=acting_user(request), **d),
        message="Plan saved.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def acknowledge(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    form = forms.AcknowledgeForm(request.POST, plan=plan)
    return _step(
        request,
        plan,
        name="acknowledge_form",
        form=form,
        anchor="acknowledge",
        call=lambda d: services.acknowledge(
            plan,
            by=acting_user(request),
            meeting_scheduled_on=d["meeting_scheduled_on"],
            meeting_held_on=d["meeting_held_on"],
            people=list(d["people"]),
            contacts=list(d["contacts"]),
            responsibility_taken=d["responsibility_taken"],
            responsibility_wording=d["responsibility_wording"],
            notes=d["notes"],
        ),
        message="Acknowledgement saved.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def chain_add(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)

    def call(d: dict[str, Any]) -> None:
        steps = [(d["why"], d["answer"])] if d["why"] or d["answer"] else []
        services.add_chain(plan, by=acting_user(request), problem=d["problem"], steps=steps)

    return _step(
        request,
        plan,
        name="chain_form",
        form=forms.ChainForm(request.POST),
        anchor="causes",
        call=call,
        message="Why chain started.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def why_add(request: HttpRequest, recovery_chain_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    chain = get_for_workspace_or_404(WhyChain, workspace, pk=recovery_chain_id)
    plan = _plan(request, chain.plan_id)
    return _step(
        request,
        plan,
        name="why_form",
        form=forms.WhyForm(request.POST),
        anchor=f"chain-{chain.pk}",
        call=lambda d: services.add_why(chain, by=acting_user(request), **d),
        message="Why added.",
        extra={"bound_chain": chain.pk},
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def cause_add(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    return _step(
        request,
        plan,
        name="cause_form",
        form=forms.CauseForm(request.POST, plan=plan),
        anchor="causes",
        call=lambda d: services.add_cause(plan, by=acting_user(request), **d),
        message="Root cause recorded.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def action_add(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    return _step(
        request,
        plan,
        name="action_form",
        form=forms.ActionForm(request.POST, plan=plan),
        anchor="actions",
        call=lambda d: services.add_action(plan, by=acting_user(request), **d),
        message="Action added.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def action_status(request: HttpRequest, recovery_action_id: int) -> HttpResponse:
    action = get_for_workspace_or_404(Action, request_workspace(request), pk=recovery_action_id)
    plan = _plan(request, action.plan_id)
    form = forms.ActionStatusForm(request.POST)
    return _step(
        request,
        plan,
        name="action_form",
        form=form,
        anchor="actions",
        call=lambda d: services.update_action(action, by=acting_user(request), status=d["status"]),
        message=f"Action updated: {action.title}.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def goal_add(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    return _step(
        request,
        plan,
        name="goal_form",
        form=forms.GoalForm(request.POST),
        anchor="goals",
        call=lambda d: services.add_goal(plan, by=acting_user(request), **d),
        message="Goal added.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def goal_progress(request: HttpRequest, recovery_goal_id: int) -> HttpResponse:
    goal = get_for_workspace_or_404(Goal, request_workspace(request), pk=recovery_goal_id)
    plan = _plan(request, goal.plan_id)
    return _step(
        request,
        plan,
        name="goal_form",
        form=forms.GoalProgressForm(request.POST),
        anchor="goals",
        call=lambda d: services.update_goal(goal, by=acting_user(request), **d),
        message="Goal updated.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def update_send(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    return _step(
        request,
        plan,
        name="update_form",
        form=forms.UpdateForm(request.POST),
        anchor="updates",
        call=lambda d: services.send_update(plan, by=acting_user(request), **d),
        message="Update recorded and logged as an interaction with the client.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def win_add(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    return _step(
        request,
        plan,
        name="win_form",
        form=forms.WinForm(request.POST),
        anchor="wins",
        call=lambda d: services.record_win(plan, by=acting_user(request), **d),
        message="Small win recorded.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def close(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    return _step(
        request,
        plan,
        name="close_form",
        form=forms.CloseForm(request.POST),
        anchor="close",
        call=lambda d: services.close_plan(plan, by=acting_user(request), **d),
        message="Plan closed. The before and after are recorded below.",
    )


@require_POST
@role_required(Perm.MANAGE_CLIENTS)
def plan_delete(request: HttpRequest, recovery_plan_id: int) -> HttpResponse:
    plan = _plan(request, recovery_plan_id)
    require(request, Perm.OVERRIDE)  # deleting history is a leader's or an owner's call
    services.delete_plan(plan, by=acting_user(request))
    messages.success(request, f"Plan “{plan.title}” deleted.")
    return redirect("recovery:list")


# Systemic issues


@role_required(Perm.VIEW)
def systemic(request: HttpRequest) -> HttpResponse:
    """Root causes across plans by erosion factor and fishbone category: what recurs."""
    workspace = request_workspace(request)
    by_factor = selectors.recurring_causes(workspace, "factor")
    by_category = selectors.recurring_causes(workspace, "category")
    pairs = selectors.recurring_pairs(workspace)
    factors = {r.key: r for r in by_factor}
    pillars = [
        (name, [(k, LABELS[k], factors.get(k)) for k in keys if k in factors])
        for name, keys in PILLARS.items()
    ]
    categories = dict(Fishbone.choices)
    grid_factors = [(k, LABELS[k]) for k, _ in FACTOR_CHOICES if k in factors]
    grid = [
        (key, label, [(c, pairs.get((key, c), 0)) for c in Fishbone.values])
        for key, label in grid_factors
    ]
    context = {
        "by_factor": [(r, LABELS.get(r.key, r.key), PILLAR_OF.get(r.key, "")) for r in by_factor],
        "by_category": [(r, categories.get(r.key, r.key)) for r in by_category],
        "pillars": [p for p in pillars if p[1]],
        "grid": grid,
        "categories": Fishbone.choices,
        "plans_total": RecoveryPlan.objects.for_workspace(workspace).count(),
        "open_total": RecoveryPlan.objects.for_workspace(workspace)
        .filter(status=PlanStatus.OPEN)
        .count(),
    }
    return render(request, "recovery/systemic.html", context)
