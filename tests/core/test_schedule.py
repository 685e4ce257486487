"""Periodic jobs: once per due period, in each workspace's time zone, across any number of
workers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from tests.factories import WorkspaceFactory
from trustledger.core.models import JobRun
from trustledger.core.schedule import daily_at, enqueue_due_jobs, every, weekly_on

UTC = dt.UTC


def at(*args: int, zone: str = "UTC") -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


def test_periods_name_the_slot_the_moment_falls_in():
    assert every(10)(at(2026, 12, 3, 9, 27)) == "2026-12-03T09:20"
    assert every(60)(at(2026, 12, 3, 9, 27)) == "2026-12-03T09:00"
    assert daily_at(2)(at(2026, 12, 3, 1, 59)) == "2026-12-02"  # last night's, if missed
    assert daily_at(2)(at(2026, 12, 3, 2, 0)) == "2026-12-03"
    assert weekly_on(0, 1)(at(2026, 12, 7, 0, 30)) == "2026-11-30"  # Monday 00:30
    assert weekly_on(0, 1)(at(2026, 12, 7, 1, 0)) == "2026-12-07"


def _nightly() -> dict[int, list[str]]:
    rows = DBTaskResult.objects.filter(task_path__endswith="recompute_workspace_task")
    return {r.args_kwargs["args"][0]: r.args_kwargs["args"][1] for r in rows}


@pytest.mark.django_db
def test_a_nightly_job_runs_at_each_firms_own_night():
    london = WorkspaceFactory(time_zone="Europe/London")
    auckland = WorkspaceFactory(time_zone="Pacific/Auckland")
    enqueue_due_jobs(at(2026, 12, 3, 1, 30))  # 14:30 in Auckland, 01:30 in London
    assert _nightly() == {london.pk: "2026-12-02", auckland.pk: "2026-12-03"}
    enqueue_due_jobs(at(2026, 12, 3, 2, 30))  # London's night has come
    nights = DBTaskResult.objects.filter(task_path__endswith="recompute_workspace_task")
    london_nights = [
        r.args_kwargs["args"][1] for r in nights if r.args_kwargs["args"][0] == london.pk
    ]
    assert sorted(london_nights) == ["2026-12-02", "2026-12-03"]


@pytest.mark.django_db
def test_many_workers_run_each_period_once():
    WorkspaceFactory()
    now = at(2026, 12, 3, 9, 0)
    first = enqueue_due_jobs(now)
    assert first  # every job was due
    assert enqueue_due_jobs(now) == []  # a second worker, the same moment
    assert enqueue_due_jobs(now + dt.timedelta(minutes=5)) == []
    later = enqueue_due_jobs(now + dt.timedelta(minutes=10))
    ten_minute_jobs = ["feedback.overdue_follow_ups", "recovery.alerts", "trust.sla_alerts"]
    assert sorted(name.split()[0] for name in later) == ten_minute_jobs
    assert JobRun.objects.count() == len(first) + len(ten_minute_jobs)


@pytest.mark.django_db(transaction=True)
def test_a_claim_lost_to_another_worker_enqueues_nothing(monkeypatch):
    from trustledger.core import schedule

    workspace = WorkspaceFactory()
    now = at(2026, 12, 3, 9, 0)
    due = schedule.due_runs(now)
    for job, workspace_id, period in due:  # another worker claimed them all meanwhile
        JobRun.objects.create(name=job.name, period=period, workspace_id=workspace_id)
    monkeypatch.setattr(schedule, "due_runs", lambda now: due)
    assert schedule.enqueue_due_jobs(now) == []
    assert not DBTaskResult.objects.exists()
    assert workspace.pk
