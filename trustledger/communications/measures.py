"""How well the firm answers and keeps in touch, from plain values: no Django here.

Selectors fetch the rows (a fixed number of queries for a whole workspace) and these functions
turn them into the figures the pages, the API and the trust signals show.

Cadence periods roll: the next check-in is due one interval after the last one held (plus a
grace of a tenth of the interval, at least a day, since "monthly" means 28 to 31 days apart).
When none is held in time the period is missed and the next is due one interval later, so a
long silence misses one period per interval. Periods due before ``end`` depend only on touches
held by their due date, so adding later touches never changes an earlier verdict.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trustledger.scoring.indicators import CadencePeriod
from trustledger.scoring.stats import median, p90


@dataclass(frozen=True, slots=True)
class Response:
    """One inquiry's clock: when it came, when its SLA fell due, when (and in how many business
    hours) it was first answered."""

    received: dt.datetime
    sla_due: dt.datetime
    first_response: dt.datetime | None = None
    business_hours: float | None = None


@dataclass(frozen=True, slots=True)
class ResponseStats:
    inquiries: int
    answered: int
    median_hours: float | None  # first response, in business hours
    p90_hours: float | None
    judged: int  # answered, or unanswered with the SLA passed
    within_sla: int
    open_past_sla: int

    @property
    def attainment(self) -> float | None:
        """Share of the judged inquiries answered within their SLA."""
        return self.within_sla / self.judged if self.judged else None


def response_stats(items: Iterable[Response], *, now: dt.datetime) -> ResponseStats:
    hours: list[float] = []
    count = judged = within = open_late = 0
    for item in items:
        count += 1
        response = item.first_response
        if response is not None and response <= now:
            judged += 1
            within += response <= item.sla_due
            if item.business_hours is not None:
                hours.append(item.business_hours)
        elif item.sla_due < now:
            judged += 1
            open_late += 1
    return ResponseStats(count, len(hours), median(hours), p90(hours), judged, within, open_late)


def grace_days(every_days: int) -> int:
    return max(1, every_days // 10)


def due_by(last: dt.date, every_days: int) -> dt.date:
    """The last day the next touch of a cadence is on time: the interval and its grace after
    ``last``. Every page that says "due", "on track" or "overdue" for a cadence reads this."""
    return last + dt.timedelta(days=every_days + grace_days(every_days))


def cadence_periods(
    kind: str, every_days: int, *, start: dt.date, end: dt.date, held: Sequence[dt.date]
) -> list[CadencePeriod]:
    """The periods of one cadence from ``start`` until the first one due after ``end``.

    ``held`` are the (sorted) days a touch of ``kind`` took place; those before ``start`` or
    after ``end`` are ignored. The last period may be still running (due after ``end``).
    """
    if every_days <= 0:
        raise ValueError("every_days must be positive")
    days = [d for d in held if start <= d <= end]
    step = dt.timedelta(days=every_days)
    periods: list[CadencePeriod] = []
    anchor, position = start, 0
    while True:
        due = due_by(anchor, every_days)
        position = bisect_right(days, anchor) if periods else 0
        touch = days[position] if position < len(days) else None
        if touch is not None and touch <= due:
            periods.append(CadencePeriod(kind, due, touch))
            anchor = touch
            continue
        periods.append(CadencePeriod(kind, due, None))
        if due >= end:
            return periods
        anchor += step


@dataclass(frozen=True, slots=True)
class Adherence:
    kind: str
    every_days: int
    due: int  # periods whose due date has passed (or that were held)
    held: int  # of those, held in time
    last_held: dt.date | None
    days_since: int  # since the last one held (or since the plan started)
    overdue_days: int  # beyond the interval and its grace; 0 when on track

    @property
    def rate(self) -> float | None:
        return self.held / self.due if self.due else None

    @property
    def badly_overdue(self) -> bool:
        """Silent for twice the interval: the trust index raises an alert."""
        return self.days_since >= 2 * self.every_days


def adherence(
    kind: str, every_days: int, *, start: dt.date, as_of: dt.date, held: Sequence[dt.date]
) -> Adherence:
    periods = cadence_periods(kind, every_days, start=start, end=as_of, held=held)
    judged = [p for p in periods if p.held_on is not None or p.due < as_of]
    kept = sum(1 for p in judged if p.held_on is not None)
    past = [d for d in held if start <= d <= as_of]
    last = past[-1] if past else None
    since = (as_of - (last or start)).days
    overdue = max(0, (as_of - due_by(last or start, every_days)).days)
    return Adherence(kind, every_days, len(judged), kept, last, since, overdue)
