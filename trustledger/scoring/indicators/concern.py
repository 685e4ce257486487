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

    Datetimes are compared with each other, and their dates with `as_of`: keep them all in one
    time zone.
    """

    subject: str
    received: datetime
    sla_due: datetime
    first_response: datetime | None = None

    def __post_init__(self) -> None:
        if self.sla_due <= self.received:
            raise ValueError("sla_due must be after received")
        if self.first_response is not None and self.first_response < self.received:
            raise ValueError("first_response must not precede received")


def _inquiry_event(q: Inquiry, as_of: date) -> _Event | None:
    response = q.first_response
    if response is None or response.date() > as_of:
        if q.sla_due.date() >= as_of:
            return None  # still within its SLA
        return _Event(q.sla_due.date(), 0.0, f"{q.subject}: no response within the SLA")
    hours = (response - q.received).total_seconds() / 3600
    share = (response - q.received) / (q.sla_due - q.received)
    score = 100.0 - 25.0 * share if share <= 1 else 0.0
    text = f"{q.subject}: first response after {hours:.1f} h ({share:.0%} of the SLA)"
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
