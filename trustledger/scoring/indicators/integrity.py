"""Integrity: scope control and no surprises."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from trustledger.scoring.index import (
    Evidence,
    IndexSettings,
    IndicatorResult,
)
from trustledger.scoring.indicators._events import (
    NEUTRAL,
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
class ScopeWork:
    """Hours logged on one day: on approved scope (True), on scope the client had not approved
    (False), or unclassified (None: imported work whose task names no scope item; nobody has
    said which it is, so it counts neither for nor against the firm)."""

    description: str
    day: date
    hours: float
    approved: bool | None

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


def _unclassified_note(work: Iterable[ScopeWork], as_of: date, window_days: int) -> Evidence | None:
    """One line saying how much unclassified time the window holds, and that it is not counted:
    its impact is zero, so the score is still 50 plus the impacts of the evidence."""
    seen = [w for w in work if w.approved is None and 0 <= (as_of - w.day).days <= window_days]
    hours = math.fsum(w.hours for w in seen)
    if not hours:
        return None
    text = (
        f"{hours:g} h unclassified (imported tasks that name no scope item): not counted for or "
        "against the firm until their tasks are mapped"
    )
    return Evidence(max(w.day for w in seen), text, 0.0)


def scope_control(
    work: Iterable[ScopeWork],
    changes: Iterable[ChangeRequest],
    *,
    as_of: date,
    settings: IndexSettings,
) -> IndicatorResult:
    """Share of classified hours on approved scope, and share of changes approved before their
    work; the two parts weigh the same when both have data. Unclassified hours are left out of
    the score and named in one zero-impact line of evidence."""
    work = list(work)
    hours = []
    for w in work:
        if w.approved is None:
            continue
        text = f"{w.description}: {w.hours:g} h on {'' if w.approved else 'un'}approved scope"
        hours.append(_pass_fail(w.day, w.approved, text, weight=w.hours))
    parts = [_weigh(hours, as_of, settings)]
    parts.append(_weigh((_change_event(cr, as_of) for cr in changes), as_of, settings))
    result = _result("scope_control", _balanced(parts))
    note = _unclassified_note(work, as_of, settings.window_days)
    if note is None:
        return result
    return IndicatorResult(result.key, result.score, (*result.evidence, note))


@dataclass(frozen=True, slots=True)
class Told:
    """A notice to the client: the day it says the client was told, and the day it was recorded.

    A claim counts from when it was recorded: a notice recorded today and dated a month ago
    counts from today, so typing an earlier date earns no lead time.
    """

    claimed_on: date
    recorded_on: date

    @property
    def counts_from(self) -> date:
        return max(self.claimed_on, self.recorded_on)

    @property
    def backdated(self) -> bool:
        return self.claimed_on < self.recorded_on


def first_told(notices: Iterable[Told]) -> Told | None:
    """The notice that told the client first, as far as the record shows (None: none did)."""
    return min(notices, key=lambda n: (n.counts_from, n.claimed_on), default=None)


@dataclass(frozen=True, slots=True)
class Slip:
    """A slip or overrun (`happened_on`) and the notice that told the client of it, if any."""

    description: str
    happened_on: date
    told: Told | None = None

    @property
    def told_on(self) -> date | None:
        """When the client counts as told (`Told.counts_from`), or None if never."""
        return None if self.told is None else self.told.counts_from


FULL_NOTICE_DAYS = 14


def _recording_note(told: Told | None) -> str:
    if told is None or not told.backdated:
        return ""
    claimed, recorded = told.claimed_on, told.recorded_on
    return f" (notice dated {claimed:%d %b}, counted from its recording on {recorded:%d %b})"


def _slip_event(s: Slip, as_of: date) -> _Event:
    told = _known(s.told_on, as_of)
    note = _recording_note(s.told) if told is not None else ""
    if told is None or told > s.happened_on:
        return _Event(s.happened_on, 0.0, f"{s.description}: client not told beforehand{note}")
    early = (s.happened_on - told).days
    score = NEUTRAL + NEUTRAL * min(early, FULL_NOTICE_DAYS) / FULL_NOTICE_DAYS
    text = f"{s.description}: client told {early} days before{note}"
    return _Event(s.happened_on, score, text)


def no_surprises(slips: Iterable[Slip], *, as_of: date, settings: IndexSettings) -> IndicatorResult:
    """Slips told before they happened score 50, rising to 100 with FULL_NOTICE_DAYS of notice;
    a slip the client learnt of after it happened scores 0. Notice counts from
    `Told.counts_from`: the later of the day claimed and the day recorded."""
    events = (_slip_event(s, as_of) for s in slips)
    return _indicator("no_surprises", events, as_of, settings)


def commitments(
    items: Iterable[DueItem], *, as_of: date, settings: IndexSettings
) -> IndicatorResult:
    """Promises and action items due in the window, kept (done by their due date) or not."""
    return _indicator("commitments", (_due_event(i, as_of) for i in items), as_of, settings)
