"""Request and response shapes of the relationships API.

No ``from __future__ import annotations``: ninja reads these annotations at run time.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, FilterSchema, Schema

from trustledger.api.fields import Storable, text
from trustledger.relationships.models import (
    MAX_MONTHS,
    BusinessReview,
    GoalStatus,
    HealthCheck,
    ItemKind,
    ReviewStatus,
)
from trustledger.relationships.questions import BY_KEY
from trustledger.scoring.health import area_scores, health_score

Date = Annotated[dt.date, Field(ge=dt.date(1990, 1, 1), le=dt.date(2099, 12, 31))]
Id = Annotated[int, Field(ge=1, le=2**62)]
Months = Annotated[int, Field(ge=1, le=MAX_MONTHS)]
Answer = Annotated[int, Field(ge=1, le=5)]
Line = Annotated[str, text(1, 500), Storable]
Name = Annotated[str, text(1, 200), Storable]
Notes = Annotated[str, text(0, 5000), Storable]
LongText = Annotated[str, text(0, 20_000), Storable]
Currency = Annotated[str, text(3, 3), Storable]
Amount = Annotated[Decimal, Field(ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2)]


# Routines


class RoutineOut(Schema):
    id: int
    tier: str
    health_check_months: int
    review_months: int
    account_manager_required: bool


class RoutinePatch(Schema):
    health_check_months: Months | None = None
    review_months: Months | None = None
    account_manager_required: bool | None = None


# Health checks


class AnswerIo(Schema):
    question: str = Field(..., description=f"One of {', '.join(BY_KEY)}.", max_length=40)
    answer: Answer | None = Field(
        None, description="1 (not at all) to 5 (fully); null: not assessed."
    )
    notes: Notes = ""


class AnswerOut(AnswerIo):
    area: str


class HealthCheckOut(Schema):
    id: int
    client_id: int
    held_on: dt.date
    reviewer_id: int | None
    summary: str
    score: float | None
    areas: dict[str, float]
    weakest: list[str]
    answers: list[AnswerOut]

    @staticmethod
    def resolve_answers(obj: HealthCheck) -> list[dict[str, Any]]:
        return [
            {"question": a.question, "area": a.area, "answer": a.answer, "notes": a.notes}
            for a in obj.answers.all()
        ]

    @staticmethod
    def resolve_areas(obj: HealthCheck) -> dict[str, float]:
        scores = area_scores((a.area, a.answer) for a in obj.answers.all())
        return {k: round(v, 2) for k, v in scores.items()}

    @staticmethod
    def resolve_weakest(obj: HealthCheck) -> list[str]:
        return list(health_score((a.area, a.answer) for a in obj.answers.all()).weakest)


class HealthCheckPatch(Schema):
    held_on: Date | None = None
    reviewer_id: Id | None = None
    summary: LongText | None = None
    answers: list[AnswerIo] | None = Field(None, max_length=len(BY_KEY))


class HealthCheckIn(HealthCheckPatch):
    client_id: Id
    held_on: Date
    answers: list[AnswerIo] = Field(..., min_length=1, max_length=len(BY_KEY))


class HealthCheckFilter(FilterSchema):
    client_id: Id | None = None


# Business reviews


class GoalIo(Schema):
    text: Line
    status: GoalStatus = GoalStatus.ON_TRACK


class ValueIo(Schema):
    text: Line
    amount: Amount | None = None


class BusinessReviewOut(Schema):
    id: int
    client_id: int
    held_on: dt.date
    status: str
    led_by_id: int | None
    attendees: list[str]
    summary: str
    currency: str
    interaction_id: int | None
    agenda: list[str]
    goals: list[GoalIo]
    value_delivered: list[ValueIo]
    next_steps: list[str]

    @staticmethod
    def _of(obj: BusinessReview, kind: str) -> list[Any]:
        return [i for i in obj.items.all() if i.kind == kind]

    @staticmethod
    def resolve_agenda(obj: BusinessReview) -> list[str]:
        return [i.text for i in BusinessReviewOut._of(obj, ItemKind.AGENDA)]

    @staticmethod
    def resolve_next_steps(obj: BusinessReview) -> list[str]:
        return [i.text for i in BusinessReviewOut._of(obj, ItemKind.NEXT_STEP)]

    @staticmethod
    def resolve_goals(obj: BusinessReview) -> list[dict[str, Any]]:
        return [
            {"text": i.text, "status": i.goal_status}
            for i in BusinessReviewOut._of(obj, ItemKind.GOAL)
        ]

    @staticmethod
    def resolve_value_delivered(obj: BusinessReview) -> list[dict[str, Any]]:
        return [
            {"text": i.text, "amount": i.amount} for i in BusinessReviewOut._of(obj, ItemKind.VALUE)
        ]


class BusinessReviewPatch(Schema):
    held_on: Date | None = None
    status: ReviewStatus | None = None
    led_by_id: Id | None = None
    attendees: list[Name] | None = Field(None, max_length=30)
    summary: LongText | None = None
    currency: Currency | None = None
    agenda: list[Line] | None = Field(None, max_length=30)
    goals: list[GoalIo] | None = Field(None, max_length=30)
    value_delivered: list[ValueIo] | None = Field(None, max_length=30)
    next_steps: list[Line] | None = Field(None, max_length=30)


class BusinessReviewIn(BusinessReviewPatch):
    client_id: Id
    held_on: Date


class ReviewFilter(FilterSchema):
    client_id: Id | None = None
    status: ReviewStatus | None = None


# What is due


class DueFilter(Schema):
    person_id: Id | None = Field(None, description="Whose clients; leaders and owners only.")
    everyone: bool = Field(False, description="Every client's (leaders and owners only).")
    until: Date | None = Field(None, description="Due by this day; the end of this month.")


class DueItemOut(Schema):
    kind: str
    label: str
    client_id: int
    client_name: str
    due_on: dt.date
    overdue: bool
    detail: str
    action_url: str
    owner: str
