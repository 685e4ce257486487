"""Clients, their contacts, and referrals between clients."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from trustledger.workspaces.tenancy import WorkspaceScoped


class Tier(models.TextChoices):
    KEY = "key", "Key"
    GROWTH = "growth", "Growth"
    STANDARD = "standard", "Standard"


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LOST = "lost", "Lost"


class Client(WorkspaceScoped):
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    status = models.CharField(max_length=10, choices=ClientStatus.choices, default="active")
    lost_on = models.DateField(null=True, blank=True)
    lost_reason = models.CharField(max_length=500, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_clients",
    )
    relationship_start = models.DateField(default=timezone.localdate)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace", Lower("name"), name="client_name_unique_in_workspace"
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", lost_on__isnull=True)
                | models.Q(status="lost", lost_on__isnull=False),
                name="client_lost_has_date",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status", "tier"])]

    def __str__(self) -> str:
        return self.name


class Contact(WorkspaceScoped):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    role = models.CharField("job title or role", max_length=120, blank=True)
    is_primary = models.BooleanField(default=False)
    survey_opt_out = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                "workspace", Lower("email"), name="contact_email_unique_in_workspace"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Referral(WorkspaceScoped):
    """``referrer`` recommended the firm to ``referred`` (a client the firm then served)."""

    referrer = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="referrals_given")
    referrer_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referred = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="referrals_received"
    )
    referred_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-referred_on"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(referrer=models.F("referred")), name="referral_not_self"
            ),
            models.UniqueConstraint(fields=["referrer", "referred"], name="referral_once"),
        ]

    def __str__(self) -> str:
        return f"{self.referrer} referred {self.referred}"
