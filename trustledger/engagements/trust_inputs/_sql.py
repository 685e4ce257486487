"""The SQL pieces every engagement input shares: rows of the scope, weeks since a date, claims
read as of a date (a delivery known only once recorded, a notice counted from the later of its
date and its recording), and the versions of edited facts in force on a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    F,
    IntegerField,
    Model,
    QuerySet,
    Value,
)
from django.db.models.expressions import Func

from trustledger.core import history
from trustledger.engagements.models import (
    Engagement,
    Milestone,
    Notice,
    TimeEntry,
)
from trustledger.engagements.selectors import first_told_by
from trustledger.scoring import indicators as ind

if TYPE_CHECKING:
    from trustledger.core.inputs import Scope

APPROVED = "approved"


class WeeksSince(Func):
    """Whole weeks from a fixed date to a date column, in plain SQL.

    Django's TruncWeek runs as a Python function per row on SQLite; this stays in the engine.
    """

    output_field = IntegerField()

    def __init__(self, column: str, since: dt.date) -> None:
        super().__init__(F(column), Value(since.isoformat()))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST((julianday(%(expressions)s)) / 7 AS INTEGER)"
        return self.as_sql(
            compiler, connection, template=template, arg_joiner=") - julianday(", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((%(expressions)s::date) / 7)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)


def _of(model: type[Model], scope: Scope, client_path: str) -> QuerySet[Any]:
    """The model's rows in the workspace (and of the chosen clients, when there is a choice).

    For the chosen clients, rows hanging off an engagement are found through the engagement ids
    (a subquery), so the (workspace, engagement, ...) indexes serve a one-client recompute.
    """
    manager = model._default_manager
    if scope.client_ids is None:
        return manager.filter(workspace=scope.workspace)
    if client_path.endswith("engagement__client_id"):
        # the engagements are of this workspace, so their rows are too
        engagements = Engagement.objects.filter(
            workspace=scope.workspace, client_id__in=scope.client_ids
        ).values("pk")
        return manager.filter(**{f"{client_path.removesuffix('__client_id')}__in": engagements})
    return manager.filter(workspace=scope.workspace, **{f"{client_path}__in": scope.client_ids})


def _engagements(scope: Scope) -> list[dict[str, Any]]:
    return list(
        _of(Engagement, scope, "client_id")
        .filter(start_date__lte=scope.as_of)
        .exclude(status="proposed")
        .order_by("client_id", "start_date", "id")
        .values(
            "id",
            "client_id",
            "name",
            "start_date",
            "activated_on",
            "closed_on",
            "status",
            "budget_amount",
            "currency",
        )
    )


def known_delivery(
    delivered_on: dt.date | None, recorded_at: dt.datetime | None, scope: Scope
) -> dt.date | None:
    """The delivery date if it was known on as_of: dated by then and recorded by then (a delivery
    without its own recording instant was recorded with its milestone)."""
    if delivered_on is None or delivered_on > scope.as_of:
        return None
    return delivered_on if recorded_at is None or recorded_at < scope.known_before else None


def first_notices(notices: QuerySet[Notice], key: str, scope: Scope) -> dict[int, ind.Told]:
    """Per ``key`` (a milestone or an engagement id), the notice that told the client first of
    those known on as_of, each counted from the later of its date and the day it was recorded."""
    rows = notices.filter(recorded_at__lt=scope.known_before, sent_on__lte=scope.as_of)
    return first_told_by(scope.workspace, rows.values_list(key, "sent_on", "recorded_at"))


@dataclass(frozen=True)
class Versions:
    """The versions in force on as_of of facts a later edit or deletion replaced (the live rows
    are then recorded too late to count): as they stood, by column (``core.history``)."""

    milestones: list[dict[str, Any]]
    time_entries: list[dict[str, Any]]


def versions_in_force(scope: Scope) -> Versions:
    """One query, for every input of the engagements."""
    found = history.as_of(
        (Milestone, TimeEntry), scope.workspace, scope.known_before, scope.client_ids
    )
    return Versions(found[Milestone], found[TimeEntry])


def engagement_names(scope: Scope, ids: set[int]) -> dict[int, str]:
    """Names of these engagements (no query for none: edits are rare)."""
    if not ids:
        return {}
    return dict(
        Engagement.objects.filter(workspace=scope.workspace, pk__in=ids).values_list("pk", "name")
    )
