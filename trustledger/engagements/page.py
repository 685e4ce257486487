"""Everything the engagement page shows, read in a fixed number of queries whatever its size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.safestring import SafeString

from trustledger.charts import TimelineItem, burn_chart, cumulative_weeks, milestone_timeline
from trustledger.core.claims import recorded_on
from trustledger.engagements import selectors
from trustledger.engagements.models import (
    Assignment,
    Engagement,
    EngagementStatus,
    Milestone,
    MilestoneStatus,
    Notice,
    NoticeKind,
    ReviewOutcome,
)
from trustledger.engagements.services import TRANSITIONS
from trustledger.scoring import indicators as ind
from trustledger.scoring.capacity import PersonLoad
from trustledger.scoring.evm import (
    BudgetVerdict,
    EvmResult,
    Performance,
    budget_verdict,
    performance,
    schedule_verdict,
)

S = EngagementStatus


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    item: TimelineItem
    days_late: int
    late: bool  # beyond the buffer
    status: str
    told_in_advance: bool | None  # None: nothing slipped, so nothing to tell


@dataclass(frozen=True)
class NoticeRow:
    notice: Notice
    counts_from: dt.date  # the later of the day it says the client was told and its recording

    @property
    def recorded_late(self) -> bool:
        return self.counts_from > self.notice.sent_on


@dataclass(frozen=True)
class Verdicts:
    """What the budget and schedule figures mean, by the rules of `scoring.evm`: the page
    colours and words its figures with these, never with thresholds of its own."""

    budget: BudgetVerdict
    cost: Performance
    schedule: Performance
    milestones_late: int  # open milestones past (or forecast past) their committed date


def verdicts(evm: EvmResult | None, rows: list[MilestoneRow]) -> Verdicts:
    late = sum(1 for r in rows if r.days_late > 0 and not r.item.delivered and not r.item.cancelled)
    return Verdicts(
        budget=budget_verdict(evm.forecast_overrun if evm else None),
        cost=performance(evm.cpi if evm else None),
        schedule=schedule_verdict(evm.spi if evm else None, milestones_late=late),
        milestones_late=late,
    )


@dataclass(frozen=True)
class TeamRow:
    assignment: Assignment
    load: PersonLoad | None


@dataclass(frozen=True)
class StatusAction:
    status: str
    label: str
    needs_override: bool = False
    danger: bool = False


def engagement_page(
    engagement: Engagement,
    *,
    can_manage: bool,
    can_log: bool,
    can_override: bool,
    today: dt.date | None = None,
) -> dict[str, Any]:
    today = today or timezone.localdate()
    milestones = milestone_rows(engagement, today)
    team = team_rows(engagement)
    criteria = list(engagement.success_criteria.all())
    burn = selectors.burn(engagement)
    evm = selectors.evm(engagement, today)
    return {
        "engagement": engagement,
        "today": today,
        "can_manage": can_manage,
        "can_log": can_log,
        "can_override": can_override,
        "status_actions": status_actions(engagement),
        "scope_items": list(engagement.scope_items.all()),
        "responsibilities": list(engagement.responsibilities.all()),
        "criteria": criteria,
        "unassessed": sum(c.met is None for c in criteria),
        "milestones": milestones,
        "timeline": timeline_charts(milestones, engagement, today),
        "late_count": sum(row.late for row in milestones),
        "deliverables": list(
            engagement.deliverables.select_related("milestone").annotate(
                returns=Count("reviews", filter=Q(reviews__outcome=ReviewOutcome.RETURNED))
            )
        ),
        "burn": burn,
        "evm": evm,
        "verdicts": verdicts(evm, milestones),
        "burn_chart": burn_charts(engagement, today, evm.eac if evm else None),
        "time_entries": recent_time(engagement),
        "change_requests": list(engagement.change_requests.select_related("decided_by")),
        "quality_issues": list(engagement.quality_issues.select_related("deliverable")),
        "notices": notice_rows(engagement),
        "team": team,
        "over_committed": [row for row in team if row.load and row.load.over_committed],
        "capacity_first": engagement.status == S.PROPOSED,
    }


def milestone_rows(engagement: Engagement, today: dt.date) -> list[MilestoneRow]:
    """Each milestone on the timeline; told in advance when its first slip notice counts (from
    the later of its date and its recording) by the committed date, as in the index."""
    notices = Notice.objects.filter(
        engagement=engagement, kind=NoticeKind.SLIP, milestone__isnull=False
    ).values_list("milestone_id", "sent_on", "recorded_at")
    told = selectors.first_told_by(engagement.workspace, notices)
    rows = []
    for m in engagement.milestones.all():
        first = told.get(m.pk)
        notice_on = first.counts_from if first else None
        item = TimelineItem(
            name=m.name,
            committed=m.committed_date,
            buffer_days=m.buffer_days,
            forecast=m.forecast_date,
            delivered=m.delivered_on,
            announced=notice_on is not None and notice_on <= m.committed_date,
            cancelled=m.status == MilestoneStatus.CANCELLED,
        )
        days_late = 0 if item.cancelled else item.days_late(today)
        rows.append(
            MilestoneRow(
                milestone=m,
                item=item,
                days_late=days_late,
                late=item.late_beyond_buffer(today),
                status=item.status(today),
                told_in_advance=item.announced if days_late else None,
            )
        )
    return rows


def notice_rows(engagement: Engagement) -> list[NoticeRow]:
    notices = list(engagement.notices.select_related("milestone"))
    told = (ind.Told(n.sent_on, recorded_on(engagement.workspace, n.recorded_at)) for n in notices)
    return [NoticeRow(n, t.counts_from) for n, t in zip(notices, told, strict=True)]


def team_rows(engagement: Engagement) -> list[TeamRow]:
    loads = {load.person_id: load for load in selectors.capacity_check(engagement)}
    return [
        TeamRow(assignment, loads.get(assignment.person_id))
        for assignment in engagement.assignments.select_related("person").order_by(
            "person__full_name", "person__email"
        )
    ]


def status_actions(engagement: Engagement) -> list[StatusAction]:
    labels = {
        S.ACTIVE: "Resume" if engagement.status == S.ON_HOLD else "Start the work",
        S.ON_HOLD: "Put on hold",
        S.CLOSED: "Close",
        S.CANCELLED: "Cancel engagement",
    }
    order = [S.ACTIVE, S.ON_HOLD, S.CLOSED, S.CANCELLED]
    allowed = TRANSITIONS.get(engagement.status, set())
    return [
        StatusAction(
            status=status,
            label=labels[status],
            needs_override=status == S.ACTIVE
            and engagement.status == S.PROPOSED
            and not engagement.charter_signed,
            danger=status == S.CANCELLED,
        )
        for status in order
        if status in allowed
    ]


def recent_time(engagement: Engagement, limit: int = 8) -> list[Any]:
    """The latest time entries, each with its ``standing`` (approved scope, overhead, unapproved
    scope or unclassified)."""
    entries = list(
        engagement.time_entries.select_related("scope_item", "change_request").annotate(
            standing=selectors.scope_standing()
        )[:limit]
    )
    for entry in entries:
        entry.standing = selectors.Standing(entry.standing)
    return entries


def time_page(engagement: Engagement, *, can_map: bool, can_map_firm_wide: bool) -> dict[str, Any]:
    """The engagement's time by what it counts as, the task names nobody has classified, and the
    mappings that apply to it."""
    hours = selectors.hours_by_standing(engagement)
    return {
        "engagement": engagement,
        "can_map": can_map,
        "can_map_firm_wide": can_map_firm_wide,
        "standings": [(s, hours[s]) for s in selectors.Standing],
        "total_hours": sum(hours.values(), Decimal(0)),
        "unclassified_hours": hours[selectors.Standing.UNCLASSIFIED],
        "unclassified": selectors.unclassified_tasks(engagement.workspace, engagement=engagement),
        "mappings": list(selectors.task_mappings(engagement.workspace, engagement=engagement)),
        "has_scope": engagement.scope_items.exists(),
        "time_entries": recent_time(engagement, limit=25),
    }


@dataclass(frozen=True)
class Chart:
    """One chart laid out twice: the page shows the wide one, or the narrow one on a phone."""

    wide: SafeString
    narrow: SafeString


def timeline_charts(
    rows: list[MilestoneRow],
    engagement: Engagement,
    today: dt.date,
    *,
    chart_id: str = "milestone-timeline",
) -> Chart | None:
    """The milestone timeline, wide and narrow (the engagement page and the client portal)."""
    if not rows:
        return None
    items = [row.item for row in rows]

    def draw(narrow: bool) -> SafeString:
        return milestone_timeline(
            items,
            today=today,
            start=engagement.start_date,
            end=engagement.end_date,
            chart_id=chart_id + ("-narrow" if narrow else ""),
            narrow=narrow,
        )

    return Chart(wide=draw(False), narrow=draw(True))


def burn_charts(
    engagement: Engagement, today: dt.date, eac: float | None, *, chart_id: str = "burn-chart"
) -> Chart | None:
    """The budget burn-down, wide and narrow (the engagement page and the client portal)."""
    weekly = (
        engagement.time_entries.annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(value=Sum(selectors.BILLED))
        .order_by("week")
    )
    burned = {_as_date(row["week"]): float(row["value"] or Decimal(0)) for row in weekly}
    if not burned:
        return None
    until = max(engagement.start_date, min(today, engagement.end_date))
    points = cumulative_weeks(burned, engagement.start_date, until)

    def draw(narrow: bool) -> SafeString:
        return burn_chart(
            points,
            budget=float(engagement.budget_amount),
            start=engagement.start_date,
            end=engagement.end_date,
            currency=engagement.currency,
            eac=eac,
            chart_id=chart_id + ("-narrow" if narrow else ""),
            narrow=narrow,
        )

    return Chart(wide=draw(False), narrow=draw(True))


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
