"""Relationship pages: what is due, the tier routines, a client's health checks and business
reviews. Thin: parse, authorise, call one service or selector, render.

Account managers record checks and reviews for their own clients, leaders and owners for all;
staff read. Owners and leaders set the routines.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trustledger.clients.models import Client
from trustledger.core.clock import local_today
from trustledger.relationships import forms, selectors, services
from trustledger.relationships.charts import health_chart
from trustledger.relationships.due import due_items
from trustledger.relationships.models import BusinessReview, HealthCheck, TierRoutine
from trustledger.scoring.display import format_number
from trustledger.scoring.health import month_end
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.workspaces.models import Role, User
from trustledger.workspaces.permissions import Action, can, require, role_required
from trustledger.workspaces.selectors import people_of
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

PAGE_SIZE = 50
# Owners and leaders set the firm's routines (the roles that may override the firm's rules).
CONFIGURE = Action.OVERRIDE
SEES_EVERYONE = {Role.OWNER, Role.LEADER}


def _client(request: HttpRequest, client_id: int) -> Client:
    return get_for_workspace_or_404(Client, request_workspace(request), pk=client_id)


def _back(client: Client) -> str:
    return reverse("relationships:client", args=[client.pk])


def _may_edit(request: HttpRequest, client: Client) -> bool:
    return can(getattr(request, "membership", None), Action.MANAGE_CLIENTS, client)


# What is due


def _due_person(request: HttpRequest, user: User) -> tuple[User | None, str]:
    """Whose list: leaders and owners choose anyone or all (all by default when they manage no
    client); everyone else sees their own."""
    membership = getattr(request, "membership", None)
    workspace = request_workspace(request)
    if membership is None or membership.role not in SEES_EVERYONE:
        return user, str(user.pk)
    chosen = request.GET.get("person", "")
    if chosen == "all":
        return None, "all"
    if chosen.isdigit():
        person = people_of(workspace).filter(pk=int(chosen)).first()
        if person is not None:
            return person, chosen
    if Client.objects.for_workspace(workspace).filter(account_manager=user).exists():
        return user, str(user.pk)
    return None, "all"


@role_required(Action.VIEW)
def due(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    user = acting_user(request)
    person, chosen = _due_person(request, user)
    today = local_today(workspace)
    items = due_items(workspace, person, until=month_end(today))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {
        "page": page,
        "today": today,
        "until": month_end(today),
        "person": person,
        "chosen": chosen,
        "overdue": sum(1 for i in items if i.overdue(today)),
        "total": len(items),
        "may_choose": membership is not None and membership.role in SEES_EVERYONE,
        "people": people_of(workspace),
        "query": f"person={chosen}",
    }
    return render(request, "relationships/due.html", context)


# Routines


@role_required(Action.VIEW)
def routines(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    may_edit = can(getattr(request, "membership", None), CONFIGURE)
    rows = selectors.list_routines(workspace)
    data = request.POST or None
    if data is not None:
        require(request, CONFIGURE)
    routine_forms = [forms.RoutineForm(data, instance=r, prefix=r.tier) for r in rows]
    if data is not None and all(f.is_valid() for f in routine_forms):
        try:
            for f in routine_forms:
                fresh = TierRoutine.objects.get(pk=f.instance.pk)
                services.update_routine(fresh, by=acting_user(request), **f.cleaned_data)
        except DomainError as error:
            apply_domain_error(routine_forms[0], error)
        else:
            messages.success(request, "Routines saved.")
            return redirect("relationships:routines")
    context = {"rows": list(zip(rows, routine_forms, strict=True)), "may_edit": may_edit}
    return render(request, "relationships/routines.html", context)


# A client's relationship page


@role_required(Action.VIEW)
def client_page(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = _client(request, client_id)
    panel = selectors.relationship_panel(client)
    checks = Paginator(selectors.list_health_checks(workspace, client_id=client.pk), 20).get_page(
        request.GET.get("page")
    )
    context = {
        "client": client,
        "panel": panel,
        "chart": health_chart(panel.scores, chart_id="health-trend-wide", width=640, height=220),
        "chart_narrow": health_chart(panel.scores, chart_id="health-trend-narrow"),
        "checks": checks,
        "page": checks,
        "reviews": selectors.list_reviews(workspace, client_id=client.pk)[:20],
        "can_edit": _may_edit(request, client),
    }
    return render(request, "relationships/client.html", context)


# Health checks


def _check_form_page(
    request: HttpRequest, form: forms.HealthCheckForm, client: Client, title: str
) -> HttpResponse:
    context = {"form": form, "client": client, "title": title, "cancel": _back(client)}
    return render(request, "relationships/health_check_form.html", context)


@role_required(Action.MANAGE_CLIENTS)
def health_check_create(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = _client(request, client_id)
    require(request, Action.MANAGE_CLIENTS, client)
    initial = {"held_on": local_today(workspace), "reviewer": request.user.pk}
    form = forms.HealthCheckForm(request.POST or None, workspace=workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.record_health_check(
                client, by=acting_user(request), answers=form.answers(), **form.check_data()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            score = format_number(check.score or 0)
            messages.success(request, f"Health check recorded: {score} of 100.")
            return redirect("relationships:health_check", health_check_id=check.pk)
    return _check_form_page(request, form, client, f"Health check of {client}")


@role_required(Action.VIEW)
def health_check_detail(request: HttpRequest, health_check_id: int) -> HttpResponse:
    check = get_for_workspace_or_404(HealthCheck, request_workspace(request), pk=health_check_id)
    context = {
        "check": check,
        "client": check.client,
        "sheet": selectors.check_sheet(check),
        "can_edit": _may_edit(request, check.client),
    }
    return render(request, "relationships/health_check.html", context)


@role_required(Action.MANAGE_CLIENTS)
def health_check_edit(request: HttpRequest, health_check_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    check = get_for_workspace_or_404(HealthCheck, workspace, pk=health_check_id)
    require(request, Action.MANAGE_CLIENTS, check.client)
    form = forms.HealthCheckForm(
        request.POST or None, workspace=workspace, initial=forms.HealthCheckForm.initial_for(check)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_health_check(
                check, by=acting_user(request), answers=form.answers(), **form.check_data()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Health check saved.")
            return redirect("relationships:health_check", health_check_id=check.pk)
    return _check_form_page(request, form, check.client, f"Edit health check of {check.client}")


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def health_check_delete(request: HttpRequest, health_check_id: int) -> HttpResponse:
    check = get_for_workspace_or_404(HealthCheck, request_workspace(request), pk=health_check_id)
    client = check.client
    require(request, Action.MANAGE_CLIENTS, client)
    services.delete_health_check(check, by=acting_user(request))
    messages.success(request, "Health check deleted.")
    return redirect(_back(client))


# Business reviews


def _review_page(
    request: HttpRequest, client: Client, title: str, *parts: Any, review: Any = None
) -> HttpResponse:
    form, goals, values = parts
    context = {
        "form": form,
        "goals": goals,
        "values": values,
        "client": client,
        "title": title,
        "review": review,
        "cancel": _back(client),
    }
    return render(request, "relationships/review_form.html", context)


def _save_review(
    request: HttpRequest, client: Client, review: BusinessReview | None, *parts: Any
) -> BusinessReview | None:
    """Validate the three parts and call the service; None (errors on the form) if refused."""
    form, goals, values = parts
    if not all(p.is_valid() for p in parts):
        return None
    data = form.review_data()
    data["goals"] = forms.goals_of(goals)
    data["value_delivered"] = forms.values_of(values)
    try:
        if review is None:
            return services.record_business_review(client, by=acting_user(request), **data)
        return services.update_business_review(review, by=acting_user(request), **data)
    except DomainError as error:
        apply_domain_error(form, error)
        return None


@role_required(Action.MANAGE_CLIENTS)
def review_create(request: HttpRequest, client_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    client = _client(request, client_id)
    require(request, Action.MANAGE_CLIENTS, client)
    data = request.POST or None
    initial = {"held_on": local_today(workspace), "led_by": request.user.pk}
    parts = (
        forms.BusinessReviewForm(data, workspace=workspace, initial=initial),
        forms.GoalFormSet(data, prefix="goals"),
        forms.ValueFormSet(data, prefix="values"),
    )
    if data is not None and (review := _save_review(request, client, None, *parts)):
        messages.success(request, f"Business review {review.get_status_display().lower()}.")
        return redirect("relationships:review", review_id=review.pk)
    return _review_page(request, client, f"Business review with {client}", *parts)


@role_required(Action.VIEW)
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_for_workspace_or_404(BusinessReview, request_workspace(request), pk=review_id)
    items = selectors.review_items(review)
    total = sum((i.amount for i in items["value"] if i.amount is not None), start=0)
    context = {
        "review": review,
        "client": review.client,
        "items": items,
        "value_total": total,
        "can_edit": _may_edit(request, review.client),
    }
    return render(request, "relationships/review.html", context)


@role_required(Action.MANAGE_CLIENTS)
def review_edit(request: HttpRequest, review_id: int) -> HttpResponse:
    workspace = request_workspace(request)
    review = get_for_workspace_or_404(BusinessReview, workspace, pk=review_id)
    require(request, Action.MANAGE_CLIENTS, review.client)
    items = selectors.review_items(review)
    data = request.POST or None
    goals = [{"text": i.text, "goal_status": i.goal_status} for i in items["goal"]]
    values = [{"text": i.text, "amount": i.amount} for i in items["value"]]
    parts = (
        forms.BusinessReviewForm(
            data, workspace=workspace, initial=forms.BusinessReviewForm.initial_for(review, items)
        ),
        forms.GoalFormSet(data, prefix="goals", initial=goals),
        forms.ValueFormSet(data, prefix="values", initial=values),
    )
    if data is not None and _save_review(request, review.client, review, *parts):
        messages.success(request, "Business review saved.")
        return redirect("relationships:review", review_id=review.pk)
    title = f"Edit business review with {review.client}"
    return _review_page(request, review.client, title, *parts, review=review)


@require_POST
@role_required(Action.MANAGE_CLIENTS)
def review_delete(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_for_workspace_or_404(BusinessReview, request_workspace(request), pk=review_id)
    client = review.client
    require(request, Action.MANAGE_CLIENTS, client)
    services.delete_business_review(review, by=acting_user(request))
    messages.success(request, "Business review deleted.")
    return redirect(_back(client))
