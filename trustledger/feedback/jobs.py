"""Surveys' periodic work: invite due campaigns' audiences and queue due reminders, hourly;
announce newly overdue follow-ups (for webhooks), every 10 minutes."""

from trustledger.core.extensions import periodic_jobs
from trustledger.core.schedule import PeriodicJob, every
from trustledger.feedback.events import publish_overdue_follow_ups_task
from trustledger.feedback.tasks import run_due_surveys_task

periodic_jobs.register(PeriodicJob("feedback.due_surveys", run_due_surveys_task, every(60)))
periodic_jobs.register(
    PeriodicJob(
        "feedback.overdue_follow_ups",
        publish_overdue_follow_ups_task,
        every(10),
        per_workspace=True,
    )
)
