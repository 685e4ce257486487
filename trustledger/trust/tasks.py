"""Background work of the trust index: weekly snapshots, and a client's refresh after a new fact.

Tasks take ids and are enqueued only once the transaction that recorded the fact commits.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from trustledger.clients.models import Client
from trustledger.trust import services
from trustledger.workspaces.models import Workspace


@task()
def recompute_client_task(client_id: int) -> None:
    client = Client.objects.filter(pk=client_id).select_related("workspace").first()
    if client is not None:
        services.recompute_client(client)


@task()
def weekly_snapshots_task(workspace_id: int, as_of: str | None = None) -> int:
    workspace = Workspace.objects.get(pk=workspace_id)
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return len(services.take_snapshots(workspace, day))


def schedule_recompute(client_id: int) -> None:
    """Refresh the client's current index after the surrounding transaction commits."""
    transaction.on_commit(lambda: recompute_client_task.enqueue(client_id))


def last_sunday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=(today.weekday() + 1) % 7)


def enqueue_due_weekly_snapshots(today: dt.date | None = None) -> list[int]:
    """Enqueue this week's snapshots for every workspace that does not have them yet."""
    from trustledger.trust.models import SnapshotKind, TrustSnapshot

    day = last_sunday(today or timezone.localdate())
    done = set(
        TrustSnapshot.objects.filter(kind=SnapshotKind.WEEKLY, as_of=day)
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    due = [pk for pk in Workspace.objects.values_list("pk", flat=True) if pk not in done]
    for pk in due:
        weekly_snapshots_task.enqueue(pk, day.isoformat())
    return due
