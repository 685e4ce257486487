"""Tier routines, relationship health checks and business reviews.

A tier routine says how often the firm checks the health of a relationship and reviews the
business with the client, per client tier, and whether the tier needs a dedicated account manager.
A health check is the firm's own structured review of a client (answers 1-5 with notes); a
business review is a meeting with the client about goals and the value delivered. Holding a review
also records a communications ``Interaction`` so the cadence measures and the trust index see it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from trustledger.clients.models import Client, Tier
from trustledger.communications.models import Interaction
from trustledger.scoring.health import health_band
from trustledger.workspaces.tenancy import WorkspaceScoped

MAX_MONTHS = 36


class TierRoutine(WorkspaceScoped):
    tier = models.CharField(max_length=20, choices=Tier.choices)
    health_check_months = models.PositiveSmallIntegerField(
        "health check every (months)",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MONTHS)],
    )
    review_months = models.PositiveSmallIntegerField(
        "business review every (months)",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MONTHS)],
    )
    account_manager_required = models.BooleanField("dedicated account manager required")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "tier"], name="one_routine_per_tier"),
            models.CheckConstraint(
                condition=models.Q(health_check_months__gte=1, health_check_months__lte=MAX_MONTHS)
                & models.Q(review_months__gte=1, review_months__lte=MAX_MONTHS),
                name="routine_months_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} tier routine"


class HealthCheck(WorkspaceScoped):
    """The firm's structured review of a relationship; ``score`` is stored when saved (0-100)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="health_checks")
    held_on = models.DateField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True)
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["workspace", "client", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="health_score_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"Health check of {self.client} on {self.held_on:%d %b %Y}"

    @property
    def tone(self) -> str:
        """The badge a score wears: strong ok, fair warn, weak bad (`health_band`)."""
        band = health_band(self.score)
        return "" if band is None else {"strong": "ok", "fair": "warn", "weak": "bad"}[band]


class HealthAnswer(WorkspaceScoped):
    """One question of a health check: its area, the answer 1-5 (None: not assessed), notes."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40)
    area = models.CharField(max_length=30)
    answer = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["health_check", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=models.Q(answer__isnull=True) | models.Q(answer__gte=1, answer__lte=5),
                name="health_answer_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.answer}"


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"


class BusinessReview(WorkspaceScoped):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="business_reviews")
    held_on = models.DateField("date")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default="held")
    led_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attendees = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    interaction = models.OneToOneField(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["workspace", "client", "status", "held_on"])]

    def __str__(self) -> str:
        return f"Business review with {self.client} on {self.held_on:%d %b %Y}"


class ItemKind(models.TextChoices):
    AGENDA = "agenda", "Agenda item"
    GOAL = "goal", "Client goal"
    VALUE = "value", "Value delivered"
    NEXT_STEP = "next_step", "Next step"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class ReviewItem(WorkspaceScoped):
    """A line of a review: an agenda item, a client goal (with status), value delivered (with an
    optional amount in the review's currency) or a next step."""

    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    text = models.CharField(max_length=500)
    goal_status = models.CharField(max_length=12, choices=GoalStatus.choices, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="goal", goal_status__gt="")
                | (~models.Q(kind="goal") & models.Q(goal_status="")),
                name="review_item_goal_has_status",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(kind="value", amount__gte=0),
                name="review_item_amount_is_value",
            ),
        ]

    def __str__(self) -> str:
        return self.text
