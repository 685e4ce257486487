"""The trust index's stored results: configuration versions, snapshots and alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustledger.clients.models import Client
from trustledger.scoring.index import IndexSettings
from trustledger.workspaces.tenancy import WorkspaceScoped


class TrustConfig(WorkspaceScoped):
    """One version of a workspace's index configuration; a change makes a new version.

    Snapshots point at the version that produced them, so an old value can always be explained.
    """

    version = models.PositiveIntegerField()
    weights = models.JSONField(default=dict)
    window_days = models.PositiveIntegerField(default=180)
    half_life_days = models.FloatField(default=90)
    healthy_at = models.FloatField(default=75)
    at_risk_below = models.FloatField(default=50)
    min_confidence = models.FloatField(default=0.5)
    fall_alert_points = models.FloatField(default=10)
    fall_alert_days = models.PositiveIntegerField(default=30)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "version"], name="trust_config_version")
        ]

    def __str__(self) -> str:
        return f"Trust configuration v{self.version}"

    def index_settings(self) -> IndexSettings:
        return IndexSettings(
            weights={k: float(v) for k, v in self.weights.items()},
            window_days=self.window_days,
            half_life_days=self.half_life_days,
            healthy_at=self.healthy_at,
            at_risk_below=self.at_risk_below,
            min_confidence=self.min_confidence,
        )


class SnapshotKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    CURRENT = "current", "Current"


class TrustSnapshot(WorkspaceScoped):
    """A client's index as of a date, with every indicator's score and the events behind it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="trust_snapshots")
    as_of = models.DateField()
    kind = models.CharField(max_length=8, choices=SnapshotKind.choices)
    index = models.FloatField(null=True, blank=True)
    confidence = models.FloatField()
    band = models.CharField(max_length=16)
    pillar_scores = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    weights = models.JSONField(default=dict)
    evidence = models.JSONField(default=dict)
    config = models.ForeignKey(TrustConfig, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind", "as_of"], name="one_snapshot_per_client_kind_date"
            )
        ]
        indexes = [models.Index(fields=["workspace", "kind", "as_of"])]

    def __str__(self) -> str:
        return f"{self.client} {self.as_of}: {self.index}"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(WorkspaceScoped):
    """An early warning about one client; at most one unresolved alert per client and cause."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="alerts")
    cause = models.CharField(max_length=50)
    detail = models.CharField(max_length=500)
    suggested_step = models.CharField(max_length=500)
    evidence_date = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default="open")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "cause"],
                condition=~models.Q(status="resolved"),
                name="one_unresolved_alert_per_cause",
            )
        ]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return f"{self.client}: {self.cause}"


class AlertDigest(WorkspaceScoped):
    """That a person's daily alert digest went out, so the worker sends it once a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "sent_on"], name="one_digest_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Digest to {self.user} on {self.sent_on}"
