"""Engagements and the facts of delivering them: charters, milestones, deliverables, time,
change requests, notices and quality issues.

These facts feed the Results and Integrity pillars of the trust index, so each carries the date it
happened and, where that can differ, ``recorded_at``: when the firm learnt of it. The index as of a
date uses only facts recorded by then. An edit of a field the index reads keeps the version it
replaces and moves ``recorded_at`` to the edit (``core.history``, declared at the end).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.core import history
from trustledger.workspaces.tenancy import WorkspaceScoped


class EngagementType(models.TextChoices):
    FIXED_FEE = "fixed_fee", "Fixed fee"
    TIME_AND_MATERIALS = "time_materials", "Time and materials"
    RETAINER = "retainer", "Retainer"


class EngagementStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Engagement(WorkspaceScoped):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="engagements")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=EngagementType.choices)
    status = models.CharField(
        max_length=12, choices=EngagementStatus.choices, default=EngagementStatus.PROPOSED
    )
    start_date = models.DateField()
    end_date = models.DateField()
    budget_hours = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    budget_amount = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="EUR")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The charter's kickoff and the client's sign-off (who and when).
    kickoff_date = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_on = models.DateField(null=True, blank=True)
    activated_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # What the client's contacts see in the portal: nothing until the firm shares it.
    portal_shared = models.BooleanField("shared in the client portal", default=False)
    portal_shows_budget = models.BooleanField("show budget figures in the portal", default=True)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="engagement_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "client", "status"]),
            models.Index(fields=["workspace", "external_id"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def charter_signed(self) -> bool:
        return self.signed_off_by_id is not None and self.signed_off_on is not None


class ScopeItem(WorkspaceScoped):
    """Something the charter promises; items added later come from an approved change request."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="scope_items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    change_request = models.ForeignKey(
        "ChangeRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Side(models.TextChoices):
    FIRM = "firm", "Our firm"
    CLIENT = "client", "Client"


class Responsibility(WorkspaceScoped):
    """Who does what, on each side: the charter's roles and responsibilities."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="responsibilities"
    )
    side = models.CharField(max_length=6, choices=Side.choices)
    person = models.CharField(max_length=200)
    role = models.CharField(max_length=200)

    class Meta:
        ordering = ["side", "id"]
        verbose_name_plural = "responsibilities"

    def __str__(self) -> str:
        return f"{self.person}: {self.role}"


class SuccessCriterion(WorkspaceScoped):
    """A KPI the client will judge the engagement by; assessed met or not at close."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="success_criteria"
    )
    description = models.CharField(max_length=300)
    target = models.CharField(max_length=200, blank=True)
    met = models.BooleanField(null=True, blank=True)
    assessed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "success criteria"

    def __str__(self) -> str:
        return self.description


class Assignment(WorkspaceScoped):
    """A person booked on an engagement for some hours a week: the basis of the capacity check."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weekly_hours = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "person"], name="assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.engagement}: {self.weekly_hours} h/week"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class Milestone(WorkspaceScoped):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    committed_date = models.DateField()
    buffer_days = models.PositiveIntegerField(default=0)
    forecast_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    delivered_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    # When the delivery (``delivered_on``) was recorded; empty: with the milestone itself.
    delivery_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["committed_date", "id"]
        indexes = [models.Index(fields=["workspace", "committed_date"])]

    def __str__(self) -> str:
        return self.name

    @property
    def days_late(self) -> int | None:
        if self.delivered_on is None:
            return None
        return max(0, (self.delivered_on - self.committed_date).days)


class DeliverableStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_REVIEW = "in_review", "In client review"
    RETURNED = "returned", "Returned for changes"
    ACCEPTED = "accepted", "Accepted"


class Deliverable(WorkspaceScoped):
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="deliverables"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliverables"
    )
    name = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=DeliverableStatus.choices, default=DeliverableStatus.PLANNED
    )
    submitted_on = models.DateField(null=True, blank=True)
    accepted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.name


class ReviewOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned"


class DeliverableReview(WorkspaceScoped):
    """One client review of a deliverable: accepted first time is the quality signal."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    reasons = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reviewed_on", "id"]

    def __str__(self) -> str:
        return f"{self.deliverable}: {self.outcome} on {self.reviewed_on}"


class NoticeKind(models.TextChoices):
    SLIP = "slip", "Schedule slip"
    OVERRUN = "overrun", "Budget overrun"


