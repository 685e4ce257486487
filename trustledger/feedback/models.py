"""Voice of the client: survey campaigns, invitations, answers, and the follow-ups they create.

Facts here feed the Voice pillar (recommendation, sentiment) and Concern's closing-the-loop
indicator. Each fact records when the firm learnt it (``recorded_at``, ``created_at``,
``closed_at``), because the index as of a date uses only what was known by then: an answer
imported today about last spring counts from today.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.engagements.models import Engagement
from trustledger.scoring.nps import Category, category
from trustledger.workspaces.tenancy import WorkspaceScoped

DEFAULT_RECOMMENDATION_QUESTION = (
    "How likely is it that you would recommend us to a friend or colleague?"
)
DEFAULT_REASON_QUESTION = "What is the main reason for your score?"
MAX_EXTRA_QUESTIONS = 3
# The classifier's themes (``trustledger.feedback.analysis.THEMES``), named here so that pages
# need not load the classifier to list them; a test keeps the two equal.
THEMES = ("deadlines", "communication", "scope_budget", "quality", "praise", "other")


class SurveySettings(WorkspaceScoped):
    """How often a workspace may survey a contact, and how it follows up. One row a workspace."""

    throttle_days = models.PositiveIntegerField(
        "survey a contact at most once every (days)",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    reminder_after_days = models.PositiveIntegerField(
        "remind after (days)",
        default=5,
        validators=[MaxValueValidator(365)],
        help_text="One reminder this many days after the invitation; 0 sends no reminder.",
    )
    link_valid_days = models.PositiveIntegerField(
        "survey links expire after (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    follow_up_business_days = models.PositiveIntegerField(
        "follow-ups are due within (business days)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "survey settings"
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="survey_settings_once"),
            models.CheckConstraint(
                condition=models.Q(reminder_after_days__lt=models.F("link_valid_days"))
                | models.Q(reminder_after_days=0),
                name="survey_reminder_before_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"Survey settings of {self.workspace_id}"


class Schedule(models.TextChoices):
    ONCE = "once", "Once"
    RECURRING = "recurring", "Every few months"
    AFTER_ENGAGEMENT = "after_engagement", "After each engagement closes"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"


class SurveyCampaign(WorkspaceScoped):
    """What to ask, whom (clients and/or tiers; neither means every active client) and when."""

    name = models.CharField(max_length=200)
    recommendation_question = models.CharField(
        max_length=300, default=DEFAULT_RECOMMENDATION_QUESTION
    )
    reason_question = models.CharField(max_length=300, default=DEFAULT_REASON_QUESTION)
    extra_questions = models.JSONField(default=list, blank=True)  # up to 3 open questions
    audience_tiers = models.JSONField(default=list, blank=True)
    audience_clients = models.ManyToManyField(
        Client, through="CampaignClient", related_name="+", blank=True
    )
    schedule = models.CharField(max_length=20, choices=Schedule.choices, default=Schedule.ONCE)
    starts_on = models.DateField(default=timezone.localdate)
    interval_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    delay_days = models.PositiveSmallIntegerField(
        "days after the engagement closes",
        default=7,
        validators=[MaxValueValidator(90)],
    )
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    next_run_on = models.DateField(null=True, blank=True)
    last_run_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_run_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def questions(self) -> list[str]:
        return [str(q) for q in self.extra_questions or []]


class CampaignClient(WorkspaceScoped):
    """A client chosen for a campaign's audience (the through table carries the workspace)."""

    campaign = models.ForeignKey(SurveyCampaign, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "client"], name="campaign_client_once")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} in {self.campaign_id}"


class SurveyInvitation(WorkspaceScoped):
    """One contact asked once, through links only they received.

    Only SHA-256 hashes of the links' tokens are stored, like API keys: a copy of the database
    (a backup, a read replica, an analyst's extract) cannot be used to answer as the client. The
    token is made by the task that sends the e-mail and lives only in that e-mail; the reminder
    carries a second token of its own, so both e-mails' links work.
    """

    campaign = models.ForeignKey(
        SurveyCampaign, on_delete=models.CASCADE, related_name="invitations"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(
        Engagement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    reminder_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    skipped_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact", "engagement"],
                condition=models.Q(engagement__isnull=False),
                name="invitation_once_per_engagement",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "contact", "created_at"]),
            models.Index(fields=["workspace", "campaign"]),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.contact_id}"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def status(self) -> str:
        """The furthest step reached: answered, expired, opened, reminded, sent, skipped, queued."""
        if self.answered_at:
            return "answered"
        if self.is_expired():
            return "expired"
        if self.opened_at:
            return "opened"
        if self.reminded_at:
            return "reminded"
        if self.sent_at:
            return "sent"
        return "skipped" if self.skipped_reason else "queued"


class ResponseSource(models.TextChoices):
    SURVEY = "survey", "Survey link"
    MANUAL = "manual", "Recorded by hand"
    DELIGHTED = "delighted", "Delighted import"
    TYPEFORM = "typeform", "Typeform import"
    CSV = "csv", "CSV import"


class SurveyResponse(WorkspaceScoped):
    """An answer 0-10 and its comment, with the sentiment and theme the classifier gave it."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    campaign = models.ForeignKey(
        SurveyCampaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="survey_responses")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )
    respondent = models.CharField(
        max_length=254, blank=True
    )  # name or e-mail as the source gave it
    engagement = models.ForeignKey(
        Engagement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    comment = models.TextField(blank=True)
    extra_answers = models.JSONField(default=dict, blank=True)
    answered_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=ResponseSource.choices)
    import_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 NULL: not imported
    sentiment_label = models.CharField(max_length=8, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    theme = models.CharField(max_length=20, blank=True)
    theme_confidence = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=10), name="response_score_0_10"),
            models.UniqueConstraint(
                fields=["workspace", "import_key"], name="response_import_once"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "client", "answered_at"]),
            models.Index(fields=["workspace", "recorded_at"]),
            # portfolio NPS and themes over a period read answers by date across all clients
            models.Index(fields=["workspace", "answered_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.score} from {self.respondent or self.client_id}"

    @property
    def category(self) -> Category:
        return category(self.score)


class FollowUpReason(models.TextChoices):
    DETRACTOR = "detractor", "Detractor"
    COMPLAINT = "complaint", "Complaint"
    MANUAL = "manual", "Other feedback"


class FollowUp(WorkspaceScoped):
    """Closing the loop: someone gets back to the client by a due date, and says what came of it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="follow_ups")
    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up"
    )
    reason = models.CharField(max_length=10, choices=FollowUpReason.choices)
    summary = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # When ``follow_up.overdue`` was published (once per due date: moving it re-arms it).
    overdue_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True, closed_at__isnull=True)
                | models.Q(done_on__isnull=False, closed_at__isnull=False),
                name="follow_up_done_has_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "done_on", "due_on"]),
            models.Index(fields=["workspace", "client"]),
        ]

    def __str__(self) -> str:
        return self.summary

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.done_on is None and self.due_on < (today or timezone.localdate())
