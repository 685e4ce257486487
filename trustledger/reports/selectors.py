"""Reads for status reports: the lists, and the figures a report is drafted from.

``build_snapshot`` reads the live facts of one engagement (or every current engagement of a
client) and returns plain JSON: what the report shows, and what is frozen into a sent report.
Budget figures come from the engagement selectors (burn, EVM) and milestone verdicts from the
engagement page's rows, so a report never disagrees with the engagement page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncWeek

from trustledger.charts import cumulative_weeks
from trustledger.clients.models import Client
from trustledger.communications.models import Commitment
from trustledger.core.clock import local_today
from trustledger.engagements import selectors as engagement_selectors
from trustledger.engagements.models import (
    ChangeRequestStatus,
    Engagement,
    EngagementStatus,
    MilestoneStatus,
)
from trustledger.engagements.page import milestone_rows
from trustledger.reports.models import ReportStatus, StatusReport
from trustledger.scoring.display import round_half_up
from trustledger.scoring.evm import budget_verdict, schedule_verdict
from trustledger.workspaces.models import Workspace

SNAPSHOT_VERSION = 2  # 2: budget and schedule verdicts (scoring.evm) frozen with the figures
UPCOMING_DAYS = 45  # next steps: milestones and commitments due this soon
CURRENT = (EngagementStatus.ACTIVE, EngagementStatus.ON_HOLD)
REPORTABLE = (*CURRENT, EngagementStatus.CLOSED)
ZERO = Decimal(0)


# Lists


def list_reports(
    workspace: Workspace,
    *,
    client_id: int | None = None,
    engagement_id: int | None = None,
    status: str = "",
) -> QuerySet[StatusReport]:
    qs = StatusReport.objects.for_workspace(workspace).select_related(
        "client", "engagement", "sent_by", "created_by"
    )
    if client_id:
        qs = qs.filter(client_id=client_id)
    if engagement_id:
        qs = qs.filter(engagement_id=engagement_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def reports_shared_with(workspace: Workspace, client: Client) -> QuerySet[StatusReport]:
    """The reports sent to ``client`` (on its engagements or on the whole client), newest
    first: what the client portal shows. Drafts are never shared."""
    return (
        StatusReport.objects.for_workspace(workspace)
        .filter(client=client, status=ReportStatus.SENT)
        .select_related("engagement")
        .order_by("-sent_at", "-id")
    )


def last_sent(client: Client, engagement: Engagement | None) -> StatusReport | None:
    """The previous report on the same subject: progress is counted from its period's end."""
    return (
        StatusReport.objects.filter(
            workspace_id=client.workspace_id,
            client=client,
            engagement=engagement,
            status=ReportStatus.SENT,
        )
        .order_by("-period_end", "-sent_at")
        .first()
    )


def reported_engagements(client: Client, engagement: Engagement | None) -> list[Engagement]:
    """The engagement reported on, or the client's current (active, on hold) engagements."""
    if engagement is not None:
        return [engagement]
    return list(
        Engagement.objects.filter(
            workspace_id=client.workspace_id, client=client, status__in=CURRENT
        ).order_by("start_date", "name", "pk")
    )


def period_start(client: Client, engagement: Engagement | None, as_of: dt.date) -> dt.date:
    """The day after the last sent report's period; the start of the work for a first one."""
    previous = last_sent(client, engagement)
    if previous is not None:
        start = previous.period_end + dt.timedelta(days=1)
    else:
        starts = [e.start_date for e in reported_engagements(client, engagement)]
        start = min(starts) if starts else as_of - dt.timedelta(days=30)
    return min(start, as_of)


# The figures


