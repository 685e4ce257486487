"""What background work needs to survive restarts: the mail outbox, periodic-job runs, workers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxChannel(models.TextChoices):
    MAIL = "mail", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class OutboxMessage(models.Model):
    """One message (an e-mail, a webhook call), written in the business transaction and sent by
    the worker after commit.

    ``key`` makes queuing idempotent (one row per message, whatever retries happen upstream) and
    is the Message-ID's left part, so a receiving server can tell a resend from a new message.
    ``channel`` names the sender registered for it in ``core.outbox`` (mail, webhooks).
    ``workspace`` is empty only for mail about a person rather than a firm (a password reset).
    """

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(
        max_length=20, choices=OutboxChannel.choices, default=OutboxChannel.MAIL
    )
    topic = models.CharField(max_length=60, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=255)
    summary = models.CharField(max_length=200, blank=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.summary} ({self.get_status_display()})"


class JobRun(models.Model):
    """A periodic job's run for one period (and workspace): the row is the lease.

    Inserting it is how a worker claims the period; the unique constraints make any number of
    workers on any number of nodes run each job once per period.
    """

    name = models.CharField(max_length=100)
    period = models.CharField(max_length=40)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["name", "period", "workspace"],
                condition=Q(workspace__isnull=False),
                name="one_job_run_per_workspace_period",
            ),
            models.UniqueConstraint(
                fields=["name", "period"],
                condition=Q(workspace__isnull=True),
                name="one_job_run_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"


def worker_lease_seconds() -> float:
    """How long a silent worker keeps its task: heartbeats come four times as often."""
    return float(getattr(settings, "TRUSTLEDGER_WORKER_LEASE", 60))


class HeartbeatQuerySet(models.QuerySet["WorkerHeartbeat"]):
    def alive(self, now: dt.datetime | None = None) -> HeartbeatQuerySet:
        """The workers heard of within the lease."""
        fresh = (now or timezone.now()) - dt.timedelta(seconds=worker_lease_seconds())
        return self.filter(seen_at__gte=fresh)


class WorkerHeartbeat(models.Model):
    """A running worker: when it was last seen alive, and which task it is running.

    A task stays RUNNING only while its worker's heartbeat is fresh and names it; otherwise the
    worker died (or lost the database mid-task) and the task is taken up again.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    task_id = models.UUIDField(null=True, blank=True)

    objects = HeartbeatQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"
