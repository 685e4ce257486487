"""Workspace A's objects for the URL parameters of the routes that cover every capability
(members, backtests, referrals, charter roles, portal invitations), for tests/test_tenancy.py."""

from __future__ import annotations

from typing import Any

from django_tasks_db.models import DBTaskResult

from tests.conftest import Personas
from tests.engagements.factories import EngagementFactory
from tests.portal.helpers import open_portal
from trustledger.clients.models import Referral
from trustledger.engagements.models import Responsibility
from trustledger.portal.services import issue_link
from trustledger.trust.tasks import backtest_task


def objects(p: Personas) -> dict[str, Any]:
    engagement = EngagementFactory(client=p.client_a, name="Acme Secret Roles")
    open_portal(p.client_a)
    backtest = backtest_task.enqueue(p.workspace_a.pk, 3)
    return {
        "user_id": p.amir,
        "task_id": DBTaskResult.objects.get(id=backtest.id),
        "referral_id": Referral.objects.create(
            workspace=p.workspace_a,
            referrer=p.client_a,
            referred=p.other_client_a,
            referred_on="2026-01-01",
        ),
        "role_id": Responsibility.objects.create(
            workspace=p.workspace_a, engagement=engagement, side="client", person="Ada", role="x"
        ),
        "portal_invitation_id": issue_link(p.contact_a, by=p.alice).link,
    }