class Notice(WorkspaceScoped):
    """A proactive notice to the client of a slip or an overrun: told before, or found out after."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="notices")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    kind = models.CharField(max_length=8, choices=NoticeKind.choices)
    sent_on = models.DateField()
    new_date = models.DateField(null=True, blank=True)
    new_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    message = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} notice on {self.sent_on}"


class ChangeRequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ChangeRequest(WorkspaceScoped):
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="change_requests"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    effort_hours = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    cost_impact = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    schedule_impact_days = models.IntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.DRAFT
    )
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    # The contact decided it themselves in the client portal (not relayed to the firm).
    decided_in_portal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # When the decision (``decided_on``) was recorded; empty: on the day it is dated.
    decision_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TimeClassification(models.TextChoices):
    """What an entry's hours count as when the entry is on no scope item and no change request.

    Blank: judged by its scope item or change request, and with neither, work outside the
    approved scope (scope creep: someone said so when logging it, or mapped its task so).
    Unclassified: an imported row whose task names no scope item and no mapping says what it is;
    it counts neither for nor against the firm until someone maps its task.
    """

    BY_WORK = "", "By its scope item or change request"
    OVERHEAD = "overhead", "Approved overhead"
    UNCLASSIFIED = "unclassified", "Unclassified"


class TimeEntry(WorkspaceScoped):
    """Hours worked. Work on scope the client had not approved (no scope item, or a change request
    not yet approved on the day) is scope creep; imported work nobody classified is not."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="time_entries"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(max_length=200, blank=True)
    date = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    cost_rate = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    bill_rate = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    scope_item = models.ForeignKey(
        ScopeItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_entries"
    )
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_entries"
    )
    note = models.CharField(max_length=500, blank=True)
    # The time tracker's task, as an import read it (blank when logged here or left blank there).
    # Database defaults too: raw bulk writers that name no task still insert valid rows.
    task = models.CharField(max_length=200, blank=True, default="", db_default="")
    classification = models.CharField(
        max_length=12,
        choices=TimeClassification.choices,
        blank=True,
        default=TimeClassification.BY_WORK,
        db_default=TimeClassification.BY_WORK,
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # When a later mapping changed what the entry counts as: as of an earlier day it was still
    # unclassified (null: classified when recorded).
    reclassified_at = models.DateTimeField(null=True, blank=True)
    # Set by importers: the same source row imported twice is recognised, never duplicated.
    import_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 NULL: not imported

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "time entries"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "import_key"], name="time_entry_import_once"
            ),
            # overhead and unclassified describe work on no scope item and no change request
            models.CheckConstraint(
                condition=models.Q(classification="")
                | models.Q(scope_item__isnull=True, change_request__isnull=True),
                name="time_entry_classified_only_off_scope",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "engagement", "date"]),
            # the trust signals read a window of dates across the whole workspace
            models.Index(fields=["workspace", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.date}"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class FoundBy(models.TextChoices):
    CLIENT = "client", "Client"
    INTERNAL = "internal", "Us (internal review)"


class QualityIssue(WorkspaceScoped):
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="quality_issues"
    )
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.SET_NULL, null=True, blank=True, related_name="issues"
    )
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    found_by = models.CharField(max_length=8, choices=FoundBy.choices)
    opened_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    root_cause = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.title


class TaskTarget(models.TextChoices):
    SCOPE_ITEM = "scope_item", "A scope item"
    OVERHEAD = "overhead", "Approved overhead"
    UNAPPROVED = "unapproved", "Outside the approved scope"


def normalise_task(task: str) -> str:
    """How task names are compared: case and spacing do not matter."""
    return " ".join(task.split()).casefold()


class TaskMapping(WorkspaceScoped):
    """What a time tracker's task name counts as: on one engagement (a scope item of it,
    approved overhead, or work outside the approved scope) or, with no engagement, firm-wide
    (overhead or outside the approved scope: a firm-wide task names no one engagement's scope).

    An engagement's own mapping comes first, then a scope item of the same title, then the
    firm-wide mapping; a task none of them names is unclassified.
    """

    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="task_mappings",
    )
    task = models.CharField(max_length=200, blank=True)
    task_key = models.CharField(max_length=200, blank=True, editable=False)
    target = models.CharField(max_length=12, choices=TaskTarget.choices)
    scope_item = models.ForeignKey(
        ScopeItem, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "task_key"],
                condition=models.Q(engagement__isnull=False),
                name="task_mapping_once_per_engagement",
            ),
            models.UniqueConstraint(
                fields=["workspace", "task_key"],
                condition=models.Q(engagement__isnull=True),
                name="task_mapping_once_firm_wide",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(target="scope_item", scope_item__isnull=False)
                    & models.Q(engagement__isnull=False)
                )
                | (~models.Q(target="scope_item") & models.Q(scope_item__isnull=True)),
                name="task_mapping_scope_item_iff_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task or '(no task)'} → {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.task_key = normalise_task(self.task)
        super().save(*args, **kwargs)

    @property
    def target_label(self) -> str:
        if self.target == TaskTarget.SCOPE_ITEM and self.scope_item is not None:
            return self.scope_item.title
        return str(TaskTarget(self.target).label)


# What the trust index reads of each fact: an edit of these (or a deletion) keeps the version it
# replaces, so the index as of an earlier day reads what was known then (``core.history``).
history.versioned(
    Milestone,
    reads=("committed_date", "buffer_days", "status", "delivered_on"),
    client="engagement__client_id",
)
history.versioned(
    TimeEntry,
    reads=(
        "engagement",
        "date",
        "hours",
        "bill_rate",
        "scope_item",
        "change_request",
        "classification",
    ),
    client="engagement__client_id",
)
