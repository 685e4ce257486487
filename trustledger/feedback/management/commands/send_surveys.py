"""``manage.py send_surveys``: run due campaigns and queue due reminders (from cron, hourly).

The e-mails themselves go out from the task worker (``manage.py db_worker``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trustledger.feedback.services import run_due_surveys


class Command(BaseCommand):
    help = "Invite the audiences of due survey campaigns and queue due reminders."

    def handle(self, *args: Any, **options: Any) -> None:
        invited, reminders = run_due_surveys()
        self.stdout.write(f"{invited} invitations created, {reminders} reminders queued.")
