"""Results: milestones on time, budgets, quality and outcomes."""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal

from trustledger.scoring.display import format_ratio
from trustledger.scoring.index import (
    IndexSettings,
    IndicatorResult,
)
from trustledger.scoring.indicators._events import (
    NEUTRAL,
    _Event,
    _indicator,
    _known,
    _pass_fail,
)


@dataclass(frozen=True, slots=True)
class Milestone:
    """A milestone committed to the client for `committed`, tolerating `buffer_days` of delay."""

    name: str
    committed: date
    buffer_days: int
    delivered: date | None = None
    notice_sent: date | None = None

    def __post_init__(self) -> None:
        if self.buffer_days < 0:
            raise ValueError("buffer_days must not be negative")


def _lateness_score(days_late: int, buffer_days: int) -> float:
    """100 on time; late within the buffer falls linearly to 50 at its end; beyond it, 0."""
    if days_late <= 0:
        return 100.0
    if days_late <= buffer_days:
        return 100.0 - NEUTRAL * days_late / buffer_days
    return 0.0


def _milestone_event(m: Milestone, as_of: date) -> _Event | None:
    delivered = _known(m.delivered, as_of)
    if m.committed > as_of or (delivered is None and m.committed == as_of):
        return None  # not due yet: judged once due
    late = ((as_of if delivered is None else delivered) - m.committed).days
    if delivered is None:
        what = f"not delivered, {late} days past due"
    else:
        what = f"delivered {late} days late" if late > 0 else "delivered on time"
    text = f"{m.name}: {what} (buffer {m.buffer_days} days)"
    return _Event(m.committed, _lateness_score(late, m.buffer_days), text)


def on_time(
    milestones: Iterable[Milestone], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Milestones due in the window, dated by their committed date (see `_lateness_score`).

    A milestone still undelivered after its committed date is as late as it is on `as_of`.
    """
    events = (_milestone_event(m, as_of) for m in milestones)
    return _indicator("on_time", events, as_of, settings)


@dataclass(frozen=True, slots=True)
class ActiveBudget:
    """The CPI (earned value / actual cost) of an active engagement, measured on a date."""

    engagement: str
    measured_on: date
    cpi: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.cpi) or self.cpi < 0:
            raise ValueError("cpi must be finite and non-negative")


@dataclass(frozen=True, slots=True)
class ClosedBudget:
    """Whether a closed engagement finished within its budget."""

    engagement: str
    closed_on: date
    within_budget: bool


def _cpi_score(cpi: float) -> float:
    """100 at CPI 1 or better, falling linearly to 0 at CPI 0.5 (earning half of what is spent)."""
    return 100.0 * min(1.0, max(0.0, (cpi - 0.5) / 0.5))


def budget(
    active: Iterable[ActiveBudget],
    closed: Iterable[ClosedBudget],
    *,
    as_of: date,
    settings: IndexSettings,
) -> IndicatorResult:
    """CPI of active engagements (pass one measurement each) and closed ones within budget."""
    events = [
        _Event(a.measured_on, _cpi_score(a.cpi), f"{a.engagement}: CPI {format_ratio(a.cpi)}")
        for a in active
    ]
    for c in closed:
        verdict = "within budget" if c.within_budget else "over budget"
        events.append(_pass_fail(c.closed_on, c.within_budget, f"{c.engagement}: {verdict}"))
    return _indicator("budget", events, as_of, settings)


type Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"low": 0.5, "medium": 1.0, "high": 2.0, "critical": 4.0}
)


@dataclass(frozen=True, slots=True)
class Review:
    """The client's first review of a deliverable: accepted as delivered, or sent back."""

    deliverable: str
    reviewed_on: date
    accepted_first_time: bool


@dataclass(frozen=True, slots=True)
class ClientIssue:
    """A quality issue found by the client (issues we catch ourselves are not penalised)."""

    title: str
    found_on: date
    severity: Severity

    def __post_init__(self) -> None:
        if self.severity not in SEVERITY_WEIGHTS:
            raise ValueError(f"unknown severity {self.severity!r}")


def quality(
    reviews: Iterable[Review],
    issues: Iterable[ClientIssue],
    *,
    as_of: date,
    settings: IndexSettings,
) -> IndicatorResult:
    """Reviews pass or fail; a client-found issue is a failure weighing as many reviews as its
    `SEVERITY_WEIGHTS` (a critical issue counts like four deliverables sent back)."""
    events = []
    for r in reviews:
        verdict = "accepted at first review" if r.accepted_first_time else "sent back"
        events.append(
            _pass_fail(r.reviewed_on, r.accepted_first_time, f"{r.deliverable}: {verdict}")
        )
    for i in issues:
        text = f"{i.title}: {i.severity} issue found by the client"
        events.append(_pass_fail(i.found_on, False, text, SEVERITY_WEIGHTS[i.severity]))
    return _indicator("quality", events, as_of, settings)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How many of an engagement's success criteria were met when it closed."""

    engagement: str
    closed_on: date
    criteria_met: int
    criteria_total: int

    def __post_init__(self) -> None:
        if not 0 <= self.criteria_met <= self.criteria_total or self.criteria_total == 0:
            raise ValueError("need 0 <= criteria_met <= criteria_total and criteria_total > 0")


def outcomes(closed: Iterable[Outcome], *, as_of: date, settings: IndexSettings) -> IndicatorResult:
    """Share of success criteria met, per engagement closed in the window."""
    events = (
        _Event(
            o.closed_on,
            100.0 * o.criteria_met / o.criteria_total,
            f"{o.engagement}: {o.criteria_met} of {o.criteria_total} success criteria met",
        )
        for o in closed
    )
    return _indicator("outcomes", events, as_of, settings)
