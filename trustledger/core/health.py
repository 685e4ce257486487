"""Is everything running? The database, the worker, the task queue and the mail outbox.

One reading, three surfaces: ``/healthz`` (JSON for a load balancer and monitoring), the owners'
status page, and ``trustledger status``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import DatabaseError, connection
from django.tasks.base import TaskResultStatus
from django.utils import timezone

STALE_WORKER = dt.timedelta(minutes=2)  # no heartbeat for this long: the worker is not running
LATE_QUEUE = dt.timedelta(minutes=5)  # a ready task waiting longer: the worker is behind
LATE_MAIL = dt.timedelta(minutes=15)  # undelivered mail older than this needs a look


@dataclass
class Health:
    database: bool
    checked_at: dt.datetime
    database_error: str = ""
    workers: int = 0
    heartbeat_age_s: float | None = None
    queue_depth: int = 0
    oldest_queued_age_s: float | None = None
    running_tasks: int = 0
    failed_tasks: int = 0
    undelivered_mail: int = 0
    oldest_undelivered_age_s: float | None = None
    failed_mail: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        if not self.database:
            return "down"
        return "ok" if self.ok else "degraded"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["checked_at"] = self.checked_at.isoformat()
        data["status"] = self.status
        return data


def _age(now: dt.datetime, then: dt.datetime | None) -> float | None:
    return None if then is None else round((now - then).total_seconds(), 1)


def health() -> Health:
    """Read everything in a handful of queries; a database that cannot answer is "down"."""
    now = timezone.now()
    try:
        return _read(now)
    except DatabaseError as error:
        return Health(
            database=False,
            checked_at=now,
            database_error=str(error)[:300],
            problems=["The database does not answer."],
        )


def _read(now: dt.datetime) -> Health:
    from django.db.models import Count, Max, Min, Q
    from django_tasks_db.models import DBTaskResult

    from trustledger.core.models import (
        OutboxChannel,
        OutboxMessage,
        OutboxStatus,
        WorkerHeartbeat,
    )

    connection.ensure_connection()
    beats = WorkerHeartbeat.objects.filter(seen_at__gte=now - STALE_WORKER).aggregate(
        n=Count("pk"), last=Max("seen_at")
    )
    tasks = DBTaskResult.objects.aggregate(
        ready=Count("pk", filter=Q(status=TaskResultStatus.READY, run_after__lte=now)),
        oldest=Min("enqueued_at", filter=Q(status=TaskResultStatus.READY, run_after__lte=now)),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
    )
    undelivered = Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
    # Webhooks wait on the subscribers' servers: their delivery log shows them, not the health.
    mail = OutboxMessage.objects.filter(channel=OutboxChannel.MAIL).aggregate(
        waiting=Count("pk", filter=undelivered),
        oldest=Min("created_at", filter=undelivered),
        failed=Count("pk", filter=Q(status=OutboxStatus.FAILED)),
    )
    report = Health(
        database=True,
        checked_at=now,
        workers=beats["n"],
        heartbeat_age_s=_age(now, beats["last"]),
        queue_depth=tasks["ready"],
        oldest_queued_age_s=_age(now, tasks["oldest"]),
        running_tasks=tasks["running"],
        failed_tasks=tasks["failed"],
        undelivered_mail=mail["waiting"],
        oldest_undelivered_age_s=_age(now, mail["oldest"]),
        failed_mail=mail["failed"],
    )
    report.problems = _problems(report, now, tasks["oldest"], mail["oldest"])
    return report


def _problems(
    report: Health,
    now: dt.datetime,
    oldest_task: dt.datetime | None,
    oldest_mail: dt.datetime | None,
) -> list[str]:
    problems = []
    if not report.workers:
        problems.append("No worker is running: recomputes, surveys, digests and mail are waiting.")
    if oldest_task is not None and now - oldest_task > LATE_QUEUE:
        problems.append(f"{report.queue_depth} background tasks are waiting longer than expected.")
    if report.failed_tasks:
        problems.append(f"{report.failed_tasks} background tasks failed.")
    if oldest_mail is not None and now - oldest_mail > LATE_MAIL:
        problems.append(f"{report.undelivered_mail} e-mails are not delivered yet.")
    if report.failed_mail:
        problems.append(f"{report.failed_mail} e-mails could not be delivered.")
    return problems


def render_text(report: Health) -> str:
    """What ``trustledger status`` prints."""

    def age(seconds: float | None) -> str:
        return "—" if seconds is None else f"{seconds:.0f} s ago"

    if not report.database:
        return f"DOWN: the database does not answer ({report.database_error})."
    lines = [
        f"Status: {report.status.upper()} (checked {report.checked_at:%Y-%m-%d %H:%M:%S} UTC)",
        "Database: reachable",
        f"Workers: {report.workers} running, last heartbeat {age(report.heartbeat_age_s)}",
        f"Tasks: {report.queue_depth} waiting (oldest queued {age(report.oldest_queued_age_s)}), "
        f"{report.running_tasks} running, {report.failed_tasks} failed",
        f"Mail: {report.undelivered_mail} undelivered "
        f"(oldest {age(report.oldest_undelivered_age_s)}), {report.failed_mail} failed",
    ]
    lines += [f"! {p}" for p in report.problems]
    return "\n".join(lines)
