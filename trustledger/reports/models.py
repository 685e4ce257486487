"""Status reports drafted from live data: page, PDF and e-mail.

A report is drafted from the facts (``content.build_content``), its narrative edited by a person,
then sent. Sending freezes the figures into ``snapshot``: a sent report shows what the client
read that day, whatever is recorded afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustledger.clients.models import Client
from trustledger.engagements.models import Engagement
from trustledger.workspaces.tenancy import WorkspaceScoped


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class StatusReport(WorkspaceScoped):
    """A status report on one engagement, or on a whole client (``engagement`` empty)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="status_reports")
    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_reports",
    )
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # The narrative as drafted from the facts, and as edited (what the client reads).
    drafted_narrative = models.TextField(blank=True)
    narrative = models.TextField(blank=True)
    # The figures: as of drafting while a draft, frozen at sending once sent.
    snapshot = models.JSONField(default=dict, blank=True)
    recipients = models.JSONField(default=list, blank=True)  # [{"name", "email"}] at sending
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set on drafts made by the cadence job: the budget update they answer, drafted once.
    cadence_due_on = models.DateField(null=True, blank=True)
    interaction = models.ForeignKey(
        "communications.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", sent_at__isnull=True)
                | models.Q(status="sent", sent_at__isnull=False),
                name="report_sent_has_time",
            ),
            models.UniqueConstraint(
                fields=["workspace", "engagement", "cadence_due_on"],
                condition=models.Q(cadence_due_on__isnull=False),
                name="report_cadence_draft_once",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "client", "status", "sent_at"]),
            models.Index(fields=["workspace", "engagement", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def narrative_edited(self) -> bool:
        return self.narrative.strip() != self.drafted_narrative.strip()

    @property
    def subject(self) -> str:
        """What the report is about: the engagement, or the client."""
        return str(self.engagement or self.client)
