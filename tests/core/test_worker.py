"""The worker: never dies of a database error, retries what is transient, takes up what a dead
worker left, and stops only when asked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.core import tasks
from trustledger import cli
from trustledger.core import schedule, worker
from trustledger.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.TRUSTLEDGER_RETRY_BACKOFF = [0]
    settings.TRUSTLEDGER_WORKER_LEASE = 60


def status(result) -> str:
    return DBTaskResult.objects.get(pk=result.id).status


def _left_running(result, by: str) -> None:
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=[by])


def test_a_task_whose_worker_died_is_taken_up_again():
    result = tasks.locked_twice_then_fine.enqueue()
    _left_running(result, "killed-worker")
    WorkerHeartbeat.objects.create(
        worker_id="killed-worker", seen_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert worker.reclaim_abandoned_tasks() == 1
    assert status(result) == "READY"


def test_a_task_its_live_worker_is_running_is_left_alone_until_it_moves_on():
    result = tasks.locked_twice_then_fine.enqueue()
    _left_running(result, "busy-worker")
    beat = WorkerHeartbeat.objects.create(worker_id="busy-worker", task_id=result.id)
    assert worker.reclaim_abandoned_tasks() == 0
    beat.task_id = None  # it lost the database mid-task and went on without finishing it
    beat.save()
    assert worker.reclaim_abandoned_tasks() == 1


def test_a_transient_failure_is_retried_until_it_succeeds():
    result = tasks.locked_twice_then_fine.enqueue()
    worker.run_until_idle()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and row.return_value == "done"
    assert len(row.worker_ids) == 3


def test_a_transient_failure_gives_up_after_a_bounded_number_of_attempts():
    result = tasks.always_locked.enqueue()
    worker.run_until_idle()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and len(row.worker_ids) == worker.MAX_TASK_ATTEMPTS
    assert worker.retry_failed_tasks() == 1
    assert status(result) == "READY"


def test_a_bug_fails_at_once_and_does_not_stop_the_other_tasks():
    bug, fine = tasks.broken.enqueue(), tasks.locked_twice_then_fine.enqueue()
    worker.run_until_idle()
    assert status(bug) == "FAILED" and status(fine) == "SUCCESSFUL"


def test_the_loop_waits_out_database_errors_and_goes_on(monkeypatch):
    failures = iter([OperationalError("could not connect to server")] * 2)

    def outage(*args, **kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return []

    monkeypatch.setattr(schedule, "enqueue_due_jobs", outage)
    monkeypatch.setattr(worker, "MAX_IDLE_BACKOFF", 0.05)
    result = tasks.locked_twice_then_fine.enqueue()
    worker.run_until_idle()
    assert status(result) == "SUCCESSFUL"


def test_a_broken_step_is_logged_and_the_round_goes_on(monkeypatch, caplog):
    def bug(*args, **kwargs):
        raise KeyError("a job's period")

    monkeypatch.setattr(schedule, "enqueue_due_jobs", bug)
    result = tasks.locked_twice_then_fine.enqueue()
    worker.run_until_idle()
    assert status(result) == "SUCCESSFUL"
    assert "worker step failed: periodic jobs" in caplog.text


def test_worker_until_idle_runs_what_is_queued_and_exits():
    result = tasks.locked_twice_then_fine.enqueue()
    assert cli.main(["worker", "--until-idle"]) == 0
    assert status(result) == "SUCCESSFUL"
    assert not WorkerHeartbeat.objects.exists()  # it signed off
