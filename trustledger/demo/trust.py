"""Demo trust history: weekly snapshots for the last half year, then the current values.

Computed by the real index from the facts the other parts wrote; alerts are raised only for the
present, as a firm starting Trustledger today would see them.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from trustledger.demo.context import DemoContext
from trustledger.trust.models import SnapshotKind
from trustledger.trust.services import take_snapshots

WEEKS = 26


def build(ctx: DemoContext) -> None:
    if connection.vendor == "postgresql":
        # The firm was written in this same transaction: without statistics PostgreSQL plans
        # the signals' joins as if every table held one row (nested loops over everything).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    last_sunday = ctx.today - dt.timedelta(days=(ctx.today.weekday() + 1) % 7)
    for weeks_ago in range(WEEKS, 0, -1):
        day = last_sunday - dt.timedelta(weeks=weeks_ago - 1)
        take_snapshots(ctx.workspace, day, alerts=weeks_ago == 1)
    take_snapshots(ctx.workspace, ctx.today, kind=SnapshotKind.CURRENT)
