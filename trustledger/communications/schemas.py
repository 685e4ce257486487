"""Request and response shapes of the communications API.

No ``from __future__ import annotations``: ninja reads these annotations at run time.
Text is stripped and refuses NUL (PostgreSQL cannot store it); times must carry their time zone
and stay within years a firm can mean, so business-time arithmetic cannot overflow.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, FilterSchema, Schema
from pydantic import AfterValidator, AwareDatetime

from trustledger.api.fields import LocalTime, Storable, text
from trustledger.communications import sla
from trustledger.communications.models import (
    Channel,
    CommunicationPlan,
    Direction,
    Inquiry,
    InteractionKind,
    Priority,
)
from trustledger.communications.selectors import COMMITMENT_STATES, INQUIRY_STATES

EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _plausible(value: dt.datetime) -> dt.datetime:
    if not EARLIEST <= value <= LATEST:
        raise ValueError("must be between 1990 and 2100")
    return value


Subject = Annotated[str, text(1, 300), Storable]
Line = Annotated[str, text(0, 500), Storable]
Role = Annotated[str, text(1, 120), Storable]
LongText = Annotated[str, text(0, 20_000), Storable]
Participant = Annotated[str, text(1, 200), Storable]
Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]
Date = Annotated[dt.date, Field(ge=dt.date(1990, 1, 1), le=dt.date(2099, 12, 31))]
Id = Annotated[int, Field(ge=1, le=2**62)]
Interval = Annotated[int, Field(ge=1, le=3650)]
Minutes = Annotated[int, Field(ge=0, le=100_000)]
Hours = Annotated[Decimal, Field(gt=0, le=2000, max_digits=6, decimal_places=2)]
TimeZone = Annotated[str, text(1, 64), Storable]


# Plans


class MemberIo(Schema):
    person_id: Id
    role: Role


class EscalationIo(Schema):
    level: Annotated[int, Field(ge=1, le=9)] = 1
    contact_id: Id | None = None
    person_id: Id | None = None


class CommunicationPlanOut(Schema):
    id: int
    client_id: int
    preferred_channels: list[str]
    check_in_days: int | None
    review_days: int | None
    budget_update_days: int | None
    starts_on: dt.date
    sla_hours: dict[str, Decimal]
    sla_overrides: dict[str, Decimal]
    notes: str
    members: list[MemberIo]
    escalations: list[EscalationIo]

    @staticmethod
    def resolve_sla_hours(obj: CommunicationPlan) -> dict[str, Decimal]:
        return sla.effective_sla_hours(obj.sla_hours)

    @staticmethod
    def resolve_sla_overrides(obj: CommunicationPlan) -> dict[str, Decimal]:
        return {k: Decimal(v) for k, v in obj.sla_hours.items()}

    @staticmethod
    def resolve_members(obj: CommunicationPlan) -> list[dict[str, Any]]:
        return [{"person_id": m.person_id, "role": m.role} for m in obj.members.all()]

    @staticmethod
    def resolve_escalations(obj: CommunicationPlan) -> list[dict[str, Any]]:
        return [
            {"level": e.level, "contact_id": e.contact_id, "person_id": e.person_id}
            for e in obj.escalations.all()
        ]


class CommunicationPlanPatch(Schema):
    preferred_channels: list[Channel] | None = None
    check_in_days: Interval | None = None
    review_days: Interval | None = None
    budget_update_days: Interval | None = None
    starts_on: Date | None = None
    sla_hours: dict[str, Hours | None] | None = Field(
        None, description=f"Business hours to a first response, by {', '.join(sla.SLA_KEYS)}."
    )
    notes: LongText | None = None
    members: list[MemberIo] | None = Field(None, max_length=50)
    escalations: list[EscalationIo] | None = Field(None, max_length=20)


class CommunicationPlanIn(CommunicationPlanPatch):
    client_id: Id


class CommunicationPlanFilter(FilterSchema):
    client_id: Id | None = None


# Interactions


class InteractionOut(Schema):
    id: int
    client_id: int
    channel: Channel
    direction: Direction
    kind: InteractionKind
    occurred_at: dt.datetime
    duration_minutes: int | None
    subject: str
    summary: str
    participants: list[str]
    contact_id: int | None
    person_id: int | None
    source: str
    recorded_at: dt.datetime


class InteractionPatch(Schema):
    channel: Channel | None = None
    direction: Direction | None = None
    kind: InteractionKind | None = None
    occurred_at: Moment | None = None
    duration_minutes: Minutes | None = None
    subject: Subject | None = None
    summary: LongText | None = None
    participants: list[Participant] | None = Field(None, max_length=50)
    contact_id: Id | None = None
    person_id: Id | None = None


class InteractionIn(Schema):
    client_id: Id
    channel: Channel
    direction: Direction = Direction.TWO_WAY
    kind: InteractionKind = InteractionKind.OTHER
    occurred_at: Moment
    duration_minutes: Minutes | None = None
    subject: Subject
    summary: LongText = ""
    participants: list[Participant] = Field(default_factory=list, max_length=50)
    contact_id: Id | None = None
    person_id: Id | None = None


class InteractionFilter(FilterSchema):
    client_id: Id | None = None
    channel: Channel | None = None
    kind: InteractionKind | None = None
    since: Moment | None = None
    until: Moment | None = None


# Inquiries


class InquiryOut(Schema):
    id: int
    client_id: int
    contact_id: int | None
    channel: Channel
    priority: Priority
    subject: str
    received_at: dt.datetime
    sla_hours: Decimal
    sla_due: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    breached: bool
    source: str

    @staticmethod
    def resolve_breached(obj: Inquiry) -> bool:
        return obj.breached()


class InquiryPatch(Schema):
    channel: Channel | None = None
    priority: Priority | None = None
    subject: Subject | None = None
    received_at: Moment | None = None
    contact_id: Id | None = None
    first_response_at: Moment | None = None
    resolved_at: Moment | None = None


class InquiryIn(Schema):
    client_id: Id
    channel: Channel
    priority: Priority = Priority.NORMAL
    subject: Subject
    received_at: Moment
    contact_id: Id | None = None
    interaction_id: Id | None = None
    first_response_at: Moment | None = None
    resolved_at: Moment | None = None


class InquiryFilter(FilterSchema):
    client_id: Id | None = None
    channel: Channel | None = None
    state: str | None = Field(None, pattern="^(" + "|".join(INQUIRY_STATES) + ")$")


class MomentIn(Schema):
    at: Moment


# Commitments


class CommitmentOut(Schema):
    id: int
    client_id: int
    interaction_id: int | None
    description: str
    owner_id: int | None
    made_on: dt.date
    due_on: dt.date
    done_on: dt.date | None
    broken_on: dt.date | None
    outcome: str
    note: str


class CommitmentPatch(Schema):
    description: Subject | None = None
    owner_id: Id | None = None
    made_on: Date | None = None
    due_on: Date | None = None
    note: Line | None = None


class CommitmentIn(Schema):
    client_id: Id
    description: Subject
    due_on: Date
    owner_id: Id | None = None
    made_on: Date | None = None
    interaction_id: Id | None = None
    note: Line = ""


class CommitmentFilter(FilterSchema):
    client_id: Id | None = None
    owner_id: Id | None = None
    state: str | None = Field(None, pattern="^(" + "|".join(COMMITMENT_STATES) + ")$")
    due_before: Date | None = None


class SettleIn(Schema):
    on: Date | None = None
    note: Line = ""


# The firm's calendar


class DayHours(Schema):
    opens: LocalTime | None = None
    closes: LocalTime | None = Field(None, description="00:00 means midnight at the end of the day")


class CalendarOut(Schema):
    time_zone: str
    hours: list[DayHours] = Field(description="Monday first")
    holidays: list["HolidayOut"]


class CalendarIn(Schema):
    time_zone: TimeZone
    hours: list[DayHours] = Field(min_length=7, max_length=7, description="Monday first")


class HolidayOut(Schema):
    id: int
    date: dt.date
    name: str


class HolidayIn(Schema):
    date: Date
    name: Annotated[str, text(1, 120), Storable]


# Measures


class ChannelMeasures(Schema):
    channel: str
    inquiries: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    judged: int
    within_sla: int
    attainment: float | None
    open_past_sla: int


class CadenceMeasures(Schema):
    kind: str
    every_days: int
    due: int
    held: int
    rate: float | None
    last_held: dt.date | None
    days_since: int
    overdue_days: int


class MeasuresFilter(FilterSchema):
    client_id: Id | None = None
    as_of: Date | None = None


class ClientMeasures(Schema):
    client_id: int
    last_touch: dt.datetime | None
    responsiveness: list[ChannelMeasures]
    cadence: list[CadenceMeasures]


CalendarOut.model_rebuild()
