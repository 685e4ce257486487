"""A report's stored figures, ready to show: dates as dates, and the charts drawn from them.

The page, the PDF, the e-mail and the client portal all render a report through
``report_content``, so they show the same figures and the same SVG charts, drawn from the
snapshot (never from live data) so that a sent report never changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.safestring import SafeString

from trustledger.charts import BurnPoint, TimelineItem, burn_chart, milestone_timeline
from trustledger.reports.models import StatusReport
from trustledger.reports.narrative import budget_verdict_of, schedule_of


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _dates(row: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """A copy of ``row`` with the named ISO strings turned into dates (templates format them)."""
    return {**row, **{n: _date(row.get(n)) for n in names}}


@dataclass(frozen=True)
class Section:
    """One engagement of a report."""

    data: Mapping[str, Any]
    as_of: dt.date
    index: int

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def currency(self) -> str:
        return str(self.data["currency"])

    @property
    def start(self) -> dt.date | None:
        return _date(self.data["start"])

    @property
    def end(self) -> dt.date | None:
        return _date(self.data["end"])

    @property
    def progress(self) -> dict[str, Any]:
        p = self.data["progress"]
        return {
            "milestones_reached": [
                _dates(m, "delivered", "committed") for m in p["milestones_reached"]
            ],
            "deliverables_accepted": [_dates(d, "accepted") for d in p["deliverables_accepted"]],
            "hours": p["hours"],
            "billed": p["billed"],
        }

    @property
    def budget(self) -> Mapping[str, Any]:
        return {**self.data["budget"], "verdict": budget_verdict_of(self.data)}

    @property
    def schedule(self) -> Mapping[str, Any]:
        """``spi``, ``milestones_late`` and the ``verdict`` the narrative's sentence also reads."""
        return schedule_of(self.data)

    @property
    def milestones(self) -> list[dict[str, Any]]:
        return [_dates(m, "committed", "forecast", "delivered") for m in self.data["milestones"]]

    @property
    def slipping(self) -> list[dict[str, Any]]:
        return [m for m in self.milestones if self._open(m) and m["days_late"] > 0]

    @property
    def upcoming(self) -> list[dict[str, Any]]:
        return [m for m in self.milestones if self._open(m) and m["committed"] >= self.as_of]

    @staticmethod
    def _open(m: Mapping[str, Any]) -> bool:
        return not m["delivered"] and not m["cancelled"]

    @property
    def change_requests(self) -> list[dict[str, Any]]:
        return [_dates(c, "submitted_on", "decided_on") for c in self.data["change_requests"]]

    @property
    def awaiting_decision(self) -> list[dict[str, Any]]:
        return [c for c in self.change_requests if c["status"] == "submitted"]

    @property
    def quality_issues(self) -> list[dict[str, Any]]:
        return [_dates(q, "opened_on") for q in self.data["quality_issues"]]

    @cached_property
    def timeline(self) -> tuple[SafeString, SafeString] | None:
        """The milestone timeline, wide and narrow."""
        items = [
            TimelineItem(
                name=m["name"],
                committed=m["committed"],
                buffer_days=m["buffer_days"],
                forecast=m["forecast"],
                delivered=m["delivered"],
                announced=m["announced"],
                cancelled=m["cancelled"],
            )
            for m in self.milestones
        ]
        if not items:
            return None

        def draw(narrow: bool) -> SafeString:
            return milestone_timeline(
                items,
                today=self.as_of,
                start=self.start,
                end=self.end,
                chart_id=f"report-timeline-{self.index}" + ("-narrow" if narrow else ""),
                narrow=narrow,
            )

        return draw(False), draw(True)

    @cached_property
    def burn(self) -> tuple[SafeString, SafeString] | None:
        """The budget burn chart, wide and narrow."""
        budget = self.data["budget"]
        points = [BurnPoint(dt.date.fromisoformat(w), float(a)) for w, a in budget["points"]]
        if not points or self.start is None or self.end is None:
            return None

        def draw(narrow: bool) -> SafeString:
            return burn_chart(
                points,
                budget=float(budget["budget"]),
                start=self.start,  # type: ignore[arg-type]
                end=self.end,  # type: ignore[arg-type]
                currency=self.currency,
                eac=budget["eac"],
                chart_id=f"report-burn-{self.index}" + ("-narrow" if narrow else ""),
                narrow=narrow,
            )

        return draw(False), draw(True)


@dataclass(frozen=True)
class ReportContent:
    report: StatusReport
    data: Mapping[str, Any]

    @property
    def as_of(self) -> dt.date:
        return _date(self.data.get("as_of")) or self.report.period_end

    @property
    def period_start(self) -> dt.date:
        return _date(self.data.get("period", {}).get("start")) or self.report.period_start

    @property
    def period_end(self) -> dt.date:
        return _date(self.data.get("period", {}).get("end")) or self.report.period_end

    @property
    def firm(self) -> str:
        return str(self.data.get("firm", ""))

    @property
    def client_name(self) -> str:
        return str(self.data.get("client", {}).get("name", self.report.client))

    @cached_property
    def sections(self) -> list[Section]:
        return [
            Section(data, self.as_of, index)
            for index, data in enumerate(self.data.get("engagements", []))
        ]

    @property
    def overdue_commitments(self) -> list[dict[str, Any]]:
        return [_dates(c, "due_on") for c in self.data.get("commitments", {}).get("overdue", [])]

    @property
    def due_commitments(self) -> list[dict[str, Any]]:
        return [_dates(c, "due_on") for c in self.data.get("commitments", {}).get("due", [])]

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.report.narrative.split("\n\n") if p.strip()]


def report_content(report: StatusReport) -> ReportContent:
    return ReportContent(report, report.snapshot or {})
