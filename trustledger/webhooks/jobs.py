"""Webhooks' periodic work: forget delivered messages (and their attempts) after 30 days."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone

from trustledger.core.extensions import periodic_jobs
from trustledger.core.schedule import PeriodicJob, daily_at
from trustledger.webhooks.models import WebhookMessage

KEEP = dt.timedelta(days=30)


def prune_log(now: dt.datetime | None = None) -> int:
    """Delivered messages older than ``KEEP`` leave the log; undelivered ones stay for a look."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = WebhookMessage.objects.filter(
        created_at__lt=cutoff, delivered_at__isnull=False
    ).delete()
    return deleted


@task()
def prune_log_task(period: str = "") -> int:
    return prune_log()


periodic_jobs.register(PeriodicJob("webhooks.prune_log", prune_log_task, daily_at(4)))
