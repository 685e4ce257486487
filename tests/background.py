"""Helpers for tests of background work: the registered periodic jobs, and the worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from trustledger.core.extensions import periodic_jobs
from trustledger.core.schedule import PeriodicJob
from trustledger.core.worker import run_until_idle


def job(name: str) -> PeriodicJob:
    """The periodic job registered under ``name`` (fails the test when there is none)."""
    (found,) = periodic_jobs.where(lambda j: j.name == name)
    return found


def run_job(name: str, workspace: Any = None, period: str = "test") -> Any:
    """Run a periodic job's task in this process, as the worker would."""
    found = job(name)
    args = (workspace.pk, period) if found.per_workspace else (period,)
    return found.task.call(*args)


type Pipeline = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def pipeline(django_capture_on_commit_callbacks: Any) -> Pipeline:
    """``with pipeline(): change facts`` then does what happens after commit in production: the
    fact seam's announcements, then the worker's tasks (recomputes, roll-ups) and mail."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_until_idle()

    return run
