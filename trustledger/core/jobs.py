"""Core's periodic work: forget finished tasks, sent mail and old job runs, nightly."""

from django.tasks import task

from trustledger.core.extensions import periodic_jobs
from trustledger.core.schedule import PeriodicJob, daily_at


@task()
def prune_task(period: str = "") -> None:
    from trustledger.core.worker import prune

    prune()


periodic_jobs.register(PeriodicJob("core.prune", prune_task, daily_at(4)))
