"""Owners' webhook settings: subscriptions, the secret (shown once), the delivery log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustledger.core.events import EVENT_TYPES
from trustledger.web import acting_user, apply_domain_error, request_workspace
from trustledger.webhooks import services
from trustledger.webhooks.forms import SubscriptionForm, WebhookSettingsForm
from trustledger.webhooks.models import DeliveryAttempt, Subscription, WebhookMessage
from trustledger.workspaces.permissions import Action, role_required
from trustledger.workspaces.services import DomainError
from trustledger.workspaces.tenancy import get_for_workspace_or_404

LOG_PAGE = 25


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    return get_for_workspace_or_404(Subscription, request_workspace(request), pk=subscription_id)


@role_required(Action.MANAGE_WORKSPACE)
def subscriptions(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    rows = Subscription.objects.for_workspace(workspace).annotate(
        sent=Count("messages"), last=Max("messages__created_at")
    )
    allowed = services.allows_private_targets(workspace)
    context = {
        "subscriptions": rows,
        "settings_form": WebhookSettingsForm(initial={"allow_private_targets": allowed}),
        "event_titles": EVENT_TYPES,
    }
    return render(request, "webhooks/list.html", context)


@role_required(Action.MANAGE_WORKSPACE)
def create(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = services.create_subscription(
                workspace, by=acting_user(request), **form.cleaned_data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _show_secret(request, subscription, secret, created=True)
    return render(request, "webhooks/form.html", {"form": form, "subscription": None})


def _show_secret(
    request: HttpRequest, subscription: Subscription, secret: str, *, created: bool
) -> HttpResponse:
    context = {"subscription": subscription, "secret": secret, "created": created}
    return render(request, "webhooks/secret.html", context)


@role_required(Action.MANAGE_WORKSPACE)
def edit(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription(request, subscription_id)
    initial = {f: getattr(subscription, f) for f in ("name", "url", "events", "format")}
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_subscription(subscription, by=acting_user(request), **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("webhooks:detail", subscription.pk)
    return render(request, "webhooks/form.html", {"form": form, "subscription": subscription})


@role_required(Action.MANAGE_WORKSPACE)
def detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription(request, subscription_id)
    log = WebhookMessage.objects.filter(subscription=subscription).prefetch_related(
        Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("attempted_at", "id"))
    )
    page = Paginator(log, LOG_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "subscription": subscription,
        "page": page,
        "event_titles": [EVENT_TYPES[e] for e in subscription.events if e in EVENT_TYPES],
    }
    return render(request, "webhooks/detail.html", context)


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def pause(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription(request, subscription_id)
    paused = request.POST.get("paused") == "1"
    services.set_paused(subscription, paused=paused, by=acting_user(request))
    messages.success(request, "Paused: no new events are sent." if paused else "Resumed.")
    return redirect("webhooks:detail", subscription.pk)


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def rotate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription(request, subscription_id)
    secret = services.rotate_secret(subscription, by=acting_user(request))
    return _show_secret(request, subscription, secret, created=False)


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def send_test(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription(request, subscription_id)
    services.send_test_event(subscription, by=acting_user(request))
    messages.success(request, "A test event is queued; it appears below once sent.")
    return redirect("webhooks:detail", subscription.pk)


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def redeliver(request: HttpRequest, subscription_id: int, webhook_message_id: int) -> HttpResponse:
    subscription = _subscription(request, subscription_id)
    message = get_for_workspace_or_404(
        WebhookMessage, subscription.workspace, pk=webhook_message_id, subscription=subscription
    )
    try:
        services.redeliver(message, by=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{message.webhook_id} is queued again (same id and body).")
    return redirect("webhooks:detail", subscription.pk)


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _subscription(request, subscription_id)
    services.delete_subscription(subscription, by=acting_user(request))
    messages.success(request, f"“{subscription.name}” no longer receives events.")
    return redirect("webhooks:list")


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def private_targets(request: HttpRequest) -> HttpResponse:
    form = WebhookSettingsForm(request.POST)
    allowed = form.is_valid() and form.cleaned_data["allow_private_targets"]
    services.set_allow_private_targets(
        request_workspace(request), allowed=allowed, by=acting_user(request)
    )
    messages.success(
        request, "Private targets are allowed." if allowed else "Private targets are refused."
    )
    return redirect("webhooks:list")
