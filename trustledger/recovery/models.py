"""Recovery plans: acknowledge, root causes, improvement actions, updates, small wins, close.

A plan keeps what the firm knew when it opened it (the trigger, the alert's evidence and the
client's trust snapshot) so that its close can show honestly what changed: the index and NPS
before (at opening) and after (at closing) are stored, never recomputed later.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustledger.clients.models import Client, Contact
from trustledger.communications.models import Interaction
from trustledger.scoring.index import INDICATORS, PILLARS
from trustledger.trust.forms import LABELS
from trustledger.trust.models import Alert
from trustledger.workspaces.tenancy import WorkspaceScoped

DEFAULT_UPDATE_EVERY_DAYS = 7

# The erosion factors a root cause belongs to are the trust index's indicators, grouped by pillar.
FACTOR_CHOICES = [(key, LABELS[key]) for key in INDICATORS]
PILLAR_OF = {key: pillar for pillar, keys in PILLARS.items() for key in keys}


class Fishbone(models.TextChoices):
    PEOPLE = "people", "People"
    PROCESS = "process", "Process"
    TOOLS = "tools", "Tools"
    COMMUNICATION = "communication", "Communication"
    SCOPE = "scope", "Scope"
    CLIENT_ENVIRONMENT = "client_environment", "Client environment"


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    RECOVERED = "recovered", "Recovered"
    PARTIALLY = "partially", "Partially recovered"
    LOST = "lost", "Lost"


class RecoveryPlan(WorkspaceScoped):
    """Rebuilding one client's trust, from the trigger to the close."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="recovery_plans")
    alert = models.ForeignKey(
        Alert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    trigger = models.CharField(max_length=500)
    evidence = models.JSONField(default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    opened_on = models.DateField(default=timezone.localdate)
    update_every_days = models.PositiveSmallIntegerField(default=DEFAULT_UPDATE_EVERY_DAYS)
    shared_with_client = models.BooleanField(default=False)
    index_before = models.FloatField(null=True, blank=True)
    band_before = models.CharField(max_length=16, blank=True)
    nps_before = models.FloatField(null=True, blank=True)
    nps_before_answers = models.PositiveIntegerField(default=0)
    # Acknowledge
    meeting_scheduled_on = models.DateField(null=True, blank=True)
    meeting_held_on = models.DateField(null=True, blank=True)
    responsibility_taken = models.BooleanField(null=True, blank=True)
    responsibility_wording = models.TextField(blank=True)
    acknowledge_notes = models.TextField(blank=True)
    meeting_interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Close
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    index_after = models.FloatField(null=True, blank=True)
    band_after = models.CharField(max_length=16, blank=True)
    nps_after = models.FloatField(null=True, blank=True)
    nps_after_answers = models.PositiveIntegerField(default=0)
    lessons = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True, outcome="")
                | models.Q(status="closed", closed_on__isnull=False) & ~models.Q(outcome=""),
                name="recovery_closed_has_date_and_outcome",
            ),
            models.CheckConstraint(
                condition=models.Q(update_every_days__gte=1), name="recovery_cadence_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["workspace", "client"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN

    @property
    def is_acknowledged(self) -> bool:
        return self.meeting_held_on is not None

    @property
    def stage(self) -> str:
        if self.status == PlanStatus.CLOSED:
            return "Closed"
        return "Improving" if self.is_acknowledged else "Acknowledge"

    def shared_updates(self) -> models.QuerySet[Update]:
        return self.updates.filter(shared_in_portal=True).order_by("-sent_on", "-id")

    def shared_wins(self) -> models.QuerySet[Win]:
        return self.wins.filter(shared=True).order_by("-on", "-id")


class Attendee(WorkspaceScoped):
    """Who attended the acknowledge meeting: one of the firm's people or a client contact."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=True, contact__isnull=False)
                | models.Q(person__isnull=False, contact__isnull=True),
                name="recovery_attendee_person_or_contact",
            )
        ]

    def __str__(self) -> str:
        return str(self.person or (self.contact.name if self.contact else ""))


class WhyChain(WorkspaceScoped):
    """A 5 Whys chain: a problem, then why after why, ending in a root cause."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="chains")
    problem = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.problem


class WhyStep(WorkspaceScoped):
    chain = models.ForeignKey(WhyChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    why = models.CharField(max_length=300)
    answer = models.CharField(max_length=500)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="recovery_why_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.why}"


class RootCause(WorkspaceScoped):
    """A root cause, in a fishbone category and tagged with the erosion factor it belongs to.

    ``detail`` is internal: the client portal never shows it.
    """

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="causes")
    chain = models.OneToOneField(
        WhyChain, on_delete=models.SET_NULL, null=True, blank=True, related_name="root_cause"
    )
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=Fishbone.choices)
    factor = models.CharField(max_length=20, choices=FACTOR_CHOICES)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["workspace", "factor", "category"])]

    def __str__(self) -> str:
        return self.description


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Action(WorkspaceScoped):
    """One step of the improvement plan, with an owner and a due date."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default="open")
    done_on = models.DateField(null=True, blank=True)
    cause = models.ForeignKey(
        RootCause, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="done", done_on__isnull=False)
                | ~models.Q(status="done") & models.Q(done_on__isnull=True),
                name="recovery_action_done_has_date",
            )
        ]
        indexes = [models.Index(fields=["workspace", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today


class Goal(WorkspaceScoped):
    """A short-term goal: a measure, its target and where it stands."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="goals")
    measure = models.CharField(max_length=200)
    target = models.CharField(max_length=100)
    current = models.CharField(max_length=100, blank=True)
    met = models.BooleanField(null=True, blank=True)  # None: not assessed yet

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.measure}: {self.target}"


class Update(WorkspaceScoped):
    """A progress update sent to the client; each one is an outbound interaction."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="updates")
    sent_on = models.DateField()
    summary = models.TextField()
    shared_in_portal = models.BooleanField(default=False)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"Update of {self.sent_on}"


class Win(WorkspaceScoped):
    """A small win worth recording (and, when shared, worth showing the client)."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="wins")
    on = models.DateField()
    what = models.CharField(max_length=300)
    shared = models.BooleanField(default=False)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.what
