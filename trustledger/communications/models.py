"""Communication plans and the facts of keeping them: interactions, inquiries and commitments.

These facts feed the Concern pillar (responsiveness, cadence) and Integrity's "commitments kept".
Each carries when it happened and ``recorded_at``, when the firm knew of it: a note typed a week
after a call is known from the day it was typed; an imported e-mail from the day it arrived (the
firm had it in its mailbox then). The index as of a date reads only facts recorded by then.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.core import history
from trustledger.workspaces.tenancy import WorkspaceScoped


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone call"
    MEETING = "meeting", "Meeting"
    MESSAGE = "message", "Chat message"
    SITE_VISIT = "site_visit", "Site visit"
    TICKET = "ticket", "Help-desk ticket"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Direction(models.TextChoices):
    INBOUND = "inbound", "From the client"
    OUTBOUND = "outbound", "To the client"
    TWO_WAY = "two_way", "Both ways"


class InteractionKind(models.TextChoices):
    CHECK_IN = "check_in", "Check-in"
    BUSINESS_REVIEW = "business_review", "Business review"
    BUDGET_UPDATE = "budget_update", "Budget update"
    ESCALATION = "escalation", "Escalation"
    EVENT = "event", "Client event"
    WEBINAR = "webinar", "Webinar"
    OTHER = "other", "Other"


# The kinds a communication plan sets a cadence for, with the plan field holding the interval.
CADENCE_KINDS: dict[str, str] = {
    InteractionKind.CHECK_IN: "check_in_days",
    InteractionKind.BUSINESS_REVIEW: "review_days",
    InteractionKind.BUDGET_UPDATE: "budget_update_days",
}


class Source(models.TextChoices):
    MANUAL = "manual", "Typed in"
    API = "api", "API"
    MBOX = "mbox", "Mailbox (.mbox)"
    EML = "eml", "E-mail (.eml)"
    ICS = "ics", "Calendar (.ics)"
    ZENDESK = "zendesk", "Zendesk"
    FRESHDESK = "freshdesk", "Freshdesk"
    DEMO = "demo", "Demo"
    PORTAL = "portal", "Client portal"


class BusinessCalendar(WorkspaceScoped):
    """The firm's opening hours and time zone: SLA clocks run only while it is open.

    A weekday without both times is closed; a closing time of 00:00 means midnight.
    """

    time_zone = models.CharField(max_length=64, default="UTC")
    mon_opens = models.TimeField("Monday opens", null=True, blank=True)
    mon_closes = models.TimeField("Monday closes", null=True, blank=True)
    tue_opens = models.TimeField("Tuesday opens", null=True, blank=True)
    tue_closes = models.TimeField("Tuesday closes", null=True, blank=True)
    wed_opens = models.TimeField("Wednesday opens", null=True, blank=True)
    wed_closes = models.TimeField("Wednesday closes", null=True, blank=True)
    thu_opens = models.TimeField("Thursday opens", null=True, blank=True)
    thu_closes = models.TimeField("Thursday closes", null=True, blank=True)
    fri_opens = models.TimeField("Friday opens", null=True, blank=True)
    fri_closes = models.TimeField("Friday closes", null=True, blank=True)
    sat_opens = models.TimeField("Saturday opens", null=True, blank=True)
    sat_closes = models.TimeField("Saturday closes", null=True, blank=True)
    sun_opens = models.TimeField("Sunday opens", null=True, blank=True)
    sun_closes = models.TimeField("Sunday closes", null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="one_business_calendar")]

    def __str__(self) -> str:
        return f"Business hours ({self.time_zone})"


class Holiday(WorkspaceScoped):
    """A day the firm is closed: SLA clocks stop for the whole (local) day."""

    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "date"], name="holiday_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class CommunicationPlan(WorkspaceScoped):
    """How the firm keeps in touch with one client, and how fast it promises to answer.

    Cadences are intervals in days (7 is weekly, 91 quarterly); empty means no plan for that
    kind. ``sla_hours`` holds the response SLAs, in business hours, that differ from the
    defaults (``services.DEFAULT_SLA_HOURS``), keyed by channel (``ticket_<priority>`` for
    tickets).
    """

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="communication_plan"
    )
    preferred_channels = models.JSONField(default=list, blank=True)
    check_in_days = models.PositiveSmallIntegerField(null=True, blank=True)
    review_days = models.PositiveSmallIntegerField(null=True, blank=True)
    budget_update_days = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField(default=timezone.localdate)
    sla_hours = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(check_in_days__gt=0) | models.Q(check_in_days__isnull=True),
                name="plan_check_in_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(review_days__gt=0) | models.Q(review_days__isnull=True),
                name="plan_review_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_update_days__gt=0)
                | models.Q(budget_update_days__isnull=True),
                name="plan_budget_update_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Communication plan for {self.client}"

    @property
    def preferred_channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [labels.get(c, c) for c in self.preferred_channels]

    def interval(self, kind: str) -> int | None:
        field = CADENCE_KINDS.get(kind)
        value: int | None = getattr(self, field) if field else None
        return value


class PlanMember(WorkspaceScoped):
    """One of the firm's people on the account, and their role on it."""

    plan = models.ForeignKey(CommunicationPlan, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=120)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="plan_member_once")]

    def __str__(self) -> str:
        return f"{self.person}: {self.role}"


