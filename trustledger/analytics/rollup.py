"""Keeping the monthly roll-up of time (``TimeMonth``) equal to the time entries.

Whatever writes time entries rebuilds the roll-up of the engagements it touched, once, after
writing: ``log_time``, the time importers, the demo and bench generators. A rebuild is two
set-based statements (DELETE, then INSERT ... SELECT ... GROUP BY compiled by the ORM for the
database in use), so it costs the same for one engagement or ten thousand.

Reading: a period rarely starts and ends on month boundaries, so ``slices`` splits it into whole
months (read from the roll-up) and the raw days of its partial edge months: either the days in
the period (added) or, when fewer, the rest of the month (taken whole from the roll-up, those
days subtracted). The sums are exactly those of the time entries of the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from trustledger.analytics.models import TimeMonth
from trustledger.engagements.models import TimeEntry
from trustledger.engagements.selectors import BILLED, COST
from trustledger.workspaces.models import Workspace

DAY = dt.timedelta(days=1)
DayRange = tuple[dt.date, dt.date]


def _monthly_sql(entries: QuerySet[TimeEntry]) -> tuple[str, tuple[Any, ...]]:
    """SELECT engagement (its client and currency), month and sums; columns in the INSERT's
    order (fields, then annotations as added)."""
    fields = ("workspace_id", "engagement__client_id", "engagement_id", "engagement__currency")
    monthly = (
        entries.values(*fields)
        .annotate(month=TruncMonth("date"))
        .values(*fields, "month")
        .annotate(sum_hours=Sum("hours"), sum_cost=Sum(COST), sum_revenue=Sum(BILLED))
        .order_by()
    )
    sql, params = monthly.query.sql_with_params()
    return sql, tuple(params)


def _rebuild(entries: QuerySet[TimeEntry], months: QuerySet[TimeMonth]) -> None:
    with transaction.atomic():
        months.delete()
        select, params = _monthly_sql(entries)
        table = connection.ops.quote_name(TimeMonth._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(c)
            for c in (
                "workspace_id",
                "client_id",
                "engagement_id",
                "currency",
                "month",
                "hours",
                "cost",
            )
        )
        revenue = connection.ops.quote_name("revenue")
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}, {revenue}) {select}", params)


def rebuild_engagements(engagement_ids: Iterable[int]) -> None:
    """Recompute the roll-up of these engagements from their time entries."""
    ids = sorted(set(engagement_ids))
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        _rebuild(
            TimeEntry.objects.filter(engagement_id__in=chunk),
            TimeMonth.objects.filter(engagement_id__in=chunk),
        )


def rebuild_workspace(workspace: Workspace) -> None:
    """Recompute the whole workspace's roll-up (after a generator or a bulk load)."""
    _rebuild(TimeEntry.objects.for_workspace(workspace), TimeMonth.objects.for_workspace(workspace))


# --- reading ----------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Slices:
    """A period as whole months of the roll-up, plus raw days added and raw days subtracted."""

    months: frozenset[dt.date]
    add: tuple[DayRange, ...]
    subtract: tuple[DayRange, ...]

    @property
    def raw(self) -> tuple[DayRange, ...]:
        return self.add + self.subtract


def slices(start: dt.date, end: dt.date) -> Slices:
    """Split [start, end] (inclusive days) so that at most half a month is read raw per edge."""
    months: set[dt.date] = set()
    add: list[DayRange] = []
    subtract: list[DayRange] = []
    first = month_start(start)
    while first <= end:
        following = next_month(first)
        last = following - DAY
        lo, hi = max(first, start), min(last, end)
        inside = (hi - lo).days + 1
        if inside == (last - first).days + 1:
            months.add(first)
        elif 2 * inside <= (last - first).days + 1:
            add.append((lo, hi))
        else:
            months.add(first)
            if lo > first:
                subtract.append((first, lo - DAY))
            if hi < last:
                subtract.append((hi + DAY, last))
        first = following
    return Slices(frozenset(months), tuple(add), tuple(subtract))


def in_months(months: Iterable[dt.date], field: str = "month") -> Q:
    chosen = sorted(months)
    return Q(**{f"{field}__in": chosen}) if chosen else Q(pk__isnull=True)  # empty: never


def on_days(ranges: Iterable[DayRange], field: str = "date") -> Q:
    """The days of `ranges` as an IN list: the (workspace, date) index answers it directly, where
    an OR of ranges makes SQLite scan every time entry of the workspace."""
    days = sorted(
        {lo + dt.timedelta(days=i) for lo, hi in ranges for i in range((hi - lo).days + 1)}
    )
    return Q(**{f"{field}__in": days}) if days else Q(pk__isnull=True)  # empty: never
