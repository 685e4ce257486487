"""Request and response shapes of the engagements API.

No ``from __future__ import annotations``: ninja reads these annotations at run time.
Text is stripped and refuses NUL and lone surrogates (PostgreSQL stores neither); money and hours
are decimals within the columns' precision; dates stay within years a firm can mean, so date
arithmetic cannot overflow.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Q
from ninja import Field, FilterLookup, FilterSchema, Schema
from pydantic import StringConstraints

from trustledger.api.fields import Storable, omittable, text
from trustledger.engagements.models import (
    ChangeRequestStatus,
    DeliverableStatus,
    EngagementStatus,
    EngagementType,
    FoundBy,
    MilestoneStatus,
    NoticeKind,
    ReviewOutcome,
    Severity,
    Side,
    TaskTarget,
)
from trustledger.engagements.selectors import CREEP, Standing

Name = Annotated[str, text(1, 200), Storable]
Line = Annotated[str, text(0, 200), Storable]
Criterion = Annotated[str, text(1, 300), Storable]
Note = Annotated[str, text(0, 500), Storable]
ExternalId = Annotated[str, text(0, 100), Storable]
LongText = Annotated[str, text(0, 20_000), Storable]
Search = Annotated[str, text(0, 200), Storable]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2199, 12, 31))]
Id = Annotated[int, Field(ge=1, le=2**62)]
# Inputs stay two digits below the columns, so budget + approved change never overflows them.
Hours = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Rate = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
DayHours = Annotated[Decimal, Field(gt=0, le=24, decimal_places=2)]
WeeklyHours = Annotated[Decimal, Field(ge=0, le=168, decimal_places=1)]
Days = Annotated[int, Field(ge=0, le=3650)]


# Engagements and their charter


class EngagementOut(Schema):
    id: int
    client_id: int
    name: str
    type: EngagementType
    status: EngagementStatus
    start_date: dt.date
    end_date: dt.date
    budget_hours: Decimal
    budget_amount: Decimal
    currency: str
    lead_id: int | None
    kickoff_date: dt.date | None
    signed_off_by_id: int | None
    signed_off_on: dt.date | None
    charter_signed: bool
    activated_on: dt.date | None
    closed_on: dt.date | None
    external_id: str


class BudgetOut(Schema):
    """Burn to ``as_of`` and earned value; EVM figures are null without milestones or budget."""

    as_of: dt.date
    hours: Decimal
    cost: Decimal
    billed: Decimal
    hours_remaining: Decimal
    scope_creep_hours: Decimal
    scope_creep_cost: Decimal
    unclassified_hours: Decimal = Field(
        description="Imported hours whose task names no scope item: neither creep nor approved."
    )
    percent_complete: float | None
    cost_variance: float | None
    schedule_variance: float | None
    cpi: float | None
    spi: float | None
    eac: float | None
    etc: float | None
    vac: float | None
    tcpi: float | None
    forecast_overrun: float | None


class EngagementDetailOut(EngagementOut):
    budget: BudgetOut


class EngagementIn(Schema):
    client_id: Id
    name: Name
    type: EngagementType
    start_date: Date
    end_date: Date
    budget_hours: Hours = Decimal(0)
    budget_amount: Money = Decimal(0)
    currency: Currency = "EUR"
    lead_id: Id | None = None
    kickoff_date: Date | None = None
    external_id: ExternalId = ""


class EngagementPatch(Schema):
    name: Name = omittable()
    type: EngagementType = omittable()
    start_date: Date = omittable()
    end_date: Date = omittable()
    budget_hours: Hours = omittable()
    budget_amount: Money = omittable()
    currency: Currency = omittable()
    lead_id: Id | None = None
    kickoff_date: Date | None = None
    external_id: ExternalId = omittable()


class EngagementFilter(FilterSchema):
    client_id: Id | None = None
    status: EngagementStatus | None = None
    q: Search = ""


class StatusIn(Schema):
    status: EngagementStatus
    override_reason: Note = ""
    on: Date | None = None


class SignOffIn(Schema):
    """The charter needs its scope first; the work cannot start before this day."""

    contact_id: Id
    signed_off_on: Date = Field(description="Not after today (the workspace's time zone).")


class PersonLoadOut(Schema):
    person_id: int
    person_name: str
    capacity: float
    peak_hours: float
    peak_week: dt.date | None
    weeks_over: list[dt.date]
    over_committed: bool


class CapacityOut(Schema):
    engagement_id: int
    start_date: dt.date
    end_date: dt.date
    over_committed: bool
    people: list[PersonLoadOut]


class AssignmentOut(Schema):
    id: int
    engagement_id: int
    person_id: int
    weekly_hours: Decimal


class AssignmentIn(Schema):
    person_id: Id
    weekly_hours: WeeklyHours


class ScopeItemOut(Schema):
    id: int
    engagement_id: int
    title: str
    description: str
    change_request_id: int | None


class ScopeItemIn(Schema):
    title: Name
    description: LongText = ""


class CharterRoleOut(Schema):
    id: int
    engagement_id: int
    side: Side
    person: str
    role: str


class CharterRoleIn(Schema):
    side: Side
    person: Name
    role: Line = ""


class CriterionOut(Schema):
    id: int
    engagement_id: int
    description: str
    target: str
    met: bool | None
    assessed_on: dt.date | None


class CriterionIn(Schema):
    description: Criterion
    target: Line = ""


class AssessmentIn(Schema):
    met: bool
    assessed_on: Date


# Milestones, deliverables and reviews


class MilestoneOut(Schema):
    id: int
    engagement_id: int
    name: str
    committed_date: dt.date
    buffer_days: int
    forecast_date: dt.date | None
    status: MilestoneStatus
    delivered_on: dt.date | None
    days_late: int | None


class MilestoneIn(Schema):
    name: Name
    committed_date: Date
    buffer_days: Days = 0
    forecast_date: Date | None = None


class MilestonePatch(Schema):
    name: Name = omittable()
    committed_date: Date = omittable()
    buffer_days: Days = omittable()
    forecast_date: Date | None = None
    status: MilestoneStatus = omittable()
    delivered_on: Date | None = None


class MilestoneFilter(FilterSchema):
    status: MilestoneStatus | None = None


class DeliverIn(Schema):
    delivered_on: Date = Field(
        description="Not after today; the index knows of the delivery from when it is recorded."
    )


class DeliverableReviewOut(Schema):
    id: int
    outcome: ReviewOutcome
    reviewed_on: dt.date
    reasons: str


class DeliverableOut(Schema):
    id: int
    engagement_id: int
    milestone_id: int | None
    name: str
    due_date: dt.date
    status: DeliverableStatus
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    reviews: list[DeliverableReviewOut]

    @staticmethod
    def resolve_reviews(obj: Any) -> Any:
        return obj.reviews.all()


class DeliverableIn(Schema):
    name: Name
    due_date: Date
    milestone_id: Id | None = None


class DeliverableFilter(FilterSchema):
    status: DeliverableStatus | None = None
    milestone_id: Id | None = None


class SubmitIn(Schema):
    """When it went to the client; today when left out."""

    submitted_on: Date | None = None


class DeliverableReviewIn(Schema):
    outcome: ReviewOutcome
    reviewed_on: Date
    reasons: LongText = ""


# Time, change requests, quality issues, notices


class TimeEntryOut(Schema):
    id: int
    engagement_id: int
    person_id: int | None
    person_name: str
    date: dt.date
    hours: Decimal
    cost_rate: Decimal
    bill_rate: Decimal
    scope_item_id: int | None
    change_request_id: int | None
    note: str
    task: str = Field(description="The time tracker's task, as imported (blank when logged).")
    standing: Standing = Field(
        description="What the hours count as: approved scope, approved overhead, unapproved "
        "scope (scope creep) or unclassified (an imported task nobody has classified)."
    )
    scope_creep: bool

    @staticmethod
    def resolve_scope_creep(obj: Any) -> bool:
        return bool(obj.standing == Standing.UNAPPROVED)


class TimeEntryIn(Schema):
    """Hours on a day; ``person_id`` defaults to the signed-in person."""

    date: Date
    hours: DayHours
    person_id: Id | None = None
    person_name: Line = ""
    cost_rate: Rate = Decimal(0)
    bill_rate: Rate = Decimal(0)
    scope_item_id: Id | None = None
    change_request_id: Id | None = None
    note: Note = ""


class TimeEntryPatch(Schema):
    """What to correct; ``scope_item_id`` and ``change_request_id`` may be set to null (the work
    was on nothing agreed: unapproved scope)."""

    date: Date = omittable()
    hours: DayHours = omittable()
    person_id: Id | None = None
    person_name: Line = omittable()
    cost_rate: Rate = omittable()
    bill_rate: Rate = omittable()
    scope_item_id: Id | None = None
    change_request_id: Id | None = None
    note: Note = omittable()


class TimeEntryFilter(FilterSchema):
    from_: Annotated[Date | None, FilterLookup("date__gte")] = Field(None, alias="from")
    to: Annotated[Date | None, FilterLookup("date__lte")] = None
    person_id: Id | None = None
    scope_creep: bool | None = None
    standing: Standing | None = None

    def filter_scope_creep(self, value: bool | None) -> Q:
        """True: only work on scope the client had not approved (as
        ``selectors.scope_creep_entries``); false: the rest (unclassified included)."""
        if value is None:
            return Q()
        return CREEP if value else ~CREEP

    def filter_standing(self, value: Standing | None) -> Q:
        return Q() if value is None else Q(standing=value.value)


class ChangeRequestOut(Schema):
    id: int
    engagement_id: int
    title: str
    description: str
    effort_hours: Decimal
    cost_impact: Decimal
    schedule_impact_days: int
    status: ChangeRequestStatus
    submitted_on: dt.date | None
    decided_on: dt.date | None
    decided_by_id: int | None
    decision_note: str


class ChangeRequestIn(Schema):
    title: Name
    description: LongText = ""
    effort_hours: Hours = Decimal(0)
    cost_impact: Money = Decimal(0)
    schedule_impact_days: Days = 0


class ChangeRequestFilter(FilterSchema):
    status: ChangeRequestStatus | None = None


class DecisionIn(Schema):
    approve: bool
    decided_by_contact_id: Id
    decided_on: Date
    note: LongText = ""


class QualityIssueOut(Schema):
    id: int
    engagement_id: int
    deliverable_id: int | None
    title: str
    severity: Severity
    found_by: FoundBy
    opened_on: dt.date
    resolved_on: dt.date | None
    root_cause: str


class QualityIssueIn(Schema):
    title: Name
    severity: Severity
    found_by: FoundBy
    opened_on: Date
    deliverable_id: Id | None = None


class QualityIssueFilter(FilterSchema):
    severity: Severity | None = None
    found_by: FoundBy | None = None
    open: Annotated[bool | None, FilterLookup("resolved_on__isnull")] = None


class ResolveIn(Schema):
    resolved_on: Date
    root_cause: Annotated[str, text(1, 20_000), Storable]


class NoticeOut(Schema):
    id: int
    engagement_id: int
    milestone_id: int | None
    kind: NoticeKind
    sent_on: dt.date
    new_date: dt.date | None
    new_cost: Decimal | None
    message: str


class NoticeIn(Schema):
    kind: NoticeKind
    sent_on: Date = Field(
        description="When the client was told; not after today. The index counts the notice from "
        "this day or from when it is recorded, whichever is later."
    )
    milestone_id: Id | None = None
    new_date: Date | None = None
    new_cost: Money | None = None
    message: LongText = ""


class NoticeFilter(FilterSchema):
    kind: NoticeKind | None = None
    milestone_id: Id | None = None


# Time and scope: what imported tasks count as


class TaskMappingOut(Schema):
    id: int
    engagement_id: int | None = Field(description="Null: a firm-wide mapping.")
    task: str
    target: TaskTarget
    scope_item_id: int | None
    counts_as: str

    @staticmethod
    def resolve_counts_as(obj: Any) -> str:
        return str(obj.target_label)


class TaskMappingSavedOut(TaskMappingOut):
    applied_to: int = Field(description="Imported entries whose classification changed.")


class TaskMappingIn(Schema):
    """What the task counts as; ``scope_item_id`` with target ``scope_item`` (engagements only).
    Mapping a task again replaces its mapping."""

    task: Line = Field("", description="As the time tracker names it; blank: no task.")
    target: TaskTarget
    scope_item_id: Id | None = None


class TaskHoursOut(Schema):
    task: str
    entries: int
    hours: Decimal
    first: dt.date
    last: dt.date
    engagements: int


class HoursByStandingOut(Schema):
    approved: Decimal
    overhead: Decimal
    unapproved: Decimal
    unclassified: Decimal


class TimeScopeOut(Schema):
    """The engagement's hours by what they count as, and its unclassified task names."""

    engagement_id: int
    hours: HoursByStandingOut
    unclassified_tasks: list[TaskHoursOut]
