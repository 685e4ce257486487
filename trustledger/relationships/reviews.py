"""When a client's business reviews were held and when the next is due: one rule for every page.

A business review is held when a business-review interaction is on record: the communications
record is the one source of the dates (a review recorded on the relationships page writes its
interaction; a review logged as an interaction, by hand or imported, counts the same). The next
is due on the client's communication plan's review cadence when the plan sets one (the cadence,
with its grace, that the communications page and the trust index measure), else on the tier
routine's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from trustledger.clients.models import Client
from trustledger.communications.measures import due_by
from trustledger.communications.models import Interaction, InteractionKind
from trustledger.communications.sla import business_calendar
from trustledger.scoring.health import add_months
from trustledger.workspaces.models import Workspace


@dataclass(frozen=True)
class ReviewCadence:
    last_held_on: dt.date | None
    every_days: int | None  # the communication plan's cadence, when it sets one
    every_months: int  # the tier routine's, otherwise

    def next_due(self, today: dt.date) -> dt.date:
        if self.last_held_on is None:
            return today
        if self.every_days:
            return due_by(self.last_held_on, self.every_days)
        return add_months(self.last_held_on, self.every_months)

    @property
    def interval_label(self) -> str:
        if self.every_days:
            return f"every {self.every_days} days, as the communication plan sets"
        return f"every {self.every_months} month{'s' * (self.every_months != 1)}"


def with_review_dates(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Annotate ``last_review_at`` (the latest held review's instant) and ``review_every_days``
    (the plan's cadence): part of the one query that lists the clients."""
    held = Interaction.objects.filter(
        client=OuterRef("pk"),
        kind=InteractionKind.BUSINESS_REVIEW,
        occurred_at__lte=timezone.now(),
    ).order_by("-occurred_at")
    return clients.annotate(
        last_review_at=Subquery(held.values("occurred_at")[:1]),
        review_every_days=F("communication_plan__review_days"),
    )


def review_zone(workspace: Workspace) -> ZoneInfo:
    """The zone whose calendar days the communications page counts reviews in."""
    return business_calendar(workspace).zone


def cadence(client: Client, zone: ZoneInfo, every_months: int) -> ReviewCadence:
    """The cadence of a client annotated by ``with_review_dates``."""
    moment: dt.datetime | None = client.last_review_at  # type: ignore[attr-defined]
    last = timezone.localtime(moment, zone).date() if moment else None
    return ReviewCadence(last, client.review_every_days, every_months)  # type: ignore[attr-defined]
