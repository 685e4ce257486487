"""Concern: commitments kept, responsiveness, cadence, closing the loop."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from trustledger.scoring.index import (
    IndexSettings,
    IndicatorResult,
)
from trustledger.scoring.indicators._events import (
    DueItem,
    _balanced,
    _due_event,
    _Event,
    _indicator,
    _known,
    _pass_fail,
    _result,
    _weigh,
)


@dataclass(frozen=True, slots=True)
class Inquiry:
    """A client inquiry, its first response (if any) and the SLA of its channel.

    Datetimes are compared with each other, and their dates with `as_of`: keep them all in the
    firm's time zone. `sla_hours` is the SLA and `response_hours` the first response, both in
    the business hours of the firm's calendar (`scoring.businesstime`), the measure the
    communications page shows; `sla_due` is the SLA counted on that calendar. Left out, both
    count every hour (a calendar open round the clock).
    """

    subject: str
    received: datetime
    sla_due: datetime
    first_response: datetime | None = None
    response_hours: float | None = None
    sla_hours: float | None = None

    def __post_init__(self) -> None:
        if self.sla_due <= self.received:
            raise ValueError("sla_due must be after received")
        if self.first_response is not None and self.first_response < self.received:
            raise ValueError("first_response must not precede received")
        if self.sla_hours is not None and self.sla_hours <= 0:
            raise ValueError("sla_hours must be positive")
        if self.response_hours is not None and self.response_hours < 0:
            raise ValueError("response_hours must not be negative")

    @property
    def allowed_hours(self) -> float:
        """The SLA in (business) hours."""
        if self.sla_hours is not None:
            return self.sla_hours
        return (self.sla_due - self.received).total_seconds() / 3600

    def hours_to(self, response: datetime) -> float:
        """The first response in (business) hours."""
        if self.response_hours is not None:
            return self.response_hours
        return (response - self.received).total_seconds() / 3600

    def past_sla(self, now: datetime) -> bool:
        """Unanswered at `now` with its deadline passed: what the Inbox calls overdue."""
        answered = self.first_response is not None and self.first_response <= now
        return not answered and now > self.sla_due


def _inquiry_event(q: Inquiry, as_of: date) -> _Event | None:
    response = q.first_response
    if response is None or response.date() > as_of:
        if q.sla_due.date() >= as_of:
            return None  # still within its SLA
        return _Event(q.sla_due.date(), 0.0, f"{q.subject}: no response within the SLA")
    hours, allowed = q.hours_to(response), q.allowed_hours
    share = min(hours / allowed, 1.0)
    # Late is judged by the deadline, as the Inbox and the communications page do: an answer
    # after closing time on the due day used no more business hours but came after it.
    score = 100.0 - 25.0 * share if response <= q.sla_due else 0.0
    text = (
        f"{q.subject}: first response after {hours:.1f} business hours "
        f"({hours / allowed:.0%} of the {allowed:g} h SLA)"
    )
    return _Event(response.date(), score, text)


def responsiveness(
    inquiries: Iterable[Inquiry], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """A response within the SLA scores 100 when instant down to 75 at the SLA, rewarding speed
    as a median response time would; a breach, or no response once the SLA passed, scores 0."""
    events = (_inquiry_event(q, as_of) for q in inquiries)
    return _indicator("responsiveness", events, as_of, settings)


@dataclass(frozen=True, slots=True)
class CadencePeriod:
    """One period of the communication plan (a check-in, business review or budget update of
    `kind`), due by `due`, and when it was held."""

    kind: str
    due: date
    held_on: date | None = None


def _cadence_event(p: CadencePeriod, as_of: date) -> _Event | None:
    held = _known(p.held_on, as_of)
    if held is not None and held <= p.due:
        return _pass_fail(held, True, f"{p.kind} held on {held} (due {p.due})")
    if p.due >= as_of:
        return None  # not due yet
    return _pass_fail(p.due, False, f"{p.kind} due {p.due} not held in time")


def cadence(
    periods: Iterable[CadencePeriod], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Share of planned touches held by their due date; every kind weighs the same."""
    by_kind: defaultdict[str, list[_Event | None]] = defaultdict(list)
    for p in periods:
        by_kind[p.kind].append(_cadence_event(p, as_of))
    parts = (_weigh(events, as_of, settings) for events in by_kind.values())
    return _result("cadence", _balanced(parts))


def closing_loop(
    follow_ups: Iterable[DueItem], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Follow-ups of detractors and complaints done by their due date."""
    return _indicator("closing_loop", (_due_event(f, as_of) for f in follow_ups), as_of, settings)
