"""Dated exchange rates: what one unit of a currency was worth in a workspace's base currency.

A rate is a fact like any other: typed on the settings page, imported from the ECB's reference
rates, or derived by cross rates when the base currency changes (``source`` says which). Each
row keeps the base it is quoted in, so changing the base loses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustledger.scoring.currency import format_day, format_rate
from trustledger.workspaces.tenancy import WorkspaceScoped


class RateSource(models.TextChoices):
    TYPED = "typed", "Typed"
    ECB = "ecb", "ECB reference rate"
    CROSS = "cross", "Cross rate (base changed)"


class ExchangeRate(WorkspaceScoped):
    """On ``date``, 1 ``currency`` = ``rate`` ``base``."""

    currency = models.CharField(max_length=3)
    base = models.CharField(max_length=3)
    date = models.DateField()
    rate = models.DecimalField(max_digits=24, decimal_places=12)
    source = models.CharField(max_length=5, choices=RateSource.choices, default=RateSource.TYPED)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "currency"]
        constraints = [
            # also the index every lookup uses: the latest rate on or before a day
            models.UniqueConstraint(
                fields=["workspace", "base", "currency", "date"], name="exchange_rate_once_a_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(currency=models.F("base")), name="exchange_rate_of_another"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate_text} {self.base} on {format_day(self.date)}"

    @property
    def rate_text(self) -> str:
        return format_rate(self.rate)
