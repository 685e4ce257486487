"""The thirteen indicators of one client as of a date, each 0-100 with the events behind it.

Every indicator is a decay-weighted mean of per-event scores s_k in [0, 100]:

    score = sum(w_k * s_k) / sum(w_k),   w_k = base_k * 0.5 ** (age_k / half_life_days)

base_k is the event's own weight (1 unless an indicator says otherwise) and age_k its age in days
on `as_of`. Point in time: only events dated within [as_of - window_days, as_of] count, and any
date after `as_of` (a delivery, a response, an approval) is treated as not known yet, so adding
later facts never changes an earlier score. No event in the window gives score None (no data).

Each event's Evidence.impact is w_k / sum(w) * (s_k - 50): the points it pulls the score above
or below the neutral 50, so that score == 50 + sum(impacts) and good events show as positive.
A breached SLA, a detractor answer, a milestone late beyond its buffer or any failed pass/fail
event scores 0, the floor, so adding one never raises its indicator.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Literal

from trustledger.scoring.index import (
    Evidence,
    IndexSettings,
    IndicatorResult,
    decay_weight,
    weighted_mean,
)
from trustledger.scoring.nps import category, validate_score

NEUTRAL = 50.0


@dataclass(frozen=True, slots=True)
class _Event:
    day: date
    score: float
    description: str
    weight: float = 1.0


type _Weighed = list[tuple[_Event, float]]


def _pass_fail(day: date, passed: bool, description: str, weight: float = 1.0) -> _Event:
    return _Event(day, 100.0 if passed else 0.0, description, weight)


def _known(day: date | None, as_of: date) -> date | None:
    """The date if it was known on as_of, else None: a later fact does not exist yet."""
    return day if day is not None and day <= as_of else None


def _weigh(events: Iterable[_Event | None], as_of: date, settings: IndexSettings) -> _Weighed:
    weighed = []
    for event in filter(None, events):
        age = (as_of - event.day).days
        if 0 <= age <= settings.window_days:
            weighed.append((event, event.weight * decay_weight(age, settings.half_life_days)))
    return [(event, w) for event, w in weighed if w > 0]


def _balanced(parts: Iterable[_Weighed]) -> _Weighed:
    """Give every non-empty part the same total weight, so that e.g. weekly check-ins do not drown
    quarterly business reviews."""
    balanced: _Weighed = []
    for part in parts:
        total = math.fsum(w for _, w in part)
        balanced += [(event, w / total) for event, w in part]
    return balanced


def _result(key: str, weighed: _Weighed) -> IndicatorResult:
    weights = [w for _, w in weighed]
    score = weighted_mean([event.score for event, _ in weighed], weights)
    if score is None:
        return IndicatorResult(key, None)
    total = math.fsum(weights)
    evidence = tuple(
        Evidence(event.day, event.description, w / total * (event.score - NEUTRAL))
        for event, w in sorted(weighed, key=lambda pair: pair[0].day)
    )
    return IndicatorResult(key, min(100.0, max(0.0, score)), evidence)


def _indicator(
    key: str, events: Iterable[_Event | None], as_of: date, settings: IndexSettings
) -> IndicatorResult:
    return _result(key, _weigh(events, as_of, settings))


# --- results ---------------------------------------------------------------------------------


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
        _Event(a.measured_on, _cpi_score(a.cpi), f"{a.engagement}: CPI {a.cpi:.2f}") for a in active
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


# --- integrity -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScopeWork:
    """Hours logged on one day, on approved scope or on scope no approved change covers."""

    description: str
    day: date
    hours: float
    approved: bool

    def __post_init__(self) -> None:
        if not math.isfinite(self.hours) or self.hours < 0:
            raise ValueError("hours must be finite and non-negative")


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """A scope change: when work on it started and when the client approved it (if ever)."""

    title: str
    work_started: date
    approved_on: date | None = None


def _change_event(cr: ChangeRequest, as_of: date) -> _Event | None:
    if cr.work_started > as_of:
        return None
    approved = _known(cr.approved_on, as_of)
    in_time = approved is not None and approved <= cr.work_started
    verdict = "approved before the work" if in_time else "work started without approval"
    return _pass_fail(cr.work_started, in_time, f"{cr.title}: {verdict}")


def scope_control(
    work: Iterable[ScopeWork],
    changes: Iterable[ChangeRequest],
    *,
    as_of: date,
    settings: IndexSettings,
) -> IndicatorResult:
    """Share of hours on approved scope, and share of changes approved before their work; the
    two parts weigh the same when both have data."""
    hours = []
    for w in work:
        text = f"{w.description}: {w.hours:g} h on {'' if w.approved else 'un'}approved scope"
        hours.append(_pass_fail(w.day, w.approved, text, weight=w.hours))
    parts = [_weigh(hours, as_of, settings)]
    parts.append(_weigh((_change_event(cr, as_of) for cr in changes), as_of, settings))
    return _result("scope_control", _balanced(parts))


@dataclass(frozen=True, slots=True)
class Slip:
    """A slip or overrun (`happened_on`) and when the client was told of it, if ever."""

    description: str
    happened_on: date
    told_on: date | None = None


FULL_NOTICE_DAYS = 14


def _slip_event(s: Slip, as_of: date) -> _Event:
    told = _known(s.told_on, as_of)
    if told is None or told > s.happened_on:
        return _Event(s.happened_on, 0.0, f"{s.description}: client not told beforehand")
    early = (s.happened_on - told).days
    score = NEUTRAL + NEUTRAL * min(early, FULL_NOTICE_DAYS) / FULL_NOTICE_DAYS
    return _Event(s.happened_on, score, f"{s.description}: client told {early} days before")


def no_surprises(slips: Iterable[Slip], *, as_of: date, settings: IndexSettings) -> IndicatorResult:
    """Slips told before they happened score 50, rising to 100 with FULL_NOTICE_DAYS of notice;
    a slip the client learnt of when (or after) it happened scores 0."""
    events = (_slip_event(s, as_of) for s in slips)
    return _indicator("no_surprises", events, as_of, settings)


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something promised to the client by `due`: a commitment, action item or follow-up."""

    description: str
    due: date
    done: date | None = None


