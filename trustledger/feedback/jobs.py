"""Surveys' periodic work: invite due campaigns' audiences and queue due reminders, hourly."""

from trustledger.core.extensions import periodic_jobs
from trustledger.core.schedule import PeriodicJob, every
from trustledger.feedback.tasks import run_due_surveys_task

periodic_jobs.register(PeriodicJob("feedback.due_surveys", run_due_surveys_task, every(60)))