class EscalationContact(WorkspaceScoped):
    """A step of the escalation path: a client contact or one of the firm's people, by level."""

    plan = models.ForeignKey(
        CommunicationPlan, on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.PositiveSmallIntegerField(default=1)
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["level", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=True, person__isnull=False)
                | models.Q(contact__isnull=False, person__isnull=True),
                name="escalation_contact_or_person",
            ),
            models.CheckConstraint(condition=models.Q(level__gte=1), name="escalation_level_1"),
        ]

    def __str__(self) -> str:
        return f"Level {self.level}: {self.contact or self.person}"


class SourcedFact(WorkspaceScoped):
    """A fact that may come from an import: ``source_key`` recognises it when re-imported.

    Keys are namespaced by format (``email:<Message-ID>``, ``ics:<UID>|<RECURRENCE-ID>``,
    ``zendesk:<id>``), so the same e-mail from an .mbox and an .eml is one fact.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL)
    source_key = models.CharField(max_length=255, blank=True)
    thread_key = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class Interaction(SourcedFact):
    """A touch with the client: a meeting, call, e-mail, message, visit, event or webinar."""

    channel = models.CharField(max_length=12, choices=Channel.choices)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.TWO_WAY
    )
    kind = models.CharField(
        max_length=20, choices=InteractionKind.choices, default=InteractionKind.OTHER
    )
    occurred_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    participants = models.JSONField(default=list, blank=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source_key"],
                condition=~models.Q(source_key=""),
                name="interaction_source_key_once",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "client", "occurred_at"]),
            models.Index(fields=["workspace", "kind", "occurred_at"]),
            models.Index(fields=["workspace", "thread_key"]),
        ]

    def __str__(self) -> str:
        return self.subject


class Inquiry(SourcedFact):
    """A question or request from the client, with its first response and resolution.

    ``sla_due`` is the channel's SLA (``sla_hours``, business hours) counted on the firm's
    calendar from ``received_at``; a change of opening hours or holidays counts it again, as it
    does the first response (``sla.recount_deadlines``). ``response_recorded_at`` is when the
    firm recorded the first response (it may be logged after it was given).
    """

    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    subject = models.CharField(max_length=300)
    received_at = models.DateTimeField()
    sla_hours = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    sla_due = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response_recorded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="inquiries"
    )
    # The first response in business hours, stored so the analytics need not count every
    # inquiry's calendar again (sla.store_response_hours). Valid only while the firm's calendar
    # (its fingerprint) and both times are those it was counted from; readers check that.
    response_hours = models.FloatField(null=True, blank=True)
    response_hours_calendar = models.CharField(max_length=16, blank=True, db_default="")
    response_hours_from = models.DateTimeField(null=True, blank=True)
    response_hours_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "inquiries"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source_key"],
                condition=~models.Q(source_key=""),
                name="inquiry_source_key_once",
            ),
            models.CheckConstraint(
                condition=models.Q(sla_due__gt=models.F("received_at")),
                name="inquiry_sla_after_receipt",
            ),
            models.CheckConstraint(
                condition=models.Q(first_response_at__isnull=True)
                | models.Q(first_response_at__gte=models.F("received_at")),
                name="inquiry_response_after_receipt",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True)
                | models.Q(resolved_at__gte=models.F("received_at")),
                name="inquiry_resolved_after_receipt",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "client", "received_at"]),
            models.Index(fields=["workspace", "received_at"]),  # the analytics' period
            models.Index(fields=["workspace", "first_response_at", "sla_due"]),
            models.Index(fields=["workspace", "thread_key"]),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.first_response_at is None and self.resolved_at is None

    def breached(self, now: datetime | None = None) -> bool:
        """Answered after its SLA, or still unanswered after it (as of ``now``)."""
        if self.first_response_at is not None:
            return self.first_response_at > self.sla_due
        return (now or timezone.now()) > self.sla_due


class Commitment(WorkspaceScoped):
    """A promise to the client: what, who owes it, when it was made and when it is due.

    Kept when done by its due date, late when done after it, broken when given up (or when
    still open past its due date, as the trust index sees it).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="commitments")
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    made_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    broken_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)  # when done/broken was recorded
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("made_on")),
                name="commitment_due_after_made",
            ),
            models.CheckConstraint(
                condition=~models.Q(done_on__isnull=False, broken_on__isnull=False),
                name="commitment_done_or_broken",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "client", "due_on"]),
            models.Index(fields=["workspace", "owner", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def outcome(self) -> str:
        """kept, late, broken, overdue or open (today, in the server's time zone)."""
        if self.done_on is not None:
            return "kept" if self.done_on <= self.due_on else "late"
        if self.broken_on is not None:
            return "broken"
        return "overdue" if self.due_on < timezone.localdate() else "open"


# What the trust index reads of each fact: an edit of these (or a deletion) keeps the version it
# replaces, so the index as of an earlier day reads what was known then (``core.history``).
history.versioned(Interaction, reads=("client", "kind", "occurred_at"), client="client_id")
history.versioned(
    Inquiry,
    reads=("client", "received_at", "sla_hours", "sla_due", "first_response_at"),
    client="client_id",
)
history.versioned(
    Commitment, reads=("client", "due_on", "done_on", "broken_on"), client="client_id"
)
