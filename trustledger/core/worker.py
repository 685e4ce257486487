"""The background worker: periodic jobs, queued tasks and the mail outbox, durably.

Tasks are Django's tasks framework with the database backend (``django_tasks_db``); this module
replaces its ``db_worker`` loop with one that never dies of a database or mail error:

- every round it records a heartbeat, enqueues due periodic jobs (``schedule``), takes up tasks
  whose worker died, runs ready tasks, and sends due mail (``outbox``);
- a database error (server restarted, disk full, file locked) is logged and the round retried
  with backoff, on a fresh connection;
- a task failing with a transient error (database, network, mail) is queued again with backoff,
  up to ``MAX_TASK_ATTEMPTS`` claims, then marked failed where an owner can retry it;
- a task stays RUNNING only while its worker's heartbeat is fresh and names it, so a task left
  by a killed worker (or one whose worker lost the database mid-task) is taken up again.

Several workers, on several nodes, may run at once: claims lock rows (``SKIP LOCKED`` on
PostgreSQL; SQLite has one writer), and periodic jobs are leased in the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import random
import signal
import socket
import threading
import time
import uuid
from traceback import format_exception
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from trustledger.core import outbox, schedule
from trustledger.core.models import JobRun, WorkerHeartbeat, worker_lease_seconds

log = logging.getLogger("trustledger.worker")

MAX_TASK_ATTEMPTS = 5
TASK_BACKOFF = (5, 30, 120, 600)  # seconds before the 2nd, 3rd, ... attempt
TRANSIENT = (OperationalError, InterfaceError, IntegrityError, OSError)
MAX_IDLE_BACKOFF = 30.0
UNTIL_IDLE_DATABASE_RETRIES = 5


def _task_backoff(attempt: int) -> float:
    steps = getattr(settings, "TRUSTLEDGER_RETRY_BACKOFF", None) or TASK_BACKOFF
    return float(steps[min(attempt, len(steps)) - 1])


class Worker:
    def __init__(
        self,
        *,
        interval: float = 2.0,
        until_idle: bool = False,
        worker_id: str | None = None,
        background_heartbeat: bool = True,
    ) -> None:
        self.interval = interval
        self.until_idle = until_idle
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.background_heartbeat = background_heartbeat
        self.running = True
        self.current_task: uuid.UUID | None = None
        self._stop_beating = threading.Event()
        self.backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]

    # --- the loop ------------------------------------------------------------------------------

    def run(self) -> None:
        """Rounds until stopped (or, with ``until_idle``, until a round finds nothing to do)."""
        beater = None
        if self.background_heartbeat:
            beater = threading.Thread(target=self._beat_while_running, daemon=True)
            beater.start()
        failures = 0
        try:
            while self.running:
                try:
                    busy = self.round()
                    failures = 0
                except DatabaseError as error:
                    failures += 1
                    if self.until_idle and failures > UNTIL_IDLE_DATABASE_RETRIES:
                        raise
                    self._database_lost(error, failures)
                    continue
                if self.until_idle and not busy:
                    break
                if not busy:
                    self._sleep(self.interval)
        finally:
            self._stop_beating.set()
            self._sign_off()

    def round(self) -> bool:
        """One pass over everything due; True when it found work."""
        if not connection.in_atomic_block:  # (a test's transaction: leave its connection be)
            close_old_connections()
        self.beat()
        self._step("periodic jobs", schedule.enqueue_due_jobs)
        self._step("reclaiming tasks", reclaim_abandoned_tasks)
        ran = self.run_ready_tasks()
        sent = self._step("sending mail", self.deliver_mail) or 0
        return bool(ran or sent)

    def deliver_mail(self) -> int:
        return outbox.deliver_due(worker_id=self.worker_id)

    def _step(self, what: str, step: Any) -> Any:
        """Run one step; a bug in it is logged and must not stop the others (database errors
        go up to ``run``, which waits for the database)."""
        try:
            return step()
        except DatabaseError:
            raise
        except Exception:
            log.exception("worker step failed: %s", what)
            return None

    def _database_lost(self, error: DatabaseError, failures: int) -> None:
        delay = min(MAX_IDLE_BACKOFF, 0.5 * 2**failures) * (0.75 + random.random() / 2)
        log.warning("database unavailable (%s); retrying in %.1f s", error, delay)
        self.current_task = None
        connections.close_all()
        self._sleep(delay)

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while self.running and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))

    # --- tasks ---------------------------------------------------------------------------------

    def run_ready_tasks(self, limit: int = 50) -> int:
        ran = 0
        while ran < limit and self.running:
            claimed = self._claim_task()
            if claimed is None:
                break
            self._run_task(claimed)
            ran += 1
        return ran

    def _claim_task(self) -> DBTaskResult[Any, Any] | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend.alias)
        with exclusive_transaction(tasks.db):
            claimed = tasks.get_locked()
            if claimed is None:
                return None
            claimed.claim(self.worker_id)
            self.current_task = claimed.id
            self._write_heartbeat()
        return claimed

    def _run_task(self, claimed: DBTaskResult[Any, Any]) -> None:
        try:
            task = claimed.task
            result = claimed.task_result
            value = task.call(*result.args, **result.kwargs)
        except Exception as error:
            self._task_failed(claimed, error)
        else:
            claimed.set_successful(value)
        self.current_task = None

    def _task_failed(self, claimed: DBTaskResult[Any, Any], error: Exception) -> None:
        attempt = len(claimed.worker_ids)
        if isinstance(error, TRANSIENT) and attempt < MAX_TASK_ATTEMPTS:
            log.warning(
                "task %s failed (attempt %s), will retry: %s", claimed.task_path, attempt, error
            )
            if isinstance(error, DatabaseError):
                connections.close_all()  # the next statement needs a working connection
            requeue(claimed.pk, after=_task_backoff(attempt), error=error)
        else:
            log.error("task %s failed for good: %s", claimed.task_path, error)
            claimed.set_failed(error)

    # --- heartbeats ----------------------------------------------------------------------------

    def beat(self) -> None:
        self._write_heartbeat()

    def _write_heartbeat(self) -> None:
        now = timezone.now()
        updated = WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
            seen_at=now, task_id=self.current_task
        )
        if not updated:
            WorkerHeartbeat.objects.create(
                worker_id=self.worker_id,
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
                seen_at=now,
                task_id=self.current_task,
            )

    def _beat_while_running(self) -> None:
        """Keep this worker's leases (a long task, a slow send) alive, from a thread with its own
        connection, while the main thread is busy."""
        try:
            while not self._stop_beating.wait(worker_lease_seconds() / 4):
                try:
                    WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
                        seen_at=timezone.now()
                    )
                except DatabaseError as error:
                    log.warning("heartbeat not written: %s", error)
                    connections.close_all()
        finally:
            connections.close_all()

    def _sign_off(self) -> None:
        with contextlib.suppress(DatabaseError):
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()

    # --- signals -------------------------------------------------------------------------------

    def stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        """Finish the current task, then exit."""
        self.running = False

    def handle_signals(self) -> None:
        for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self.stop)


def requeue(task_id: Any, *, after: float = 0.0, error: BaseException | None = None) -> int:
    """Put a task back in the queue, to run after ``after`` seconds."""
    fields: dict[str, Any] = {
        "status": TaskResultStatus.READY,
        "run_after": timezone.now() + dt.timedelta(seconds=after),
    }
    if error is not None:
        fields["exception_class_path"] = f"{type(error).__module__}.{type(error).__qualname__}"
        fields["traceback"] = "".join(format_exception(error))
    return DBTaskResult.objects.filter(pk=task_id).update(**fields)


def reclaim_abandoned_tasks(now: dt.datetime | None = None) -> int:
    """Queue again the RUNNING tasks whose worker is gone or no longer runs them."""
    now = now or timezone.now()
    running_by_worker = dict(WorkerHeartbeat.objects.alive(now).values_list("worker_id", "task_id"))
    reclaimed = 0
    for task_id, worker_ids in DBTaskResult.objects.running().values_list("id", "worker_ids"):
        owner = worker_ids[-1] if worker_ids else None
        if owner in running_by_worker and running_by_worker[owner] == task_id:
            continue
        with transaction.atomic():
            still = DBTaskResult.objects.select_for_update().filter(
                pk=task_id, status=TaskResultStatus.RUNNING
            )
            row = still.first()
            if row is None:
                continue
            if len(row.worker_ids) >= MAX_TASK_ATTEMPTS:
                row.set_failed(RuntimeError("its worker stopped while running it, too often"))
            else:
                requeue(task_id)
        log.warning("task %s taken up again: its worker %s stopped", task_id, owner)
        reclaimed += 1
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return reclaimed


def retry_failed_tasks(task_ids: list[str] | None = None) -> int:
    """An owner's "retry": failed tasks run again, with a fresh count of attempts."""
    rows = DBTaskResult.objects.failed()
    if task_ids is not None:
        rows = rows.filter(pk__in=task_ids)
    return rows.update(status=TaskResultStatus.READY, run_after=timezone.now(), worker_ids=[])


def prune(now: dt.datetime | None = None, *, keep_days: int = 14) -> None:
    """Forget finished tasks, sent mail and job runs older than ``keep_days``."""
    from trustledger.core.models import OutboxMessage, OutboxStatus

    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    OutboxMessage.objects.filter(status=OutboxStatus.SENT, sent_at__lt=cutoff).delete()
    JobRun.objects.filter(created_at__lt=cutoff).delete()


def run_until_idle() -> None:
    """Run rounds in this process until nothing is left to do (for cron, the CLI and tests)."""
    Worker(until_idle=True, background_heartbeat=False).run()
