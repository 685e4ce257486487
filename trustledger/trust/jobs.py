"""The trust index's periodic work: weekly snapshots, the nightly refresh, SLA alerts that
follow the Inbox, alert digests."""

from __future__ import annotations

import datetime as dt

from trustledger.core.extensions import periodic_jobs
from trustledger.core.schedule import PeriodicJob, daily_at, every
from trustledger.trust.tasks import (
    check_sla_alerts_task,
    last_sunday,
    recompute_workspace_task,
    send_alert_digests_task,
    weekly_snapshots_task,
)


def last_complete_sunday(now: dt.datetime) -> str:
    """The week ends on Sunday; its snapshot is taken once that Sunday is over (local time)."""
    return last_sunday(now.date() - dt.timedelta(days=1)).isoformat()


periodic_jobs.register(
    PeriodicJob("trust.weekly_snapshots", weekly_snapshots_task, last_complete_sunday, True)
)
periodic_jobs.register(
    PeriodicJob("trust.nightly_recompute", recompute_workspace_task, daily_at(2), True)
)
periodic_jobs.register(
    PeriodicJob("trust.alert_digests", send_alert_digests_task, daily_at(7), True)
)
periodic_jobs.register(
    PeriodicJob("trust.sla_alerts", check_sla_alerts_task, every(10), per_workspace=True)
)
