"""Webhook subscriptions, the messages sent to them, and every attempt to deliver one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustledger.workspaces.tenancy import WorkspaceScoped


class Format(models.TextChoices):
    STANDARD = "standard", "Standard Webhooks (JSON, signed)"
    SLACK = "slack", "Slack-compatible message (for an incoming-webhook URL)"


class Subscription(WorkspaceScoped):
    """An owner's URL that receives the events it names.

    ``secret`` is the signing secret sealed with a key derived from ``SECRET_KEY`` (signing needs
    the secret itself, so it cannot be hashed); it is shown once, when created or rotated. After a
    rotation the previous secret also signs until ``previous_secret_until``, so a receiver can
    switch over without dropping messages (the spec's multiple signatures).
    """

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.STANDARD)
    secret = models.TextField()
    previous_secret = models.TextField(blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    secret_prefix = models.CharField(max_length=16)
    paused = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebhookMessage(WorkspaceScoped):
    """One event for one subscription: the exact body sent, under one ``webhook_id``.

    It outlives the outbox row (pruned after two weeks), so the log and "redeliver" keep working;
    every retry and redelivery sends the same id and body, so a receiver can drop duplicates.
    """

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="messages"
    )
    webhook_id = models.CharField(max_length=64, unique=True)
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=60)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "-created_at"], name="webhook_log")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"


class DeliveryAttempt(WorkspaceScoped):
    """One POST of a message: the response code (or the error) and how long it took."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="attempts")
    attempt = models.PositiveIntegerField(default=1)
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"attempt {self.attempt} → {self.status_code or self.error}"


class WebhookSettings(WorkspaceScoped):
    """Per workspace: whether subscriptions may target loopback and private addresses (off by
    default: a webhook must not become a way into the firm's own network)."""

    allow_private_targets = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="one_webhook_settings_per_workspace")
        ]

    def __str__(self) -> str:
        return f"webhook settings of {self.workspace_id}"
