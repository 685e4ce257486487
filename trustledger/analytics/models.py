"""The monthly roll-up of time the dashboard reads instead of millions of time entries."""

from __future__ import annotations

from django.db import models

from trustledger.workspaces.tenancy import WorkspaceScoped


class TimeMonth(WorkspaceScoped):
    """Hours, cost and billed value of one engagement in one calendar month (``month`` is its
    first day), in the engagement's currency. Derived data: rebuilt from the time entries by
    ``analytics.rollup``, never edited; the engagement's client and currency are copied so
    segments filter, and sums convert per currency and month, without a join through it."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    currency = models.CharField(max_length=3, default="EUR")
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    cost = models.DecimalField(max_digits=20, decimal_places=4)
    revenue = models.DecimalField(max_digits=20, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "month"], name="time_month_once"),
        ]
        indexes = [models.Index(fields=["workspace", "month"])]

    def __str__(self) -> str:
        return f"{self.engagement_id} {self.month:%Y-%m}"
