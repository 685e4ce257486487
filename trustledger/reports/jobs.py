"""Status reports' periodic work: draft the reports whose budget update is due, for review."""

from trustledger.core.extensions import periodic_jobs
from trustledger.core.schedule import PeriodicJob, every
from trustledger.reports.services import draft_due_reports_task

periodic_jobs.register(
    PeriodicJob("reports.draft_due", draft_due_reports_task, every(60), per_workspace=True)
)
