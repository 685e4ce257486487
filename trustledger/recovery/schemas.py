"""Request and response shapes of the recovery API.

No ``from __future__ import annotations``: ninja reads these annotations at run time.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, FilterSchema, Schema

from trustledger.api.fields import Storable, text
from trustledger.recovery.models import RecoveryPlan
from trustledger.recovery.services import MAX_CADENCE_DAYS
from trustledger.scoring.index import INDICATORS

Title = Annotated[str, text(1, 200), Storable]
Line = Annotated[str, text(1, 300), Storable]
Answer = Annotated[str, text(1, 500), Storable]
Short = Annotated[str, text(0, 100), Storable]
ShortRequired = Annotated[str, text(1, 100), Storable]
LongText = Annotated[str, text(0, 10_000), Storable]
LongRequired = Annotated[str, text(1, 10_000), Storable]
Date = Annotated[dt.date, Field(ge=dt.date(1990, 1, 1), le=dt.date(2099, 12, 31))]
Id = Annotated[int, Field(ge=1, le=2**62)]
Cadence = Annotated[int, Field(ge=1, le=MAX_CADENCE_DAYS)]
Factor = Literal[INDICATORS]  # type: ignore[valid-type]
Category = Literal["people", "process", "tools", "communication", "scope", "client_environment"]
UpdateChannel = Literal["email", "phone", "meeting", "message"]


class StepOut(Schema):
    position: int
    why: str
    answer: str


class CauseOut(Schema):
    id: int
    chain_id: int | None
    description: str
    category: str
    factor: str
    detail: str


class ChainOut(Schema):
    id: int
    problem: str
    steps: list[StepOut]
    root_cause_id: int | None

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_root_cause_id(obj: Any) -> int | None:
        cause = getattr(obj, "root_cause", None)
        return cause.pk if cause is not None else None


class ActionOut(Schema):
    id: int
    plan_id: int
    title: str
    owner_id: int | None
    due_on: dt.date
    status: str
    done_on: dt.date | None
    cause_id: int | None


class GoalOut(Schema):
    id: int
    measure: str
    target: str
    current: str
    met: bool | None


class UpdateOut(Schema):
    id: int
    sent_on: dt.date
    summary: str
    shared_in_portal: bool
    interaction_id: int | None


class WinOut(Schema):
    id: int
    on: dt.date
    what: str
    shared: bool


class AttendeeOut(Schema):
    person_id: int | None
    contact_id: int | None


class RecoveryPlanOut(Schema):
    id: int
    client_id: int
    alert_id: int | None
    title: str
    trigger: str
    evidence: dict[str, Any]
    owner_id: int | None
    status: str
    stage: str
    opened_on: dt.date
    update_every_days: int
    shared_with_client: bool
    meeting_scheduled_on: dt.date | None
    meeting_held_on: dt.date | None
    responsibility_taken: bool | None
    responsibility_wording: str
    acknowledge_notes: str
    meeting_interaction_id: int | None
    closed_on: dt.date | None
    outcome: str
    lessons: str
    index_before: float | None
    band_before: str
    nps_before: float | None
    nps_before_answers: int
    index_after: float | None
    band_after: str
    nps_after: float | None
    nps_after_answers: int


class RecoveryPlanDetailOut(RecoveryPlanOut):
    attendees: list[AttendeeOut]
    chains: list[ChainOut]
    causes: list[CauseOut]
    actions: list[ActionOut]
    goals: list[GoalOut]
    updates: list[UpdateOut]
    wins: list[WinOut]

    @staticmethod
    def resolve_attendees(obj: RecoveryPlan) -> list[Any]:
        return list(obj.attendees.all())

    @staticmethod
    def resolve_chains(obj: RecoveryPlan) -> list[Any]:
        return list(obj.chains.all())

    @staticmethod
    def resolve_causes(obj: RecoveryPlan) -> list[Any]:
        return list(obj.causes.all())

    @staticmethod
    def resolve_actions(obj: RecoveryPlan) -> list[Any]:
        return list(obj.actions.all())

    @staticmethod
    def resolve_goals(obj: RecoveryPlan) -> list[Any]:
        return list(obj.goals.all())

    @staticmethod
    def resolve_updates(obj: RecoveryPlan) -> list[Any]:
        return list(obj.updates.all())

    @staticmethod
    def resolve_wins(obj: RecoveryPlan) -> list[Any]:
        return list(obj.wins.all())


class RecoveryPlanFilter(FilterSchema):
    status: Literal["open", "closed"] | None = None
    client_id: Id | None = None
    owner_id: Id | None = None
    factor: Factor | None = None
    category: Category | None = None


class RecoveryPlanPatch(Schema):
    title: Title | None = None
    trigger: Annotated[str, text(1, 500), Storable] | None = None
    owner_id: Id | None = None
    update_every_days: Cadence | None = None
    shared_with_client: bool | None = None


class RecoveryPlanIn(Schema):
    client_id: Id
    alert_id: Id | None = None
    title: Annotated[str, text(0, 200), Storable] = ""
    trigger: Annotated[str, text(0, 500), Storable] = Field(
        "", description="What happened; from an alert, its detail when empty."
    )
    owner_id: Id | None = Field(None, description="Default: the client's account manager.")
    update_every_days: Cadence = 7
    shared_with_client: bool = False


class AcknowledgeIn(Schema):
    meeting_scheduled_on: Date | None = None
    meeting_held_on: Date | None = Field(
        None, description="Holding the meeting logs an escalation meeting interaction."
    )
    person_ids: list[Id] = Field(default_factory=list, max_length=50)
    contact_ids: list[Id] = Field(default_factory=list, max_length=50)
    responsibility_taken: bool | None = None
    responsibility_wording: LongText = ""
    notes: LongText = ""


class WhyIn(Schema):
    why: Line
    answer: Answer


class ChainIn(Schema):
    problem: Line
    steps: list[WhyIn] = Field(default_factory=list, max_length=5)


class CauseIn(Schema):
    description: Line
    category: Category
    factor: Factor
    detail: LongText = ""
    chain_id: Id | None = Field(None, description="The why chain this root cause ends.")


class ActionIn(Schema):
    title: Line
    due_on: Date
    owner_id: Id | None = Field(None, description="Default: the plan's owner.")
    cause_id: Id | None = None


class ActionPatch(Schema):
    title: Line | None = None
    due_on: Date | None = None
    owner_id: Id | None = None
    status: Literal["open", "done", "dropped"] | None = None
    done_on: Date | None = Field(None, description="With status done; default today.")
    cause_id: Id | None = None


class GoalIn(Schema):
    measure: Title
    target: ShortRequired
    current: Short = ""


class GoalPatch(Schema):
    measure: Title | None = None
    target: ShortRequired | None = None
    current: Short | None = None
    met: bool | None = None


class UpdateIn(Schema):
    summary: LongRequired
    sent_on: Date | None = Field(None, description="Default: today.")
    shared_in_portal: bool = False
    channel: UpdateChannel = "email"


class WinIn(Schema):
    what: Line
    on: Date | None = Field(None, description="Default: today.")
    shared: bool = False


class RecoveryPlanCloseIn(Schema):
    outcome: Literal["recovered", "partially", "lost"]
    lessons: LongRequired
    closed_on: Date | None = Field(None, description="Default: today.")


class RecurrenceOut(Schema):
    key: str
    label: str
    causes: int
    plans: int
    clients: int
    recurs: bool


class SystemicOut(Schema):
    by_factor: list[RecurrenceOut]
    by_category: list[RecurrenceOut]