def build_snapshot(
    client: Client,
    engagement: Engagement | None,
    *,
    since: dt.date,
    as_of: dt.date,
) -> dict[str, Any]:
    """Everything a report shows, as plain JSON, from the facts known today for the period
    ``since`` .. ``as_of`` (both included)."""
    engagements = reported_engagements(client, engagement)
    return {
        "version": SNAPSHOT_VERSION,
        "firm": client.workspace.name,
        "client": {"id": client.pk, "name": client.name},
        "engagement_id": engagement.pk if engagement else None,
        "period": {"start": since.isoformat(), "end": as_of.isoformat()},
        "as_of": as_of.isoformat(),
        "engagements": [engagement_section(e, since=since, as_of=as_of) for e in engagements],
        "commitments": commitment_section(client, as_of=as_of),
    }


def engagement_section(engagement: Engagement, *, since: dt.date, as_of: dt.date) -> dict[str, Any]:
    rows = milestone_rows(engagement, as_of)
    budget = _budget(engagement, as_of)
    late = sum(1 for r in rows if r.days_late > 0 and not r.item.delivered and not r.item.cancelled)
    return {
        "id": engagement.pk,
        "name": engagement.name,
        "status": engagement.get_status_display(),
        "currency": engagement.currency,
        "start": engagement.start_date.isoformat(),
        "end": engagement.end_date.isoformat(),
        "progress": _progress(engagement, since, as_of),
        "milestones": [
            {
                "name": row.item.name,
                "committed": row.item.committed.isoformat(),
                "buffer_days": row.item.buffer_days,
                "forecast": _iso(row.item.forecast),
                "delivered": _iso(row.item.delivered),
                "announced": row.item.announced,
                "cancelled": row.item.cancelled,
                "days_late": row.days_late,
                "late": row.late,
                "status": row.status,
            }
            for row in rows
        ],
        "budget": budget,
        "schedule": {
            "spi": budget["spi"],
            "milestones_late": late,
            "verdict": schedule_verdict(budget["spi"], milestones_late=late),
        },
        "change_requests": _change_requests(engagement, since, as_of),
        "quality_issues": _quality_issues(engagement, as_of),
    }


def _progress(engagement: Engagement, since: dt.date, as_of: dt.date) -> dict[str, Any]:
    in_period = {"delivered_on__gte": since, "delivered_on__lte": as_of}
    reached = engagement.milestones.filter(**in_period).exclude(status=MilestoneStatus.CANCELLED)
    accepted = engagement.deliverables.filter(accepted_on__gte=since, accepted_on__lte=as_of)
    logged = engagement.time_entries.filter(date__gte=since, date__lte=as_of).aggregate(
        period_hours=Coalesce(Sum("hours"), ZERO),
        period_billed=Coalesce(Sum(engagement_selectors.BILLED), ZERO),
    )
    return {
        "milestones_reached": [
            {
                "name": m.name,
                "delivered": m.delivered_on.isoformat() if m.delivered_on else None,
                "committed": m.committed_date.isoformat(),
                "days_late": m.days_late or 0,
            }
            for m in reached.order_by("delivered_on", "id")
        ],
        "deliverables_accepted": [
            {"name": d.name, "accepted": d.accepted_on.isoformat() if d.accepted_on else None}
            for d in accepted.order_by("accepted_on", "id")
        ],
        "hours": _money(logged["period_hours"]),
        "billed": _money(logged["period_billed"]),
    }


def _budget(engagement: Engagement, as_of: dt.date) -> dict[str, Any]:
    burn = engagement_selectors.burn(engagement, as_of)
    evm = engagement_selectors.evm(engagement, as_of)
    budget = float(engagement.budget_amount)
    overrun = _round(evm.forecast_overrun, 4) if evm else None
    return {
        "budget": budget,
        "budget_hours": _money(engagement.budget_hours),
        "billed": _money(burn.billed),
        "hours": _money(burn.hours),
        "burned_share": float(burn.billed) / budget if budget > 0 else None,
        "cpi": _round(evm.cpi) if evm else None,
        "spi": _round(evm.spi) if evm else None,
        "eac": _round(evm.eac) if evm else None,
        "vac": _round(evm.vac) if evm else None,
        "forecast_overrun": overrun,
        "verdict": budget_verdict(overrun),
        "points": [
            [p.week.isoformat(), round(p.amount, 2)] for p in _weekly_burn(engagement, as_of)
        ],
    }


