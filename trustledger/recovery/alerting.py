"""Recovery plans that slip raise trust alerts: overdue actions, and updates the client did not get.

Run by the worker's periodic job for every workspace; it is idempotent. For each client the
condition holds for, one unresolved alert per cause exists (the alerts table enforces it); when
the condition clears (the action is done or dropped, an update is sent, the plan closes) the
alert is resolved. A handful of queries per workspace, whatever the number of plans.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max
from django.tasks import task

from trustledger.core.clock import local_today
from trustledger.recovery import selectors
from trustledger.recovery.models import Action, ActionStatus, PlanStatus, RecoveryPlan
from trustledger.trust.alerting import store_alerts
from trustledger.trust.models import Alert, AlertStatus
from trustledger.workspaces.models import Workspace

ACTION_OVERDUE = "recovery_action_overdue"
UPDATE_MISSED = "recovery_update_missed"


@dataclass(frozen=True)
class Finding:
    client_id: int
    cause: str
    detail: str
    suggested_step: str
    evidence_date: dt.date
    owner_id: int | None


def _overdue_actions(workspace: Workspace, today: dt.date) -> list[Finding]:
    rows = (
        Action.objects.for_workspace(workspace)
        .filter(status=ActionStatus.OPEN, due_on__lt=today, plan__status=PlanStatus.OPEN)
        .order_by("due_on", "id")
        .values_list("plan__client_id", "title", "due_on", "plan__owner_id")
    )
    by_client: dict[int, list[tuple[str, dt.date, int | None]]] = defaultdict(list)
    for client_id, action_title, action_due, plan_owner in rows:
        by_client[client_id].append((action_title, action_due, plan_owner))
    findings = []
    for client_id, actions in by_client.items():
        title, due_on, owner_id = actions[0]
        more = f" and {len(actions) - 1} more" if len(actions) > 1 else ""
        findings.append(
            Finding(
                client_id,
                ACTION_OVERDUE,
                f"Recovery action overdue since {due_on:%d %b %Y}: {title}{more}.",
                "Do it or re-plan it with its owner, and tell the client what changes.",
                due_on,
                owner_id,
            )
        )
    return findings


def _missed_updates(workspace: Workspace, today: dt.date) -> list[Finding]:
    plans = (
        RecoveryPlan.objects.for_workspace(workspace)
        .filter(status=PlanStatus.OPEN)
        .annotate(last_update_on=Max("updates__sent_on"))
        .order_by("opened_on", "id")
    )
    findings: dict[int, Finding] = {}
    for plan in plans:
        due = selectors.cadence(plan, plan.last_update_on, today)
        if due is None or not due.missed or plan.client_id in findings:
            continue
        findings[plan.client_id] = Finding(
            plan.client_id,
            UPDATE_MISSED,
            f"The client's progress update on “{plan.title}” was due on "
            f"{due.next_due_on:%d %b %Y} (every {plan.update_every_days} days).",
            "Send the client an update: what was done, what is next, and any small win.",
            due.next_due_on,
            plan.owner_id,
        )
    return list(findings.values())


def check_recovery_alerts(
    workspace: Workspace, today: dt.date | None = None
) -> tuple[list[Alert], list[Alert]]:
    """Open the alerts whose condition holds and resolve those whose condition cleared."""
    today = today or local_today(workspace)
    findings = _overdue_actions(workspace, today) + _missed_updates(workspace, today)
    holding = {(f.client_id, f.cause) for f in findings}
    unresolved = list(
        Alert.objects.for_workspace(workspace)
        .filter(cause__in=(ACTION_OVERDUE, UPDATE_MISSED))
        .exclude(status=AlertStatus.RESOLVED)
    )
    existing = {(a.client_id, a.cause) for a in unresolved}
    cleared = [a for a in unresolved if (a.client_id, a.cause) not in holding]
    new = [
        Alert(
            workspace=workspace,
            client_id=f.client_id,
            cause=f.cause,
            detail=f.detail[:500],
            suggested_step=f.suggested_step[:500],
            evidence_date=f.evidence_date,
            owner_id=f.owner_id,
        )
        for f in findings
        if (f.client_id, f.cause) not in existing
    ]
    created = store_alerts(workspace, new, cleared, actor_label="recovery check")
    return created, cleared


@task()
def check_recovery_alerts_task(workspace_id: int, period: str = "") -> int:
    """The periodic job: raise and resolve one workspace's recovery alerts."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    created, _ = check_recovery_alerts(workspace)
    return len(created)
