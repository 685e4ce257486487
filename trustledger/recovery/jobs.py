"""Recovery's periodic work: alerts for overdue actions and missed client updates."""

from trustledger.core.extensions import periodic_jobs
from trustledger.core.schedule import PeriodicJob, every
from trustledger.recovery.alerting import check_recovery_alerts_task

periodic_jobs.register(
    PeriodicJob("recovery.alerts", check_recovery_alerts_task, every(10), per_workspace=True)
)
