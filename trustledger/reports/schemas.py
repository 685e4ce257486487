"""Request and response shapes of the status reports API.

No ``from __future__ import annotations``: ninja reads these annotations at run time.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, FilterSchema, Schema

from trustledger.api.fields import Storable, text
from trustledger.reports.services import MAX_NARRATIVE, MAX_TITLE

Id = Annotated[int, Field(ge=1, le=2**62)]
Title = Annotated[str, text(1, MAX_TITLE), Storable]
Narrative = Annotated[str, text(1, MAX_NARRATIVE), Storable]


class RecipientOut(Schema):
    name: str
    email: str


class ReportOut(Schema):
    id: int
    client_id: int
    engagement_id: int | None
    title: str
    status: str
    period_start: dt.date
    period_end: dt.date
    narrative: str
    drafted_narrative: str
    narrative_edited: bool
    recipients: list[RecipientOut]
    created_at: dt.datetime
    sent_at: dt.datetime | None
    sent_by_id: int | None
    cadence_due_on: dt.date | None
    interaction_id: int | None
    figures: dict[str, Any] = Field(
        description="Figures as of drafting while a draft; frozen at sending once sent.",
        alias="snapshot",
    )


class ReportFilter(FilterSchema):
    client_id: Id | None = None
    engagement_id: Id | None = None
    status: Literal["draft", "sent"] | None = None


class ReportIn(Schema):
    """A draft on one engagement (``engagement_id``), or on all the current engagements of a
    client (``client_id`` alone)."""

    engagement_id: Id | None = None
    client_id: Id | None = None


class ReportPatch(Schema):
    title: Title | None = None
    narrative: Narrative | None = None


class SendIn(Schema):
    contact_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
