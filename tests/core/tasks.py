"""Tasks the worker tests enqueue (a task must be importable by its path)."""

from __future__ import annotations

from django.db import OperationalError
from django.tasks import task

from trustledger.core.models import JobRun

RUNS = {"flaky": 0}


@task()
def always_locked() -> None:
    raise OperationalError("database is locked")


@task()
def broken() -> None:
    raise ValueError("a bug, not an outage")


@task()
def locked_twice_then_fine() -> str:
    """Fails twice like a database restart would, then succeeds (counted in the database)."""
    tries = JobRun.objects.filter(name="locked_twice_then_fine").count()
    JobRun.objects.create(name="locked_twice_then_fine", period=str(tries))
    if tries < 2:
        raise OperationalError("server closed the connection unexpectedly")
    return "done"
