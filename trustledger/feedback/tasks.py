"""Background work of surveys: one e-mail per task, enqueued once the invitation is committed.

Tasks take ids and call services; a task that finds nothing left to do (answered, opted out,
already sent) does nothing, so a retried or duplicated task is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.tasks import task


@task()
def send_invitation_task(invitation_id: int) -> bool:
    from trustledger.feedback.services import send_invitation

    return send_invitation(invitation_id) is not None


@task()
def send_reminder_task(invitation_id: int) -> bool:
    from trustledger.feedback.services import send_reminder

    return send_reminder(invitation_id) is not None


@task()
def run_due_surveys_task(period: str = "") -> list[int]:
    """Due campaigns and reminders (the hourly periodic job)."""
    from trustledger.feedback.services import run_due_surveys

    return list(run_due_surveys())


def schedule_invitations(invitation_ids: Sequence[int]) -> None:
    """Send each invitation from its own task once the surrounding transaction commits."""
    for pk in invitation_ids:
        transaction.on_commit(partial(send_invitation_task.enqueue, pk))


def schedule_reminders(invitation_ids: Sequence[int]) -> None:
    for pk in invitation_ids:
        transaction.on_commit(partial(send_reminder_task.enqueue, pk))
