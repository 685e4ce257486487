"""Periodic jobs: each runs once per due period, across any number of workers and nodes.

An app contributes jobs in its ``jobs`` module::

    periodic_jobs.register(PeriodicJob("trust.nightly", recompute_workspace_task, daily_at(2)))

A job names a task and a period. Every worker round, ``enqueue_due_jobs`` works out each job's
current period (in each workspace's time zone for per-workspace jobs) and, in one transaction,
inserts a ``JobRun`` row for it and enqueues the task. The row's unique constraint is the lease:
the worker that inserts it enqueues the task, the others skip, so a period runs once. The task
itself is durable (retried, taken up again if its worker dies), so nothing is lost either.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from trustledger.core.extensions import periodic_jobs
from trustledger.core.models import JobRun

log = logging.getLogger(__name__)

type Period = Callable[[dt.datetime], str | None]
"""The name of the period that ``now`` (local time) falls in, or None when none is due yet."""


def every(minutes: int) -> Period:
    """Periods of ``minutes`` minutes counted from midnight UTC."""

    def period(now: dt.datetime) -> str:
        utc = now.astimezone(dt.UTC)
        slot = (utc.hour * 60 + utc.minute) // minutes * minutes
        return f"{utc:%Y-%m-%d}T{slot // 60:02d}:{slot % 60:02d}"

    return period


def daily_at(hour: int) -> Period:
    """One period per local day, starting at ``hour``: a worker that was down catches up."""

    def period(now: dt.datetime) -> str:
        day = now.date() if now.hour >= hour else now.date() - dt.timedelta(days=1)
        return day.isoformat()

    return period


def weekly_on(weekday: int, hour: int = 0) -> Period:
    """One period per week, starting on ``weekday`` (Monday 0 … Sunday 6) at ``hour``."""

    def period(now: dt.datetime) -> str:
        back = (now.weekday() - weekday) % 7
        start = now.date() - dt.timedelta(days=back)
        if back == 0 and now.hour < hour:
            start -= dt.timedelta(days=7)
        return start.isoformat()

    return period


@dataclass(frozen=True)
class PeriodicJob:
    """``task`` is enqueued once per period: ``task.enqueue(workspace_id, period)`` for a job per
    workspace (periods in its time zone), ``task.enqueue(period)`` otherwise."""

    name: str
    task: Any  # a django.tasks Task
    period: Period
    per_workspace: bool = False


def _workspaces() -> Iterable[tuple[int | None, ZoneInfo]]:
    from trustledger.workspaces.models import Workspace

    for pk, zone in Workspace.objects.values_list("pk", "time_zone"):
        try:
            yield pk, ZoneInfo(zone)
        except (KeyError, ValueError):
            yield pk, ZoneInfo("UTC")


def due_runs(now: dt.datetime) -> list[tuple[PeriodicJob, int | None, str]]:
    """Every (job, workspace, period) due at ``now`` that has no run yet."""
    workspaces = list(_workspaces())
    wanted: list[tuple[PeriodicJob, int | None, str]] = []
    for job in periodic_jobs:
        scopes = workspaces if job.per_workspace else [(None, ZoneInfo("UTC"))]
        for workspace_id, zone in scopes:
            period = job.period(now.astimezone(zone))
            if period is not None:
                wanted.append((job, workspace_id, period))
    done = set(
        JobRun.objects.filter(
            name__in={job.name for job, _, _ in wanted}, period__in={p for _, _, p in wanted}
        ).values_list("name", "workspace_id", "period")
    )
    return [(job, ws, period) for job, ws, period in wanted if (job.name, ws, period) not in done]


def enqueue_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Claim and enqueue every due job's current period; returns what this worker enqueued."""
    enqueued = []
    for job, workspace_id, period in due_runs(now or timezone.now()):
        try:
            with transaction.atomic():
                JobRun.objects.create(name=job.name, period=period, workspace_id=workspace_id)
                args = (workspace_id, period) if job.per_workspace else (period,)
                job.task.enqueue(*args)
        except IntegrityError:  # another worker claimed this period first
            continue
        enqueued.append(f"{job.name} {period}" + (f" ws={workspace_id}" if workspace_id else ""))
    return enqueued
