"""Periodic jobs run by `trustledger worker` between batches of background tasks.

A job looks at the database to decide what is due and enqueues tasks for it, so running it often
is harmless and several workers may run it. Capabilities add their job to ``PERIODIC_JOBS``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.management import call_command

log = logging.getLogger(__name__)


def enqueue_due_weekly_snapshots() -> None:
    from trustledger.trust.tasks import enqueue_due_weekly_snapshots as job

    job()


def send_alert_digests() -> None:
    """Morning digests: after 7:00 local time, once a day per person."""
    from django.utils import timezone

    from trustledger.trust.digest import send_alert_digests as send

    if timezone.localtime().hour >= 7:
        send()


_last_survey_run = 0.0


def run_due_surveys() -> None:
    """Invite due campaigns' audiences and queue due reminders, at most once an hour."""
    global _last_survey_run
    if time.monotonic() - _last_survey_run < 3600 and _last_survey_run:
        return
    _last_survey_run = time.monotonic()
    from trustledger.feedback.services import run_due_surveys as run

    run()


def check_recovery_alerts() -> None:
    """Alerts for overdue recovery actions and missed client updates (raised and resolved)."""
    from trustledger.recovery.alerting import check_all_workspaces

    check_all_workspaces()


_last_report_run = 0.0


def draft_due_status_reports() -> None:
    """Draft the status reports whose budget update is due, for review; at most once an hour."""
    global _last_report_run
    if time.monotonic() - _last_report_run < 3600 and _last_report_run:
        return
    _last_report_run = time.monotonic()
    from trustledger.reports.services import draft_due_reports

    draft_due_reports()


PERIODIC_JOBS: list[Callable[[], None]] = [
    enqueue_due_weekly_snapshots,
    send_alert_digests,
    run_due_surveys,
    check_recovery_alerts,
    draft_due_status_reports,
]


def run_forever(*, interval: float = 5.0) -> None:
    """Run the periodic jobs, then every outstanding task, and wait a little; until stopped."""
    while True:
        for job in PERIODIC_JOBS:
            try:
                job()
            except Exception:  # one broken job must not stop the others or the tasks
                log.exception("periodic job %s failed", job.__name__)
        call_command("db_worker", batch=True, verbosity=0)
        time.sleep(interval)