def _due_event(item: DueItem, as_of: date) -> _Event | None:
    done = _known(item.done, as_of)
    if item.due > as_of or (done is None and item.due == as_of):
        return None  # not due yet: judged once due
    in_time = done is not None and done <= item.due
    verdict = "done by its due date" if in_time else "not done by its due date"
    return _pass_fail(item.due, in_time, f"{item.description}: {verdict}")


def commitments(
    items: Iterable[DueItem], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Promises and action items due in the window, kept (done by their due date) or not."""
    return _indicator("commitments", (_due_event(i, as_of) for i in items), as_of, settings)


# --- concern ---------------------------------------------------------------------------------


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


# --- voice -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NpsAnswer:
    """A contact's answer 0-10 to "how likely are you to recommend us?"."""

    contact: str
    answered_on: date
    score: int

    def __post_init__(self) -> None:
        validate_score(self.score)


_ANSWER_SCORES: Mapping[str, float] = MappingProxyType(
    {"promoter": 100.0, "passive": 50.0, "detractor": 0.0}
)


def recommendation(
    answers: Iterable[NpsAnswer], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """(NPS + 100) / 2 with decay: promoters score 100, passives 50, detractors 0."""
    events = []
    for a in answers:
        kind = category(a.score)
        text = f"{a.contact} answered {a.score} ({kind})"
        events.append(_Event(a.answered_on, _ANSWER_SCORES[kind], text))
    return _indicator("recommendation", events, as_of, settings)


@dataclass(frozen=True, slots=True)
class Remark:
    """The sentiment (-1 negative .. 1 positive) of a piece of feedback or a logged remark."""

    description: str
    day: date
    sentiment: float

    def __post_init__(self) -> None:
        if not -1 <= self.sentiment <= 1:
            raise ValueError("sentiment must be within [-1, 1]")


def sentiment(
    remarks: Iterable[Remark], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Sentiment mapped from [-1, 1] to [0, 100]."""
    events = (_Event(r.day, NEUTRAL * (r.sentiment + 1), r.description) for r in remarks)
    return _indicator("sentiment", events, as_of, settings)


type LoyaltyKind = Literal["repeat_engagement", "referral", "scope_growth", "shrinking_spend"]
LOYALTY_KINDS: tuple[str, ...] = (
    "repeat_engagement",
    "referral",
    "scope_growth",
    "shrinking_spend",
)


@dataclass(frozen=True, slots=True)
class LoyaltySignal:
    """A loyal behaviour (repeat engagement, referral given, scope growth) or shrinking spend."""

    description: str
    day: date
    kind: LoyaltyKind

    def __post_init__(self) -> None:
        if self.kind not in LOYALTY_KINDS:
            raise ValueError(f"unknown loyalty signal {self.kind!r}")


def loyalty(
    signals: Iterable[LoyaltySignal], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Share of loyalty signals that are loyal: shrinking spend scores 0, the others 100."""
    events = (_pass_fail(s.day, s.kind != "shrinking_spend", s.description) for s in signals)
    return _indicator("loyalty", events, as_of, settings)
