"""Background work of the trust index: refreshing clients after facts change, and snapshots.

``refresh_after_change`` subscribes to the fact seam: each committed change enqueues one task that
recomputes exactly the clients it names. Tasks take ids; recomputing is an upsert, so a retried
or duplicated task is harmless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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


@task()
def recompute_workspace_task(workspace_id: int, period: str = "") -> int:
    """Every client's current index, so decay and newly overdue items show (nightly)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    today = local_today(workspace)
    return len(services.take_snapshots(workspace, today, kind=SnapshotKind.CURRENT))


@task()
def weekly_snapshots_task(workspace_id: int, as_of: str | None = None) -> int:
    """The week's stored snapshot of every client, as of the Sunday that ended it."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    day = dt.date.fromisoformat(as_of) if as_of else last_sunday(local_today(workspace))
    return len(services.take_snapshots(workspace, day))


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