def _weekly_burn(engagement: Engagement, as_of: dt.date) -> list[Any]:
    """Cumulative budget burned (bill rates, as EVM counts it) by week up to ``as_of``."""
    weekly = (
        engagement.time_entries.filter(date__lte=as_of)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(value=Sum(engagement_selectors.BILLED))
        .order_by("week")
    )
    burned = {_as_date(row["week"]): float(row["value"] or 0) for row in weekly}
    if not burned:
        return []
    until = max(engagement.start_date, min(as_of, engagement.end_date))
    return cumulative_weeks(burned, engagement.start_date, until)


def _change_requests(engagement: Engagement, since: dt.date, as_of: dt.date) -> list[Any]:
    """Those awaiting the client's decision, and those decided in the period. Drafts are the
    firm's own business until submitted."""
    S = ChangeRequestStatus
    qs = engagement.change_requests.filter(
        Q(status=S.SUBMITTED)
        | Q(status__in=(S.APPROVED, S.REJECTED), decided_on__gte=since, decided_on__lte=as_of)
    ).order_by("submitted_on", "id")
    return [
        {
            "title": cr.title,
            "status": cr.status,
            "status_label": cr.get_status_display(),
            "cost_impact": _money(cr.cost_impact),
            "effort_hours": _money(cr.effort_hours),
            "schedule_impact_days": cr.schedule_impact_days,
            "submitted_on": _iso(cr.submitted_on),
            "decided_on": _iso(cr.decided_on),
        }
        for cr in qs
    ]


def _quality_issues(engagement: Engagement, as_of: dt.date) -> list[Any]:
    """Quality issues open on ``as_of``, the most severe first."""
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    qs = engagement.quality_issues.filter(opened_on__lte=as_of).filter(
        Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of)
    )
    issues = [
        {
            "title": q.title,
            "severity": q.severity,
            "severity_label": q.get_severity_display(),
            "found_by": q.found_by,
            "opened_on": q.opened_on.isoformat(),
        }
        for q in qs
    ]
    return sorted(issues, key=lambda i: (order.get(str(i["severity"]), 9), i["opened_on"]))


def commitment_section(client: Client, *, as_of: dt.date) -> dict[str, Any]:
    """The client's open promises: overdue ones are a risk, those due soon are next steps."""
    open_ = Commitment.objects.filter(
        workspace_id=client.workspace_id,
        client=client,
        done_on__isnull=True,
        broken_on__isnull=True,
        due_on__lte=as_of + dt.timedelta(days=UPCOMING_DAYS),
    ).order_by("due_on", "id")
    rows = [{"description": c.description, "due_on": c.due_on.isoformat()} for c in open_]
    return {
        "overdue": [r for r in rows if r["due_on"] < as_of.isoformat()],
        "due": [r for r in rows if r["due_on"] >= as_of.isoformat()],
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _money(value: Decimal | float) -> float:
    return round(float(value), 2)


def _round(value: float | None, digits: int = 2) -> float | None:
    """Figures are frozen at the precision they are shown with, by the one rounding rule, and
    their verdicts are taken on the frozen figure, so a sent report reads the same forever."""
    return None if value is None else round_half_up(value, digits)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def with_live_figures(report: StatusReport, today: dt.date | None = None) -> StatusReport:
    """A draft as it would be sent now: figures as of today, and the drafted narrative redrawn
    from them unless someone edited it. Changes the object in memory only (pages are reads)."""
    if not report.is_draft:
        return report
    from trustledger.reports.narrative import draft_narrative

    today = today or local_today(report.workspace)
    edited = report.narrative_edited
    report.period_start = period_start(report.client, report.engagement, today)
    report.period_end = today
    report.snapshot = build_snapshot(
        report.client, report.engagement, since=report.period_start, as_of=today
    )
    if not edited:
        report.narrative = report.drafted_narrative = draft_narrative(report.snapshot)
    return report
