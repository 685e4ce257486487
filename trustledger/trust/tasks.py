"""Background work of the trust index: refreshing clients after facts change, and snapshots.

``refresh_after_change`` subscribes to the fact seam: each committed change enqueues one task that
recomputes exactly the clients it names. Tasks take ids; recomputing is an upsert, so a retried
or duplicated task is harmless.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.tasks import task

from trustledger.core.clock import local_today
from trustledger.core.facts import FactChange
from trustledger.trust import services
from trustledger.trust.alerting import check_sla_alerts
from trustledger.trust.models import SnapshotKind
from trustledger.workspaces.models import Workspace


@task()
def recompute_clients_task(workspace_id: int, client_ids: Sequence[int]) -> int:
    """Refresh the current index of these clients (one set-based pass)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    snapshots = services.take_snapshots(
        workspace,
        local_today(workspace),
        kind=SnapshotKind.CURRENT,
        client_ids=list(client_ids),
    )
    return len(snapshots)


def refresh_after_change(change: FactChange) -> None:
    """The fact seam's subscriber: recompute the clients a committed change touched."""
    if change.client_ids:
        recompute_clients_task.enqueue(change.workspace_id, sorted(change.client_ids))


# Clients per write transaction in a whole-workspace pass: a firm of thousands of clients never
# holds SQLite's write lock for seconds (each chunk is a fixed handful of queries).
CHUNK = 250


def _in_chunks(workspace: Workspace, as_of: dt.date, kind: str) -> int:
    ids = services.clients_as_of(workspace, as_of)
    return sum(
        len(services.take_snapshots(workspace, as_of, kind=kind, client_ids=ids[i : i + CHUNK]))
        for i in range(0, len(ids), CHUNK)
    )


@task()
def recompute_workspace_task(workspace_id: int, period: str = "") -> int:
    """Every client's current index, so decay and newly overdue items show (nightly)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return _in_chunks(workspace, local_today(workspace), SnapshotKind.CURRENT)


@task()
def weekly_snapshots_task(workspace_id: int, as_of: str | None = None) -> int:
    """The week's stored snapshot of every client, as of the Sunday that ended it."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    day = dt.date.fromisoformat(as_of) if as_of else last_sunday(local_today(workspace))
    return _in_chunks(workspace, day, SnapshotKind.WEEKLY)


def last_sunday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=(today.weekday() + 1) % 7)


@task()
def check_sla_alerts_task(workspace_id: int, period: str = "") -> int:
    """Raise and resolve the SLA alerts at this instant, so they follow the Inbox between
    recomputes (every ten minutes)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    raised, resolved = check_sla_alerts(workspace)
    return len(raised) + len(resolved)


@task()
def send_alert_digests_task(workspace_id: int, day: str) -> int:
    """Each person's morning digest of their alerts (once a day, by the workspace's clock)."""
    from trustledger.trust.digest import send_alert_digests

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return send_alert_digests(workspace, dt.date.fromisoformat(day))


@task()
def backtest_task(workspace_id: int, months: int) -> dict[str, Any]:
    """The backtest the page runs, in the worker (it scores every month end): its report as
    JSON, kept with the task's result for ``GET /api/trust/backtests/{id}``."""
    from trustledger.trust.backtest import run_backtest  # numpy and friends: load when used

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {}
    report = run_backtest(workspace, months=months)
    plain: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(report), default=str))
    return plain
