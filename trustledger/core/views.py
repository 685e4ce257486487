"""The health check for load balancers and monitoring, and the owners' status page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from trustledger.core import outbox, worker
from trustledger.core.health import health
from trustledger.core.models import OutboxChannel, OutboxMessage, OutboxStatus
from trustledger.web import request_workspace
from trustledger.workspaces.permissions import Action, role_required

FAILED_SHOWN = 50


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers (this node can serve); the body says what else is wrong."""
    report = health()
    return JsonResponse(report.as_dict(), status=200 if report.database else 503)


@role_required(Action.MANAGE_WORKSPACE)
def status(request: HttpRequest) -> HttpResponse:
    from django_tasks_db.models import DBTaskResult

    workspace = request_workspace(request)
    context = {
        "report": health(),
        "failed_mail": OutboxMessage.objects.filter(
            workspace=workspace, status=OutboxStatus.FAILED, channel=OutboxChannel.MAIL
        ).order_by("-next_attempt_at")[:FAILED_SHOWN],
        # Task arguments may name other firms' records: only the task's name and error class.
        "failed_tasks": DBTaskResult.objects.failed()
        .order_by("-finished_at")
        .values("task_path", "finished_at", "exception_class_path", "worker_ids")[:FAILED_SHOWN],
    }
    return render(request, "core/status.html", context)


@require_POST
@role_required(Action.MANAGE_WORKSPACE)
def retry(request: HttpRequest) -> HttpResponse:
    workspace = request_workspace(request)
    mail = outbox.retry_failed(
        list(
            OutboxMessage.objects.filter(
                workspace=workspace, status=OutboxStatus.FAILED, channel=OutboxChannel.MAIL
            ).values_list("pk", flat=True)
        )
    )
    tasks = worker.retry_failed_tasks()
    messages.success(
        request,
        f"Queued again: {mail} e-mail{'s' * (mail != 1)}, {tasks} task{'s' * (tasks != 1)}.",
    )
    return redirect("core:status")
